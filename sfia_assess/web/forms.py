"""The assessment form's state: what the person typed, as YAML the CLI reads, and back.

The form is the draft: every request carries all of it, the server turns it into the same YAML a
person would write, and the library loads that text. So the browser sees exactly the CLI's checks
and messages, and the YAML downloaded is the text that was checked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..core.assessment import Assessment, EvidenceKind, Rating
from ..files.numbers import whole_number
from ..files.yamlfile import YamlDocument
from ..files.yamlwriter import Flow, document, document_read

RATINGS = tuple(r.value for r in Rating)
KINDS = tuple(k.value for k in EvidenceKind)
_ID_SPLIT = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class EvidenceDraft:
    """One evidence item as typed; `supports` is the list of statement ids."""

    id: str = ""
    summary: str = ""
    date: str = ""
    kind: str = "work-record"
    reference: str = ""
    verified_by: str = ""
    supports: tuple[str, ...] = ()


@dataclass(frozen=True)
class Draft:
    """A self-assessment being written in the browser; fields hold the text typed."""

    skill: str
    sfia_version: str
    name: str = ""
    role: str = ""
    assessor_name: str = ""  # empty: the person assesses themselves
    id: str = ""  # the person's stable id (their login), when known
    assessor_id: str = ""  # the reviewer's, when known
    relation: str = "self"
    assessor_role: str = ""  # a reviewer's job title, shown in the review record
    assessed_on: str = ""
    target_level: str = ""
    ratings: dict[str, str] = field(default_factory=dict)
    evidence: tuple[EvidenceDraft, ...] = ()
    comments: dict[str, str] = field(default_factory=dict)  # a manager's, per statement
    migrated_from: str = ""
    migration_notes: tuple[str, ...] = ()
    # Her level in each generic attribute (code: the level typed), and its evidence ids.
    responsibility: dict[str, str] = field(default_factory=dict)
    responsibility_evidence: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The fields the person has left (their problems are shown); None: show every problem.
    touched: frozenset[str] | None = None

    def rating(self, statement_id: str) -> str:
        return self.ratings.get(statement_id, "")

    def comment(self, statement_id: str) -> str:
        return self.comments.get(statement_id, "")

    def with_action(self, action: str, statement_ids: Iterable[str], prefix: str = "e") -> Draft:
        """The draft after a button press: add or remove an evidence item, or take a suggestion.

        New evidence ids are `prefix` and a number (a manager's start with m, so that they
        differ from the person's own).
        """
        if action == "add-evidence":
            taken = {e.id for e in self.evidence}
            number = len(self.evidence) + 1
            while f"{prefix}{number}" in taken:
                number += 1
            item = EvidenceDraft(id=f"{prefix}{number}", date=self.assessed_on)
            return replace(self, evidence=(*self.evidence, item))
        if match := re.fullmatch(r"remove-evidence-(\d+)", action):
            index = int(match.group(1))
            return replace(
                self, evidence=tuple(e for i, e in enumerate(self.evidence) if i != index)
            )
        if match := re.fullmatch(r"support-(\d+)-(.+)", action):
            index, statement_id = int(match.group(1)), match.group(2)
            if index < len(self.evidence) and statement_id in set(statement_ids):
                item = self.evidence[index]
                if statement_id not in item.supports:
                    item = replace(item, supports=(*item.supports, statement_id))
                items = list(self.evidence)
                items[index] = item
                return replace(self, evidence=tuple(items))
        return self


def focus_after(action: str, draft: Draft) -> str:
    """The id of the field to put the keyboard focus on after a button replaced the form."""
    if action == "add-evidence" and draft.evidence:
        return f"evidence-{len(draft.evidence) - 1}-summary"
    if action.startswith("remove-evidence-"):
        return "add-evidence"
    if match := re.fullmatch(r"support-(\d+)-(.+)", action):
        return f"evidence-{match.group(1)}-supports-{match.group(2)}"
    return ""


def from_form(form: Mapping[str, Any], getlist: Any) -> Draft:
    """The draft from posted form fields (`getlist(name)` gives every value of a name)."""

    def text(name: str) -> str:
        value = form.get(name, "")
        return value if isinstance(value, str) else ""

    ratings = {
        key.removeprefix("rating-"): value
        for key, value in form.items()
        if key.startswith("rating-") and isinstance(value, str) and value in RATINGS
    }
    comments = {
        key.removeprefix("comment-"): value
        for key, value in form.items()
        if key.startswith("comment-") and isinstance(value, str) and value.strip()
    }
    responsibility = {
        key.removeprefix("attribute-"): value
        for key, value in form.items()
        if key.startswith("attribute-")
        and not key.endswith("-evidence")
        and isinstance(value, str)
        and value.strip()
    }
    responsibility_evidence = {
        code: _ids(getlist(f"attribute-{code}-evidence")) for code in responsibility
    }
    count = text("evidence_count")
    evidence = []
    for i in range(min(whole_number(count) or 0, 500)):
        prefix = f"evidence-{i}-"
        evidence.append(
            EvidenceDraft(
                id=text(prefix + "id"),
                summary=text(prefix + "summary"),
                date=text(prefix + "date"),
                kind=text(prefix + "kind") or "other",
                reference=text(prefix + "reference"),
                verified_by=text(prefix + "verified_by"),
                supports=_ids(getlist(prefix + "supports")),
            )
        )
    return Draft(
        skill=text("skill"),
        sfia_version=text("sfia_version"),
        name=text("name"),
        role=text("role"),
        assessor_name=text("assessor_name"),
        id=text("id"),
        assessor_id=text("assessor_id"),
        relation=text("relation") or "self",
        assessor_role=text("assessor_role"),
        assessed_on=text("assessed_on"),
        target_level=text("target_level"),
        ratings=ratings,
        evidence=tuple(evidence),
        comments=comments,
        migrated_from=text("migrated_from"),
        migration_notes=tuple(n for n in getlist("migration_note") if isinstance(n, str)),
        responsibility=responsibility,
        responsibility_evidence={k: v for k, v in responsibility_evidence.items() if v},
        touched=frozenset(_ID_SPLIT.split(text("touched"))) - {""} if "touched" in form else None,
    )


def _ids(values: Iterable[Any]) -> tuple[str, ...]:
    """Statement ids from checkboxes (one a value) or typed (several, separated), once each."""
    found: dict[str, None] = {}
    for value in values:
        if isinstance(value, str):
            found.update((s, None) for s in _ID_SPLIT.split(value) if s)
    return tuple(found)


def from_assessment(assessment: Assessment) -> Draft:
    """The draft showing an assessment that was loaded (an uploaded or saved file)."""
    a = assessment
    return Draft(
        skill=a.skill,
        sfia_version=str(a.sfia_version),
        name=a.subject.name,
        role=a.subject.role or "",
        assessor_name="" if a.assessor.name == a.subject.name else a.assessor.name,
        id=a.subject.id or "",
        assessor_id="" if a.assessor.name == a.subject.name else a.assessor.id or "",
        relation=a.assessor.relation,
        assessor_role=a.assessor.role or "",
        assessed_on=a.assessed_on.isoformat(),
        target_level=str(a.target_level) if a.target_level is not None else "",
        ratings={k: v.value for k, v in a.ratings.items()},
        evidence=tuple(
            EvidenceDraft(
                id=e.id,
                summary=e.summary,
                date=e.date.isoformat(),
                kind=e.kind.value,
                reference=e.reference or "",
                verified_by=e.verified_by or "",
                supports=e.supports,
            )
            for e in a.evidence
        ),
        comments=dict(a.comments),
        migrated_from=str(a.migrated_from) if a.migrated_from is not None else "",
        migration_notes=a.migration_notes,
        responsibility={code: str(r.level) for code, r in a.responsibility.items()},
        responsibility_evidence={
            code: r.evidence for code, r in a.responsibility.items() if r.evidence
        },
    )


# -- YAML ------------------------------------------------------------------------------------


def _typed_date(value: str) -> dt.date | str:
    """A date when the text is one (written bare, as people do); else the text, to be refused."""
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return value


def _typed_int(value: str) -> int | str:
    number = whole_number(value)
    return value if number is None else number


def to_yaml(draft: Draft, statement_order: Iterable[str] = ()) -> str:
    """The draft as an assessment file; empty optional fields are left out, required ones too
    (so that the loader says which is missing, in its own words)."""
    return document(assessment_data(draft, statement_order), "the assessment file")


def to_yaml_read(
    draft: Draft, statement_order: Iterable[str], name: str
) -> tuple[str, YamlDocument]:
    """`to_yaml`, and the file read back as `name` (one parse: what the loader then checks)."""
    return document_read(assessment_data(draft, statement_order), name)


def assessment_data(draft: Draft, statement_order: Iterable[str] = ()) -> dict[str, Any]:
    """What `to_yaml` writes, as data."""
    data: dict[str, Any] = {
        "sfia_version": _typed_int(draft.sfia_version),
        "skill": draft.skill,
    }
    subject: dict[str, Any] = {}
    if draft.name.strip():
        subject["name"] = draft.name
    if draft.id.strip():
        subject["id"] = draft.id
    if draft.role.strip():
        subject["role"] = draft.role
    data["subject"] = subject
    assessor_name = draft.assessor_name or draft.name
    assessor: dict[str, Any] = {"name": assessor_name} if assessor_name.strip() else {}
    if draft.assessor_name.strip() and draft.assessor_id.strip():
        assessor["id"] = draft.assessor_id
    assessor["relation"] = draft.relation
    if draft.assessor_role.strip():
        assessor["role"] = draft.assessor_role
    data["assessor"] = assessor
    if draft.assessed_on.strip():
        data["assessed_on"] = _typed_date(draft.assessed_on)
    if draft.target_level.strip():
        data["target_level"] = _typed_int(draft.target_level)
    if draft.migrated_from.strip():
        data["migrated_from"] = _typed_int(draft.migrated_from)
    order = {statement_id: i for i, statement_id in enumerate(statement_order)}
    data["ratings"] = {
        k: draft.ratings[k] for k in sorted(draft.ratings, key=lambda k: (order.get(k, 10**6), k))
    }
    items = []
    for e in draft.evidence:
        item: dict[str, Any] = {"id": e.id}
        if e.summary.strip():
            item["summary"] = e.summary
        if e.date.strip():
            item["date"] = _typed_date(e.date)
        item["kind"] = e.kind
        item["supports"] = Flow(e.supports)
        if e.reference.strip():
            item["reference"] = e.reference
        if e.verified_by.strip():
            item["verified_by"] = e.verified_by
        items.append(item)
    data["evidence"] = items
    if draft.comments:
        data["comments"] = {
            k: draft.comments[k]
            for k in sorted(draft.comments, key=lambda k: (order.get(k, 10**6), k))
        }
    if draft.migration_notes:
        data["migration_notes"] = list(draft.migration_notes)
    if draft.responsibility:
        data["responsibility"] = {
            code: (
                {"level": _typed_int(level), "evidence": Flow(evidence)}
                if (evidence := draft.responsibility_evidence.get(code))
                else _typed_int(level)
            )
            for code, level in draft.responsibility.items()
        }
    return data

"""A draft checked by the library: its YAML, its problems by form field, its gap report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from ..core.assessment import LoadedAssessment, check_document
from ..core.catalog import Catalog, SkillVersion
from ..core.matcher import Suggestion, matcher_for, vague
from ..core.policy import Policy
from ..errors import InputFileError, Problem
from ..reports.build import gap_report, review_report
from ..reports.gap.model import GapReport
from ..reports.review import ReviewReport
from .forms import Draft, to_yaml_read

GENERAL = "form"
# Where the loader's paths point in the form: the assessor's name is the person's own.
_TOP_FIELDS = {
    "subject": "name",
    "assessor": "assessor",
    "assessed_on": "assessed_on",
    "target_level": "target_level",
}

# A problem of the assessor's name is shown once the person's name field was left.
_TOUCHED_AS = {"assessor": "name"}


def field_of(loc: tuple[str | int, ...]) -> str:
    """The form field a problem at `loc` concerns (GENERAL when none fits better)."""
    if not loc:
        return GENERAL
    head = loc[0]
    if head == "subject" and loc[1:2] == ("role",):
        return "role"
    if head == "responsibility" and len(loc) >= 2:
        return f"attribute-{loc[1]}"
    if head == "comments" and len(loc) >= 2:
        return f"comment-{loc[1]}"
    if head == "evidence" and len(loc) >= 2 and isinstance(loc[1], int):
        part = loc[2] if len(loc) >= 3 and isinstance(loc[2], str) else "id"
        return f"evidence-{loc[1]}-{part}"
    return _TOP_FIELDS.get(str(head), GENERAL)


@dataclass(frozen=True)
class Checked:
    """What the browser shows for a draft: every problem, or the report."""

    draft: Draft
    skill: SkillVersion
    text: str
    problems: tuple[Problem, ...]
    loaded: LoadedAssessment | None
    report: GapReport | None
    suggestions: dict[int, list[Suggestion]] = field(default_factory=dict)
    # While some evidence items have problems: the result without them, kept in view.
    partial: GapReport | None = None

    def problems_at(self, name: str) -> list[str]:
        """The problems of one field, once the person has left it (all of them when the form
        was refused, or when the form does not say which fields were left)."""
        if not self.shown(name):
            return []
        return [p.message for p in self.problems if field_of(p.loc) == name]

    def shown(self, name: str) -> bool:
        touched = self.draft.touched
        if touched is None or name == GENERAL:
            return True
        return _TOUCHED_AS.get(name, name) in touched

    def listed(self) -> list[tuple[str, str]]:
        """(field, message) of every problem shown, in the form's order, for the summary."""
        return [(f, p.message) for p in self.problems if self.shown(f := field_of(p.loc))]

    @property
    def hidden_count(self) -> int:
        """Problems of fields not left yet (the result leaves out what they concern)."""
        return sum(1 for p in self.problems if not self.shown(field_of(p.loc)))


def check(
    draft: Draft, skill: SkillVersion, catalog: Catalog, policy: Policy, today: dt.date, name: str
) -> Checked:
    """Write the draft as YAML and load it the way `assess` loads a file named `name`."""
    text, written = to_yaml_read(draft, skill.statements_by_id, name)
    suggestions = _suggestions(draft, skill)
    try:
        loaded = check_document(written, catalog)
    except InputFileError as exc:
        problems = tuple(exc.problems)
        partial = _without_faulty_evidence(draft, problems, skill, catalog, policy, today, name)
        return Checked(draft, skill, text, problems, None, None, suggestions, partial)
    report = gap_report(loaded, catalog, policy, today=today)
    return Checked(draft, skill, text, (), loaded, report, suggestions)


def _without_faulty_evidence(
    draft: Draft,
    problems: tuple[Problem, ...],
    skill: SkillVersion,
    catalog: Catalog,
    policy: Policy,
    today: dt.date,
    name: str,
) -> GapReport | None:
    """The report of the draft without the evidence items that have problems, when only
    evidence items have them (an item being written does not blank the result)."""
    faulty: set[int] = set()
    for problem in problems:
        loc = problem.loc
        if len(loc) < 2 or loc[0] != "evidence" or not isinstance(loc[1], int):
            return None
        faulty.add(loc[1])
    kept = tuple(e for i, e in enumerate(draft.evidence) if i not in faulty)
    try:
        _, written = to_yaml_read(replace(draft, evidence=kept), skill.statements_by_id, name)
        loaded = check_document(written, catalog)
    except InputFileError:
        return None
    return gap_report(loaded, catalog, policy, today=today)


def _suggestions(draft: Draft, skill: SkillVersion, top: int = 3) -> dict[int, list[Suggestion]]:
    """For each evidence item with enough words, the statements it reads most like."""
    matcher = matcher_for(skill)
    found = {}
    for i, item in enumerate(draft.evidence):
        if not item.summary.strip() or vague(item.summary):
            continue
        ranked = [s for s in matcher.rank(item.summary)[:top] if s.confident]
        found[i] = [s for s in ranked if s.id not in item.supports]
    return found


@dataclass(frozen=True)
class CheckedReview:
    """A manager's review being written, checked against the self-assessment it reviews."""

    own: LoadedAssessment
    checked: Checked
    report: ReviewReport | None

    @property
    def draft(self) -> Draft:
        return self.checked.draft

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.checked.problems


def check_review(
    own: LoadedAssessment,
    draft: Draft,
    catalog: Catalog,
    policy: Policy,
    today: dt.date,
    name: str,
) -> CheckedReview:
    """Load the manager's draft as `review` loads the manager's file, and reconcile the two."""
    text, written = to_yaml_read(draft, own.skill.statements_by_id, name)
    suggestions = _suggestions(draft, own.skill)
    problems: list[Problem] = []
    if not draft.assessor_name.strip():
        problems.append(
            Problem(name, None, "give your name: the review records who agreed", ("assessor",))
        )
    try:
        loaded = check_document(written, catalog)
    except InputFileError as exc:
        problems.extend(exc.problems)
        loaded = None
    if loaded is None or problems:
        checked = Checked(draft, own.skill, text, tuple(problems), None, None, suggestions)
        return CheckedReview(own, checked, None)
    try:
        report = review_report(own, loaded, catalog, policy, today=today)
    except InputFileError as exc:
        checked = Checked(draft, own.skill, text, tuple(exc.problems), None, None, suggestions)
        return CheckedReview(own, checked, None)
    checked = Checked(draft, own.skill, text, (), loaded, None, suggestions)
    return CheckedReview(own, checked, report)

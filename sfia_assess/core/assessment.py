"""The assessment file a person writes: models, loading, and checks against the framework."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ..errors import AssessmentError, Problem, SfiaAssessError, UnknownSkillError
from ..files.clock import today
from ..files.numbers import whole_number
from ..files.validation import problems_from_validation_error
from ..files.yamlfile import YamlDocument, closest, parse_yaml, read_yaml
from .catalog import Catalog, SkillVersion
from .identity import key_of

# Lengths a person's file never needs to pass (README: "What the tool refuses").
MAX_NAME = 200
MAX_SUMMARY = 4_000
MAX_NOTE = 10_000
MAX_EVIDENCE = 500


def _number_as_text(value: object) -> object:
    """An id or reference written as a plain number (`id: 7`) is that text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def not_a_boolean(value: object) -> object:
    """YAML reads `true` as 1 where a number is expected; say so instead."""
    if isinstance(value, bool):
        raise ValueError(f"needs a number, not {str(value).lower()}")
    return value


# Text is text: YAML's `0x1F`, `yes` or `.inf` where a name or summary belongs is refused, not
# silently turned into "31", "True" or "inf".
Text = Annotated[
    str, Strict(), StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NOTE)
]
Summary = Annotated[
    str, Strict(), StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SUMMARY)
]
Name = Annotated[
    str, Strict(), StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME)
]
Identifier = Annotated[
    str,
    BeforeValidator(_number_as_text),
    Strict(),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME),
]
Number = Annotated[int, BeforeValidator(not_a_boolean)]


class Rating(StrEnum):
    """How often the person does what the statement says, lowest first."""

    NOT_YET = "not-yet"
    SOMETIMES = "sometimes"
    USUALLY = "usually"
    CONSISTENTLY = "consistently"

    @property
    def rank(self) -> int:
        return RANKS[self]


RANKS: dict[Rating | str, int] = {rating: i for i, rating in enumerate(Rating)}


class EvidenceKind(StrEnum):
    WORK_RECORD = "work-record"
    DOCUMENT = "document"
    FEEDBACK = "feedback"
    OBSERVATION = "observation"
    TRAINING = "training"
    CERTIFICATION = "certification"
    OTHER = "other"


Relation = Literal["self", "manager", "peer", "assessor"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class AssessedPerson(_Model):
    """The person an assessment is about (`subject:`)."""

    name: Name
    id: Identifier | None = None  # a stable id (their login: an email, an employee number)
    role: Name | None = None

    @property
    def key(self) -> str:
        """Who this is (core.identity): by the id when the file gives one, else by the name."""
        return key_of(self.name, self.id)


class Assessor(_Model):
    name: Name
    id: Identifier | None = None
    relation: Relation
    role: Name | None = None

    @property
    def key(self) -> str:
        return key_of(self.name, self.id)


class Evidence(_Model):
    """One piece of evidence, and the statements the person says it supports."""

    id: Annotated[Identifier, StringConstraints(max_length=64)]
    summary: Summary
    date: dt.date
    kind: EvidenceKind = EvidenceKind.OTHER
    supports: tuple[Name, ...] = ()
    reference: Identifier | None = None
    verified_by: Name | None = None


class GenericRating(_Model):
    """The person's level for one generic attribute, and the evidence for it (by id)."""

    level: Annotated[int, Field(ge=1, le=7)]
    evidence: tuple[Name, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _a_level_alone(cls, value: object) -> object:
        """`AUTO: 4` is short for `AUTO: {level: 4}`."""
        return {"level": value} if isinstance(value, int) else value


class Assessment(_Model):
    """One person's assessment against one skill in one SFIA version."""

    sfia_version: Annotated[Number, Field(ge=1, le=99)]
    skill: Annotated[Name, StringConstraints(max_length=20)]
    subject: AssessedPerson
    assessor: Assessor
    assessed_on: dt.date
    target_level: Annotated[Number, Field(ge=1, le=7)] | None = None
    ratings: dict[Name, Rating] = Field(default_factory=dict)
    evidence: Annotated[tuple[Evidence, ...], Field(max_length=MAX_EVIDENCE)] = ()
    comments: dict[Name, Text] = Field(default_factory=dict)
    migrated_from: Annotated[Number, Field(ge=1, le=99)] | None = None
    migration_notes: tuple[Text, ...] = ()
    responsibility: dict[Name, GenericRating] = Field(default_factory=dict)

    @field_validator(
        "ratings", "evidence", "comments", "migration_notes", "responsibility", mode="before"
    )
    @classmethod
    def _nothing_means_none_yet(cls, value: object, info: ValidationInfo) -> object:
        """`evidence:` with nothing (or only comments) under it means none yet."""
        if value is None:
            return {} if info.field_name in ("ratings", "comments", "responsibility") else ()
        return value


class LoadedAssessment(BaseModel):
    """An assessment that passed every check, with the skill version it is scored against."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True, defer_build=True)

    assessment: Assessment
    skill: SkillVersion
    source: str
    # Allowed but probably not meant (template leftovers, a future date); shown, never fatal.
    warnings: tuple[Problem, ...] = ()


def load_assessment(path: Path | str, catalog: Catalog | None = None) -> LoadedAssessment:
    """Read, validate and check an assessment file; raises AssessmentError listing every problem."""
    path = Path(path)
    document = read_yaml(path)
    return check_document(document, catalog or Catalog.default())


def parse_assessment(text: str | bytes, name: str, catalog: Catalog) -> LoadedAssessment:
    """Like load_assessment, for text that is not in a file (tests, other tools)."""
    return check_document(parse_yaml(text, name), catalog)


def check_document(document: YamlDocument, catalog: Catalog) -> LoadedAssessment:
    """Every problem in the file at once: the fields' own, and what does not fit the framework."""
    name = document.file
    data = document.data
    if not isinstance(data, dict):
        raise AssessmentError.single(
            name,
            "must be a YAML mapping with sfia_version, skill, subject, assessor, assessed_on,"
            " ratings and evidence; run `sfia-assess init` for a template",
            line=1,
        )
    problems: list[Problem] = []
    assessment: Assessment | None = None
    try:
        assessment = Assessment.model_validate(data)
    except ValidationError as exc:
        problems += problems_from_validation_error(exc, document, Assessment)
    skill = _skill_of(data, catalog, document, problems)
    if skill is not None:
        problems += [p for p in framework_problems(data, skill, document) if p not in problems]
    if assessment is not None and assessment.responsibility:
        problems += responsibility_problems(assessment, catalog, document)
    if problems or assessment is None or skill is None:
        raise AssessmentError(sorted(problems, key=lambda p: p.line or 0))
    # Both parts are checked above: no need to build a validator for the pair.
    return LoadedAssessment.model_construct(
        assessment=assessment,
        skill=skill,
        source=name,
        warnings=tuple(_warnings(assessment, document, _today_if_known())),
    )


def _today_if_known() -> dt.date | None:
    """Today for the warnings; a bad SOURCE_DATE_EPOCH is reported where a report needs it."""
    try:
        return today()
    except SfiaAssessError:
        return None


def _skill_of(
    data: dict[Any, Any], catalog: Catalog, document: YamlDocument, problems: list[Problem]
) -> SkillVersion | None:
    """The skill version the file names, when it names one; a problem when it does not exist."""
    code, version = data.get("skill"), data.get("sfia_version")
    if isinstance(version, str) and (number := whole_number(version)) is not None:
        version = number
    if not isinstance(code, str) or not isinstance(version, int) or isinstance(version, bool):
        return None
    try:
        return catalog.skill(code.strip(), version)
    except UnknownSkillError as exc:
        loc = "sfia_version" if code.strip().upper() in catalog.codes() else "skill"
        problem = document.problem((loc,), str(exc))
        if not any(p.line == problem.line for p in problems):
            problems.append(problem)
        return None


def id_hint(statement_id: str, skill: SkillVersion) -> str:
    """What to write instead of an unknown statement id."""
    match = re.fullmatch(r"\s*([A-Za-z0-9]+)-(\d+)\.(\d+)\s*", statement_id)
    if match and match.group(1).upper() == skill.code:
        level = int(match.group(2))
        if level in skill.defined_levels:
            first, *_, last = (s.id for s in skill.level(level).statements)
            exact = f"{skill.code}-{level}.{int(match.group(3))}"
            if exact in skill.statements_by_id:
                return f"did you mean {exact}?"
            return f"level {level} has {first} to {last}"
        defined = ", ".join(str(n) for n in skill.defined_levels)
        return f"SFIA {skill.sfia_version} defines {skill.code} at levels {defined} only"
    hint = closest(statement_id, list(skill.statements_by_id))
    first = next(iter(skill.statements_by_id))
    return f"did you mean {hint}?" if hint else f"ids look like {first}"


def framework_problems(
    data: dict[Any, Any], skill: SkillVersion, document: YamlDocument
) -> list[Problem]:
    """Everything that does not fit the skill version or the assessment date, in file order.

    It reads the document's data as it is, so that it still runs, and reports, when some
    fields are broken: a person fixes every problem in one pass.
    """
    found: list[Problem] = []
    version = f"SFIA {skill.sfia_version} {skill.code}"

    def unknown(statement_id: str) -> str:
        return f"{statement_id!r} is not a statement of {version}; {id_hint(statement_id, skill)}"

    target = data.get("target_level")
    if (
        isinstance(target, int)
        and not isinstance(target, bool)
        and 1 <= target <= 7
        and target not in skill.defined_levels
    ):
        defined = ", ".join(str(n) for n in skill.defined_levels)
        found.append(
            document.problem(
                ("target_level",),
                f"target_level {target} is not defined for {skill.label}; use one of {defined}",
            )
        )
    for section in ("ratings", "comments"):
        keyed = data.get(section)
        if isinstance(keyed, dict):
            for key in keyed:
                if isinstance(key, str) and key.strip() not in skill.statements_by_id:
                    found.append(document.problem((section, key), unknown(key.strip())))
    assessed_on = _a_date(data.get("assessed_on"))
    evidence = data.get("evidence")
    seen: dict[str, int] = {}
    for i, item in enumerate(evidence if isinstance(evidence, list) else []):
        if not isinstance(item, dict):
            continue
        raw_id = item.get("id")
        item_id = str(raw_id).strip() if isinstance(raw_id, str | int) else f"#{i + 1}"
        if isinstance(raw_id, str | int) and not isinstance(raw_id, bool):
            if item_id in seen:
                found.append(
                    document.problem(
                        ("evidence", i, "id"),
                        f"evidence id {item_id!r} is used twice (first at line {seen[item_id]});"
                        " give each item its own id",
                    )
                )
            else:
                seen[item_id] = document.line_of(("evidence", i, "id")) or 0
        for key in ("id", "reference"):
            written = document.written.get(("evidence", i, key))
            if written is not None and written.strip() != str(item.get(key)):
                found.append(
                    document.problem(
                        ("evidence", i, key),
                        f"evidence {item_id} {key}: {written} is read by YAML as"
                        f' {item.get(key)!r}; put it in quotes: "{written}"',
                    )
                )
        day = _a_date(item.get("date"))
        if day is not None and assessed_on is not None and day > assessed_on:
            found.append(
                document.problem(
                    ("evidence", i, "date"),
                    f"evidence {item_id!r} is dated {day.isoformat()}, after assessed_on"
                    f" ({assessed_on.isoformat()}); fix the date or the assessment date",
                )
            )
        supports = item.get("supports")
        for j, statement_id in enumerate(supports if isinstance(supports, list) else []):
            if isinstance(statement_id, str) and statement_id.strip() not in skill.statements_by_id:
                found.append(
                    document.problem(("evidence", i, "supports", j), unknown(statement_id.strip()))
                )
    return sorted(found, key=lambda p: p.line or 0)


def responsibility_problems(
    assessment: Assessment, catalog: Catalog, document: YamlDocument
) -> list[Problem]:
    """Unknown attribute codes and evidence ids in the `responsibility:` block."""
    version = assessment.sfia_version
    shipped = catalog.attribute_versions()
    attributes = catalog.attributes(version if version in shipped else None)
    evidence_ids = {item.id for item in assessment.evidence}
    found = []
    for code, rated in assessment.responsibility.items():
        try:
            attributes.attribute(code)
        except UnknownSkillError as exc:
            found.append(document.problem(("responsibility", code), str(exc)))
        for i, evidence_id in enumerate(rated.evidence):
            if evidence_id not in evidence_ids:
                found.append(
                    document.problem(
                        ("responsibility", code, "evidence", i),
                        f"evidence {evidence_id!r} is not in this file's evidence; list an id"
                        " from `evidence:`",
                    )
                )
    return found


def _a_date(value: object) -> dt.date | None:
    """A date as the model will read it, or None when the model will refuse it anyway."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


PLACEHOLDER_NAME = "Your Name"
PLACEHOLDER_ROLE = "Your job title"
PLACEHOLDER_SUMMARY = "What you did and the outcome, with numbers where you can."


def _warnings(
    assessment: Assessment, document: YamlDocument, today: dt.date | None
) -> list[Problem]:
    """What is allowed but probably not meant: template leftovers, a future date, idle evidence."""
    found = []
    for loc, text in (
        (("subject", "name"), assessment.subject.name),
        (("subject", "role"), assessment.subject.role),
        (("assessor", "name"), assessment.assessor.name),
    ):
        if text in (PLACEHOLDER_NAME, PLACEHOLDER_ROLE):
            found.append(
                document.problem(
                    loc, f"warning: {'.'.join(loc)} is still {text!r} from the template; fill it in"
                )
            )
    if today is not None and assessment.assessed_on > today:
        found.append(
            document.problem(
                ("assessed_on",),
                f"warning: assessed_on {assessment.assessed_on.isoformat()} is in the future"
                f" (today is {today.isoformat()}); evidence is judged as of that date",
            )
        )
    for i, item in enumerate(assessment.evidence):
        if item.summary == PLACEHOLDER_SUMMARY:
            found.append(
                document.problem(
                    ("evidence", i, "summary"),
                    f"warning: evidence {item.id} still has the template's example summary;"
                    " say what you did, or remove the item",
                )
            )
        idle = [s for s in item.supports if s not in assessment.ratings]
        # In a reviewer's file an unrated statement keeps the self rating: evidence counts.
        if idle and assessment.assessor.relation == "self":
            found.append(
                document.problem(
                    ("evidence", i, "supports"),
                    f"warning: evidence {item.id} supports {', '.join(idle)}, not rated under"
                    " ratings; rate it, or the evidence counts for nothing there",
                )
            )
    return sorted(found, key=lambda p: p.line or 0)


def assessment_schema() -> dict[str, object]:
    """The JSON Schema of an assessment file, generated from the models."""
    schema = Assessment.model_json_schema()
    # `AUTO: 4` is short for `AUTO: {level: 4}` (GenericRating's before-validator).
    properties: Any = schema["properties"]
    rating = properties["responsibility"]["additionalProperties"]
    properties["responsibility"]["additionalProperties"] = {
        "anyOf": [{"type": "integer", "minimum": 1, "maximum": 7}, rating]
    }
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "sfia-assess assessment file"
    return schema

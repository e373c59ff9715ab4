"""The assessment file a person writes: models, loading, and checks against the framework."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from .catalog import Catalog, SkillVersion
from .errors import AssessmentError, Problem, UnknownSkillError
from .validation import problems_from_validation_error
from .yamlfile import YamlDocument, closest, parse_yaml, read_yaml

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


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
    model_config = ConfigDict(frozen=True, extra="forbid", coerce_numbers_to_str=True)


class Person(_Model):
    name: Name
    role: Name | None = None


class Assessor(_Model):
    name: Name
    relation: Relation


class Evidence(_Model):
    """One piece of evidence, and the statements the person says it supports."""

    id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    summary: Text
    date: dt.date
    kind: EvidenceKind = EvidenceKind.OTHER
    supports: tuple[Name, ...] = ()
    reference: Name | None = None
    verified_by: Name | None = None


class Assessment(_Model):
    """One person's assessment against one skill in one SFIA version."""

    sfia_version: Annotated[int, Field(ge=1, le=99)]
    skill: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    subject: Person
    assessor: Assessor
    assessed_on: dt.date
    target_level: Annotated[int, Field(ge=1, le=7)] | None = None
    ratings: dict[Name, Rating] = Field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()
    comments: dict[Name, Text] = Field(default_factory=dict)
    migrated_from: Annotated[int, Field(ge=1, le=99)] | None = None
    migration_notes: tuple[Text, ...] = ()

    @field_validator("ratings", "evidence", "comments", "migration_notes", mode="before")
    @classmethod
    def _nothing_means_none_yet(cls, value: object, info: ValidationInfo) -> object:
        """`evidence:` with nothing (or only comments) under it means none yet."""
        if value is None:
            return {} if info.field_name in ("ratings", "comments") else ()
        return value


class LoadedAssessment(BaseModel):
    """An assessment that passed every check, with the skill version it is scored against."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    assessment: Assessment
    skill: SkillVersion
    source: str


def load_assessment(path: Path | str, catalog: Catalog | None = None) -> LoadedAssessment:
    """Read, validate and check an assessment file; raises AssessmentError listing every problem."""
    path = Path(path)
    document = read_yaml(path)
    return check_document(document, catalog or Catalog.default())


def parse_assessment(text: str | bytes, name: str, catalog: Catalog) -> LoadedAssessment:
    """Like load_assessment, for text that is not in a file (tests, other tools)."""
    return check_document(parse_yaml(text, name), catalog)


def check_document(document: YamlDocument, catalog: Catalog) -> LoadedAssessment:
    name = document.file
    if not isinstance(document.data, dict):
        raise AssessmentError.single(
            name,
            "must be a YAML mapping with sfia_version, skill, subject, assessor, assessed_on,"
            " ratings and evidence; run `sfia-assess init` for a template",
            line=1,
        )
    try:
        assessment = Assessment.model_validate(document.data)
    except ValidationError as exc:
        raise AssessmentError(problems_from_validation_error(exc, document, Assessment)) from None
    try:
        skill = catalog.skill(assessment.skill, assessment.sfia_version)
    except UnknownSkillError as exc:
        loc = "sfia_version" if assessment.skill.upper() in catalog.codes() else "skill"
        raise AssessmentError([document.problem((loc,), str(exc))]) from None
    problems = framework_problems(assessment, skill, document)
    if problems:
        raise AssessmentError(problems)
    return LoadedAssessment(assessment=assessment, skill=skill, source=name)


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
    assessment: Assessment, skill: SkillVersion, document: YamlDocument
) -> list[Problem]:
    """Everything that does not fit the skill version or the assessment date, in file order."""
    found: list[Problem] = []
    version = f"SFIA {skill.sfia_version} {skill.code}"

    def unknown(statement_id: str) -> str:
        return f"{statement_id!r} is not a statement of {version}; {id_hint(statement_id, skill)}"

    if assessment.target_level is not None and assessment.target_level not in skill.defined_levels:
        defined = ", ".join(str(n) for n in skill.defined_levels)
        found.append(
            document.problem(
                ("target_level",),
                f"target_level {assessment.target_level} is not defined for {skill.label};"
                f" use one of {defined}",
            )
        )
    for statement_id in assessment.ratings:
        if statement_id not in skill.statements_by_id:
            found.append(document.problem(("ratings", statement_id), unknown(statement_id)))
    for statement_id in assessment.comments:
        if statement_id not in skill.statements_by_id:
            found.append(document.problem(("comments", statement_id), unknown(statement_id)))
    seen: dict[str, int] = {}
    for i, item in enumerate(assessment.evidence):
        if item.id in seen:
            found.append(
                document.problem(
                    ("evidence", i, "id"),
                    f"evidence id {item.id!r} is used twice (also evidence[{seen[item.id]}]);"
                    " give each item its own id",
                )
            )
        else:
            seen[item.id] = i
        if item.date > assessment.assessed_on:
            found.append(
                document.problem(
                    ("evidence", i, "date"),
                    f"evidence {item.id!r} is dated {item.date.isoformat()}, after assessed_on"
                    f" ({assessment.assessed_on.isoformat()}); fix the date or the assessment date",
                )
            )
        for j, statement_id in enumerate(item.supports):
            if statement_id not in skill.statements_by_id:
                found.append(
                    document.problem(("evidence", i, "supports", j), unknown(statement_id))
                )
    return sorted(found, key=lambda p: p.line or 0)


def assessment_schema() -> dict[str, object]:
    """The JSON Schema of an assessment file, generated from the models."""
    schema = Assessment.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "sfia-assess assessment file"
    return schema

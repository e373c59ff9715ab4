"""The result of scoring one assessment: plain frozen data that every report format lays out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

SCHEMA_VERSION = 1

# The per-statement objects are plain slotted dataclasses, not frozen ones: a frozen dataclass
# sets each field through object.__setattr__, which made building the ~60 of them 4x slower and
# was most of the scoring time. Treat them as read-only all the same.

TargetSource = Literal["file", "option", "next-level", "none"]
Agreement = Literal["same", "skill-above", "skill-below", "no-skill-level"]


class GapReason(StrEnum):
    """Why a statement is not demonstrated, the first that applies in this order."""

    NOT_RATED = "not-rated"
    RATED_BELOW_THRESHOLD = "rated-below-threshold"
    NO_EVIDENCE = "no-evidence"
    EVIDENCE_TOO_OLD = "evidence-too-old"
    NOT_ENOUGH_EVIDENCE = "not-enough-evidence"


class EvidenceRejection(StrEnum):
    TOO_OLD = "too-old"
    AFTER_ASSESSMENT = "after-assessment"


@dataclass(frozen=True, slots=True)
class Subject:
    name: str
    role: str | None


@dataclass(frozen=True, slots=True)
class AssessorInfo:
    name: str
    relation: str
    role: str | None = None


@dataclass(frozen=True, slots=True)
class SkillInfo:
    code: str
    name: str
    version: int


@dataclass(slots=True)
class RejectedEvidence:
    id: str
    why: EvidenceRejection


@dataclass(slots=True)
class StatementResult:
    """One statement: what was claimed, what counted, and the outcome."""

    id: str
    level: int
    text: str
    rating: str | None
    demonstrated: bool
    reason: GapReason | None
    evidence_counted: tuple[str, ...]
    evidence_not_counted: tuple[RejectedEvidence, ...]
    explanation: str


@dataclass(slots=True)
class LevelResult:
    level: int
    name: str | None
    statements: int
    demonstrated: int
    needed: int
    coverage: float
    reached: bool


@dataclass(slots=True)
class Gap:
    id: str
    level: int
    text: str
    reason: GapReason
    suggestions: tuple[str, ...]


@dataclass(slots=True)
class EvidenceItem:
    id: str
    summary: str
    date: dt.date
    kind: str
    supports: tuple[str, ...]
    reference: str | None
    verified_by: str | None
    counted_for: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PolicyInfo:
    rating_threshold: str
    min_evidence_per_statement: int
    evidence_max_age_years: int
    level_threshold: float


@dataclass(frozen=True, slots=True)
class AttributeRated:
    code: str
    level: int
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GenericResponsibility:
    """The person's generic level of responsibility (lower median of the attributes' levels)
    and how it sits beside the skill's recommended level."""

    level: int
    attributes: tuple[AttributeRated, ...]
    skill_level: int | None
    agreement: Agreement
    note: str


@dataclass(frozen=True, slots=True)
class Result:
    """Everything a report shows about one assessment, explained."""

    schema_version: int
    subject: Subject
    assessor: AssessorInfo
    skill: SkillInfo
    assessed_on: dt.date
    policy: PolicyInfo
    recommended_level: int | None
    target_level: int | None
    target_source: TargetSource
    levels: tuple[LevelResult, ...]
    statements: tuple[StatementResult, ...]
    gaps: tuple[Gap, ...]
    evidence: tuple[EvidenceItem, ...]
    warnings: tuple[str, ...]
    migrated_from: int | None
    migration_notes: tuple[str, ...]
    source: str
    # The person's generic level of responsibility, when the file gives one; never scored.
    responsibility: GenericResponsibility | None = None

    def level(self, number: int) -> LevelResult | None:
        for level in self.levels:
            if level.level == number:
                return level
        return None

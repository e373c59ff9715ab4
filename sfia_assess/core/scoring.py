"""Pure scoring: assessment + skill version + policy in, a Result that explains itself out."""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..errors import UnknownSkillError
from .assessment import RANKS, Assessment, Evidence, LoadedAssessment, Rating
from .catalog import LevelsOfResponsibility, SkillVersion
from .policy import Policy
from .responsibility import generic_responsibility
from .result import (
    SCHEMA_VERSION,
    AssessorInfo,
    EvidenceItem,
    EvidenceRejection,
    Gap,
    GapReason,
    LevelResult,
    PolicyInfo,
    RejectedEvidence,
    Result,
    SkillInfo,
    StatementResult,
    Subject,
    TargetSource,
)

_DEFAULT_POLICY = Policy.model_construct()  # the defaults, known valid: no validator built
# Enum members bound once: attribute access on an Enum class is slow in the scoring loop.
_TOO_OLD = EvidenceRejection.TOO_OLD
_AFTER = EvidenceRejection.AFTER_ASSESSMENT
_NOT_RATED = GapReason.NOT_RATED
_BELOW = GapReason.RATED_BELOW_THRESHOLD
_NO_EVIDENCE = GapReason.NO_EVIDENCE
_TOO_OLD_EVIDENCE = GapReason.EVIDENCE_TOO_OLD
_NOT_ENOUGH = GapReason.NOT_ENOUGH_EVIDENCE


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier (29 February falls back to the 28th)."""
    if day.year - years < dt.MINYEAR:
        return dt.date.min  # nothing can be older than year 1: every date counts
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def needed_for(total: int, policy: Policy) -> int:
    """How many of a level's `total` statements must be demonstrated to reach it."""
    return _needed(total, policy.level_threshold)


@functools.lru_cache(maxsize=256)
def _needed(total: int, threshold: float) -> int:
    # An exact fraction, so that 7 of 10 against 0.7 is not lost to floating point.
    return max(1, math.ceil(Fraction(str(threshold)) * total))


@dataclass(frozen=True)
class _LevelFrame:
    number: int
    name: str | None
    needed: int
    statements: tuple[tuple[str, str, StatementResult], ...]  # id, text, the not-rated result


@dataclass(frozen=True)
class _Frame:
    """What scoring needs that does not depend on the person: worked out once per skill version,
    policy and levels of responsibility, and shared by every assessment scored against them."""

    levels: tuple[_LevelFrame, ...]
    skill: SkillInfo
    policy: PolicyInfo
    threshold: int


def _build_frame(
    skill: SkillVersion, policy: Policy, responsibility: LevelsOfResponsibility | None
) -> _Frame:
    not_rated = _not_rated(policy)
    levels = tuple(
        _LevelFrame(
            level.level,
            responsibility.level(level.level).name if responsibility else None,
            needed_for(len(level.statements), policy),
            tuple(
                (
                    s.id,
                    s.text,
                    # Shared by every result that leaves the statement unrated (read-only).
                    StatementResult(
                        s.id, level.level, s.text, None, False, _NOT_RATED, (), (), not_rated
                    ),
                )
                for s in level.statements
            ),
        )
        for level in skill.levels
    )
    return _Frame(
        levels,
        SkillInfo(skill.code, skill.name, skill.sfia_version),
        PolicyInfo(
            rating_threshold=policy.rating_threshold.value,
            min_evidence_per_statement=policy.min_evidence_per_statement,
            evidence_max_age_years=policy.evidence_max_age_years,
            level_threshold=policy.level_threshold,
        ),
        RANKS[policy.rating_threshold],
    )


# Frames by the identity of what they were built from (the models are frozen; hashing a whole
# skill version would cost more than the frame saves). The entry keeps its sources alive, so an
# id is never reused for another object while it is in here.
_FRAMES: dict[tuple[int, int, int], tuple[object, object, object, _Frame]] = {}
_MAX_FRAMES = 64


def _frame(
    skill: SkillVersion, policy: Policy, responsibility: LevelsOfResponsibility | None
) -> _Frame:
    key = (id(skill), id(policy), id(responsibility))
    found = _FRAMES.get(key)
    if found is not None:
        return found[3]
    if len(_FRAMES) >= _MAX_FRAMES:
        _FRAMES.clear()
    frame = _build_frame(skill, policy, responsibility)
    _FRAMES[key] = (skill, policy, responsibility, frame)
    return frame


def score(
    loaded: LoadedAssessment,
    policy: Policy | None = None,
    *,
    target_level: int | None = None,
    responsibility: LevelsOfResponsibility | None = None,
) -> Result:
    """Score one checked assessment. `target_level` overrides the file's target."""
    return score_parts(
        loaded.assessment,
        loaded.skill,
        policy or _DEFAULT_POLICY,
        ratings=loaded.assessment.ratings,
        evidence=loaded.assessment.evidence,
        target_level=target_level,
        responsibility=responsibility,
        source=loaded.source,
    )


def score_parts(
    assessment: Assessment,
    skill: SkillVersion,
    policy: Policy,
    *,
    ratings: Mapping[str, Rating],
    evidence: Sequence[Evidence],
    target_level: int | None = None,
    responsibility: LevelsOfResponsibility | None = None,
    source: str = "",
) -> Result:
    """Score ratings and evidence against a skill; a review passes its reconciled ratings here."""
    frame = _frame(skill, policy, responsibility)
    assessed_on = assessment.assessed_on
    oldest = years_before(assessed_on, policy.evidence_max_age_years)
    threshold = frame.threshold

    # Each evidence item is judged once (counted, too old, after the assessment), then filed
    # under every statement it supports.
    counted_by: dict[str, list[str]] = {}
    rejected_by: dict[str, list[RejectedEvidence]] = {}
    for item in evidence:
        day = item.date
        if oldest <= day <= assessed_on:
            for statement_id in dict.fromkeys(item.supports):
                counted_by.setdefault(statement_id, []).append(item.id)
            continue
        verdict = RejectedEvidence(item.id, _AFTER if day > assessed_on else _TOO_OLD)
        for statement_id in dict.fromkeys(item.supports):
            rejected_by.setdefault(statement_id, []).append(verdict)

    counted_for: dict[str, list[str]] = {item.id: [] for item in evidence}
    statements: list[StatementResult] = []
    levels: list[LevelResult] = []
    nothing: tuple[()] = ()
    for level in frame.levels:
        demonstrated_here = 0
        number = level.number
        for sid, text, unrated in level.statements:
            rating = ratings.get(sid)
            counted = counted_by.get(sid, nothing)
            rejected = rejected_by.get(sid, nothing)
            if rating is None and not counted and not rejected:  # most statements: nothing to weigh
                statements.append(unrated)
                continue
            reason = _reason(rating, threshold, counted, rejected, policy)
            if reason is None:
                demonstrated_here += 1
                for evidence_id in counted:
                    counted_for[evidence_id].append(sid)
            statements.append(
                StatementResult(
                    sid,
                    number,
                    text,
                    rating,
                    reason is None,
                    reason,
                    tuple(counted),
                    tuple(rejected),
                    _explain(rating, reason, counted, rejected, policy, oldest),
                )
            )
        total = len(level.statements)
        levels.append(
            LevelResult(
                number,
                level.name,
                total,
                demonstrated_here,
                level.needed,
                round(demonstrated_here / total, 4),
                demonstrated_here >= level.needed,
            )
        )

    reached = [lv.level for lv in levels if lv.reached]
    recommended = max(reached) if reached else None
    target, target_source = _target(assessment, skill, recommended, target_level)

    low = recommended if recommended is not None else 0
    high = target if target is not None else low
    gaps = tuple(
        Gap(s.id, s.level, s.text, s.reason, skill.statements_by_id[s.id].development)
        for s in statements
        if s.reason is not None and low < s.level <= high
    )
    evidence_items = tuple(
        EvidenceItem(
            item.id,
            item.summary,
            item.date,
            str(item.kind),
            tuple(item.supports),
            item.reference,
            item.verified_by,
            tuple(counted_for[item.id]),
        )
        for item in evidence
    )
    return Result(
        schema_version=SCHEMA_VERSION,
        subject=Subject(assessment.subject.name, assessment.subject.role),
        assessor=AssessorInfo(
            assessment.assessor.name, assessment.assessor.relation, assessment.assessor.role
        ),
        skill=frame.skill,
        assessed_on=assessed_on,
        policy=frame.policy,
        recommended_level=recommended,
        target_level=target,
        target_source=target_source,
        levels=tuple(levels),
        statements=tuple(statements),
        gaps=gaps,
        evidence=evidence_items,
        warnings=tuple(
            _warnings(
                levels,
                statements,
                evidence,
                recommended,
                target,
                policy,
                oldest,
                {i for rated in assessment.responsibility.values() for i in rated.evidence},
            )
        ),
        migrated_from=assessment.migrated_from,
        migration_notes=assessment.migration_notes,
        source=source,
        responsibility=generic_responsibility(assessment.responsibility, recommended),
    )


def _reason(
    rating: Rating | None,
    threshold: int,
    counted: Sequence[str],
    rejected: Sequence[RejectedEvidence],
    policy: Policy,
) -> GapReason | None:
    if rating is None:
        return _NOT_RATED
    if RANKS[rating] < threshold:
        return _BELOW
    if len(counted) >= policy.min_evidence_per_statement:
        return None
    if counted:
        return _NOT_ENOUGH
    if any(r.why is _TOO_OLD for r in rejected):
        return _TOO_OLD_EVIDENCE
    return _NO_EVIDENCE


def _not_rated(policy: Policy) -> str:
    return (
        f"not rated: rate it {policy.rating_threshold} or higher and attach evidence to"
        " demonstrate it."
    )


def _explain(
    rating: Rating | None,
    reason: GapReason | None,
    counted: Sequence[str],
    rejected: Sequence[RejectedEvidence],
    policy: Policy,
    oldest: dt.date,
) -> str:
    if reason is None and not rejected:  # the common case, kept short
        return f"rated {rating}; evidence {', '.join(counted)} counts: demonstrated."
    if rating is None:
        return _not_rated(policy)
    need = policy.rating_threshold
    parts = [f"rated {rating}"]
    if counted:
        parts.append("evidence " + ", ".join(counted) + " counts")
    for item in rejected:
        if item.why is _TOO_OLD:
            parts.append(
                f"evidence {item.id} is older than {oldest.isoformat()} and does not count"
            )
        else:
            parts.append(f"evidence {item.id} is dated after the assessment and does not count")
    if reason is None:
        return "; ".join(parts) + ": demonstrated."
    if reason is _BELOW:
        return "; ".join(parts) + f": a rating of {need} or higher is needed."
    if reason is _NOT_ENOUGH:
        return (
            "; ".join(parts) + f": {policy.min_evidence_per_statement} evidence items are needed,"
            f" {len(counted)} given."
        )
    if reason is _TOO_OLD_EVIDENCE:
        return (
            "; ".join(parts)
            + f": add evidence from the last {policy.evidence_max_age_years} years."
        )
    return "; ".join(parts) + ": no evidence supports it; a rating alone demonstrates nothing."


def _target(
    assessment: Assessment,
    skill: SkillVersion,
    recommended: int | None,
    option: int | None,
) -> tuple[int | None, TargetSource]:
    defined = skill.defined_levels
    if option is not None:
        if option not in defined:
            listed = ", ".join(str(n) for n in defined)
            raise UnknownSkillError(
                f"target level {option} is not defined for {skill.label}; use one of {listed}"
            )
        return option, "option"
    if assessment.target_level is not None:
        return assessment.target_level, "file"
    if recommended is None:
        return defined[0], "next-level"
    above = [n for n in defined if n > recommended]
    if above and above[0] == recommended + 1:
        return above[0], "next-level"
    return None, "none"


def _warnings(
    levels: list[LevelResult],
    statements: list[StatementResult],
    evidence: Sequence[Evidence],
    recommended: int | None,
    target: int | None,
    policy: Policy,
    oldest: dt.date,
    for_attributes: set[str],
) -> list[str]:
    notes: list[str] = []
    if recommended is None:
        notes.append(
            "No level is reached yet: no level has enough demonstrated statements"
            f" ({policy.level_threshold:.0%} of its statements)."
        )
    else:
        for lv in levels:
            if lv.level < recommended and not lv.reached:
                notes.append(
                    f"Level {lv.level} is not reached ({lv.demonstrated} of {lv.statements}"
                    f" statements demonstrated). It does not block level {recommended}, but a"
                    " reviewer may ask about it."
                )
    if target is not None and recommended is not None and target <= recommended:
        notes.append(f"The target level {target} is already reached.")
    unsupported = [s.id for s in statements if s.reason is _NO_EVIDENCE]
    if unsupported:
        notes.append(
            f"{len(unsupported)} statement(s) rated {policy.rating_threshold.value} or higher have"
            " no evidence, so they do not count: " + ", ".join(unsupported) + "."
        )
    for item in evidence:
        if not item.supports and item.id not in for_attributes:
            notes.append(
                f"Evidence {item.id} supports no statement; list the statement ids it shows"
                " under `supports`."
            )
        elif item.date < oldest:
            notes.append(
                f"Evidence {item.id} ({item.date.isoformat()}) is more than"
                f" {policy.evidence_max_age_years} years old at the assessment date and does not"
                " count."
            )
    return notes

"""What a gap report shows, prepared once from a Result so that every format says the same."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...core.catalog import (
    Catalog,
    LevelsOfResponsibility,
    ResponsibilityLevel,
    SkillVersion,
    responsibility_note,
)
from ...core.result import GapReason, LevelResult, Result

REASON_LABELS = {
    GapReason.NOT_RATED: "not rated",
    GapReason.RATED_BELOW_THRESHOLD: "rated below the threshold",
    GapReason.NO_EVIDENCE: "no evidence",
    GapReason.EVIDENCE_TOO_OLD: "evidence too old",
    GapReason.NOT_ENOUGH_EVIDENCE: "not enough evidence",
}


@dataclass(frozen=True)
class GapReport:
    """A scored assessment plus the framework text a reader needs beside it."""

    result: Result
    skill: SkillVersion
    responsibility: LevelsOfResponsibility
    generated_on: dt.date

    @property
    def recommended(self) -> ResponsibilityLevel | None:
        level = self.result.recommended_level
        return self.responsibility.level(level) if level is not None else None

    @property
    def target(self) -> ResponsibilityLevel | None:
        level = self.result.target_level
        return self.responsibility.level(level) if level is not None else None

    @property
    def responsibility_note(self) -> str | None:
        return responsibility_note(self.responsibility.sfia_version, self.skill.sfia_version)


def level_label(number: int | None, report: GapReport) -> str:
    """`3 - Apply`, or `none` when no level applies."""
    if number is None:
        return "none"
    return f"{number} \u2014 {report.responsibility.level(number).name}"


def summary_sentence(report: GapReport) -> str:
    """One sentence saying what stands between the recommended and the target level."""
    result = report.result
    recommended, target = result.recommended_level, result.target_level
    if target is None:
        if recommended is None:
            return "No level is reached and no target level is set."
        return (
            f"Level {recommended} is the highest level defined for {result.skill.name}"
            " in this version; there is no level above it to aim for."
        )
    if recommended is not None and target <= recommended:
        return f"The target level {target} is reached."
    target_level = result.level(target)
    assert target_level is not None
    short = _still_needed(target_level)
    below = len([g for g in result.gaps if g.level < target])
    text = (
        f"{len([g for g in result.gaps if g.level == target])} of {target_level.statements}"
        f" level-{target} statements still need to be demonstrated"
        f" ({short} more to reach level {target})"
    )
    if below:
        text += f", and {below} statement(s) of the levels in between"
    return text + "."


def _still_needed(level: LevelResult) -> int:
    return max(0, level.needed - level.demonstrated)


def build_report(result: Result, catalog: Catalog, generated_on: dt.date) -> GapReport:
    skill = catalog.skill(result.skill.code, result.skill.version)
    return GapReport(result, skill, catalog.responsibility(skill.sfia_version), generated_on)

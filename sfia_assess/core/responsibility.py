"""The person's generic level of responsibility, set beside the skill level (never scored)."""

from __future__ import annotations

from collections.abc import Mapping

from .assessment import GenericRating
from .result import Agreement, AttributeRated, GenericResponsibility

# The four generic attributes proper; the business skills count only when none of them is given.
CORE_ATTRIBUTES = ("AUTO", "INFL", "COMP", "KNGE")


def _lower_median(levels: list[int]) -> int:
    ordered = sorted(levels)
    return ordered[(len(ordered) - 1) // 2]


def generic_responsibility(
    rated: Mapping[str, GenericRating], skill_level: int | None
) -> GenericResponsibility | None:
    """None when the file has no `responsibility:` block.

    The generic level is the lower median of the four attributes' levels (of the business skills
    when none of the four is given): a cautious middle, so one high rating does not lift it.
    """
    if not rated:
        return None
    attributes = tuple(
        AttributeRated(code.upper(), item.level, tuple(item.evidence))
        for code, item in rated.items()
    )
    core = [a for a in attributes if a.code in CORE_ATTRIBUTES] or list(attributes)
    level = _lower_median([a.level for a in core])
    listed = ", ".join(f"{a.code} {a.level}" for a in core)
    if skill_level is None:
        agreement: Agreement = "no-skill-level"
        note = (
            "No skill level is reached, so there is nothing to set beside the generic level of"
            f" responsibility {level}."
        )
    elif skill_level == level:
        agreement = "same"
        note = (
            f"The recommended skill level {skill_level} matches the generic level of"
            f" responsibility {level}."
        )
    elif skill_level > level:
        agreement = "skill-above"
        below = ", ".join(a.code for a in core if a.level < skill_level)
        note = (
            f"The recommended skill level {skill_level} is above the generic level of"
            f" responsibility {level} ({listed}). That is unusual: a skill is normally exercised"
            " at or below the level of responsibility a person works at. Check the evidence for"
            f" the skill, and for {below}; the score is not changed."
        )
    else:
        agreement = "skill-below"
        note = (
            f"The generic level of responsibility {level} ({listed}) is above the recommended"
            f" skill level {skill_level}: the person works at a higher level of responsibility"
            " than this skill shows, which is common (each skill has its own level)."
        )
    return GenericResponsibility(level, attributes, skill_level, agreement, note)

"""The team's results as a spreadsheet: one row per person and skill, with the dates of its
workflow (assessed, submitted, signed off), the assessor and the agreed level. What the HR
downloads (CSV and XLSX) hold; pure, the store gives the dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .catalog import Catalog
from .pairing import Card
from .roster import Roster
from .team import Scorer

Kind = Literal["text", "number", "date", "percent"]
LEVELS = tuple(range(1, 8))

COLUMNS: tuple[tuple[str, Kind], ...] = (
    ("person", "text"),
    ("role", "text"),
    ("manager", "text"),
    ("skill", "text"),
    ("sfia_version", "number"),
    ("level", "number"),
    ("level_basis", "text"),
    ("self_level", "number"),
    ("agreed_level", "number"),
    ("assessor", "text"),
    ("assessed_on", "date"),
    ("submitted_on", "date"),
    ("signed_off_on", "date"),
    ("gaps", "number"),
    *((f"coverage_l{level}", "percent") for level in LEVELS),
)


@dataclass(frozen=True)
class Dated:
    """One person's latest self-assessment of a skill, the review that counts for it, and the
    dates the workflow gave it (None: not submitted, not signed off, or recorded from files)."""

    own: Card
    review: Card | None = None
    submitted_on: dt.date | None = None
    signed_off_on: dt.date | None = None


Cell = str | int | float | dt.date | None


def team_table(
    items: Sequence[Dated], team: Roster, catalog: Catalog, score: Scorer
) -> list[list[Cell]]:
    """One row per person and skill (in the order of COLUMNS), sorted by person then skill, each
    scored by `score` (agreed basis: the agreed level where a review counts, as on the
    dashboard). A level the skill does
    not define has no coverage (None), not 0%."""
    rows: list[tuple[tuple[str, str, int], list[Cell]]] = []
    for item in items:
        own = item.own
        person = score(own, item.review, LEVELS).person
        key = person.key
        defined = set(catalog.skill(own.skill, own.version).defined_levels)
        rows.append(
            (
                (person.name.casefold(), own.skill, own.version),
                [
                    person.name,
                    person.role or team.roles.get(key),
                    team.managers.get(key),
                    own.skill,
                    own.version,
                    person.recommended_level,
                    "agreed" if person.reviewed_by is not None else "self",
                    person.self_level,
                    person.agreed_level,
                    person.reviewed_by,
                    own.assessed_on,
                    item.submitted_on,
                    item.signed_off_on,
                    person.gaps,
                    *(
                        round(coverage, 4) if level in defined else None
                        for level, coverage in zip(LEVELS, person.coverage, strict=True)
                    ),
                ],
            )
        )
    return [row for _, row in sorted(rows, key=lambda pair: pair[0])]


def as_csv_cells(row: Sequence[Cell]) -> list[object]:
    """A row as CSV shows it: dates ISO 8601, coverage as a percentage ("85.7%"), empty for
    None (a spreadsheet opening the CSV reads the same values as the XLSX holds)."""
    out: list[object] = []
    for (_, kind), value in zip(COLUMNS, row, strict=True):
        if value is None:
            out.append("")
        elif kind == "percent" and isinstance(value, float):
            out.append(f"{value * 100:.1f}%")
        elif isinstance(value, dt.date):
            out.append(value.isoformat())
        else:
            out.append(value)
    return out

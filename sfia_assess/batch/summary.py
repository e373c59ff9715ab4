"""What became of each file of a batch (made, failed, not used...), and summary.csv."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.pairing import Card
from ..core.result import Result
from ..files.csvfile import csv_text


@dataclass(frozen=True)
class Row:
    """What summary.csv says about one file: only plain values, so the parent stays small."""

    person: str = ""
    role: str = ""
    skill: str = ""
    sfia_version: str = ""
    assessor: str = ""
    self_level: str = ""
    agreed_level: str = ""
    target_level: str = ""
    gaps: str = ""
    review: str = ""


@dataclass(frozen=True)
class Done:
    source: Path
    target: Path | None
    status: str  # made | failed | timed out | not made | not used
    row: Row
    error: str | None
    note: str = ""  # for summary.csv when there is no error


def _level(value: int | None) -> str:
    return "" if value is None else str(value)


def result_row(own: Result, agreed: Result | None, review_source: str) -> Row:
    """The summary row of a report made: the self-assessed level, and the agreed one when a
    review went with it."""
    final = agreed or own
    return Row(
        person=own.subject.name,
        role=own.subject.role or "",
        skill=own.skill.code,
        sfia_version=str(own.skill.version),
        assessor=f"{final.assessor.name} ({final.assessor.relation})",
        self_level=_level(own.recommended_level),
        agreed_level=_level(agreed.recommended_level) if agreed else "",
        target_level=_level(final.target_level),
        gaps=str(len(final.gaps)),
        review=review_source,
    )


def card_row(card: Card) -> Row:
    """The summary's row for a file whose report has no result to show."""
    return Row(
        person=card.name,
        role=card.role,
        skill=card.skill,
        sfia_version=str(card.version),
        assessor=f"{card.assessor} ({card.relation})",
    )


SUMMARY_COLUMNS = (
    "person",
    "role",
    "skill",
    "sfia_version",
    "assessor",
    "recommended_level",
    "agreed_level",
    "target_level",
    "gaps",
    "status",
    "file",
    "source",
    "review",
    "error",
)


def summary_csv(done: list[Done]) -> str:
    """One row per file: `recommended_level` is the self-assessment's, `agreed_level` the
    review's (when the folder holds one); `status` says whether the report was made."""
    rows = []
    for item in done:
        r = item.row
        rows.append(
            [
                r.person,
                r.role,
                r.skill,
                r.sfia_version,
                r.assessor,
                r.self_level,
                r.agreed_level,
                r.target_level,
                r.gaps,
                item.status,
                item.target.name if item.target else "",
                str(item.source),
                r.review,
                item.error.splitlines()[0] if item.error else item.note,
            ]
        )
    return csv_text(SUMMARY_COLUMNS, rows)

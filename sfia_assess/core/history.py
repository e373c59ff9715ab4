"""A person's history as the record holds it: plain data the store fills and views lay out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """One entry of an assessment's workflow trail."""

    kind: str
    actor: str
    at: dt.datetime
    recipient: str | None
    note: str | None


@dataclass(frozen=True)
class HistoryRow:
    skill: str
    sfia_version: int
    assessed_on: dt.date
    version: int
    latest: bool  # False: a later version of the same assessment was recorded
    assessor: str
    relation: str
    role: str | None
    recommended_level: int | None
    target_level: int | None
    agreed_level: int | None
    reviewed_by: str | None
    reviewed_on: dt.date | None
    status: str
    source_name: str
    sha256: str
    recorded_at: dt.datetime
    trail: tuple[Step, ...]


@dataclass(frozen=True)
class History:
    person: str
    role: str | None  # as of the latest assessment
    manager: str | None  # where known: who last reviewed, or was last submitted to
    rows: tuple[HistoryRow, ...]

    @property
    def current(self) -> tuple[HistoryRow, ...]:
        """The latest version of each assessment: what a chart of the level over time shows."""
        return tuple(r for r in self.rows if r.latest)

"""The team as HR looks at it: who is in it (filtered by role and manager), and how its levels
moved quarter by quarter (its spreadsheet rows are `team_table`'s). Pure functions over the
cards of checked files (as `store.teams.cards_as_of` gives them); the scoring is
`team.team_of_cards`'s."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from .identity import person_key
from .pairing import Card
from .team import TeamView


@dataclass(frozen=True)
class Filters:
    """What the HR pages narrow the team to (empty: everyone)."""

    role: str = ""
    manager: str = ""

    @classmethod
    def of(cls, role: str | None, manager: str | None) -> Filters:
        return cls(" ".join((role or "").split()), " ".join((manager or "").split()))

    @property
    def active(self) -> bool:
        return bool(self.role or self.manager)


@dataclass(frozen=True)
class Roster:
    """Each person's role (from their latest self-assessment) and manager (their account's
    manager, else whoever reviewed them), by person key."""

    roles: dict[str, str]
    managers: dict[str, str]

    @property
    def role_choices(self) -> list[str]:
        return sorted(set(self.roles.values()), key=str.casefold)

    @property
    def manager_choices(self) -> list[str]:
        return sorted(set(self.managers.values()), key=str.casefold)


def roster_of_cards(cards: list[Card], account_managers: dict[str, str]) -> Roster:
    """The roster from the cards of checked files: roles from self-assessments, managers from
    reviews and (first) from the accounts."""
    roles: dict[str, str] = {}
    managers: dict[str, str] = {}
    for card in cards:
        key = card.key
        if card.relation == "manager":
            managers[key] = card.assessor
        elif card.role:
            roles[key] = card.role
    managers.update(account_managers)
    return Roster(roles, managers)


def spelled_as_known(filters: Filters, team: Roster) -> Filters:
    """The filters with each value spelled as the roster spells it ("daniel okafor" -> "Daniel
    Okafor"), so that the page says whom it shows as the store names them."""

    def known(value: str, choices: list[str]) -> str:
        return next((c for c in choices if person_key(c) == person_key(value)), value)

    return Filters(
        known(filters.role, team.role_choices), known(filters.manager, team.manager_choices)
    )


def keeps(filters: Filters, team: Roster, key: str) -> bool:
    """Whether the filters keep the person whose key (core.identity) is `key`."""
    if filters.role and person_key(team.roles.get(key, "")) != person_key(filters.role):
        return False
    return not filters.manager or person_key(team.managers.get(key, "")) == person_key(
        filters.manager
    )


def mixed_versions(view: TeamView) -> list[str]:
    """The people assessed in another SFIA version than the view's, with theirs."""
    return [
        f"{p.name} (SFIA {p.sfia_version})"
        for p in view.people
        if p.sfia_version != view.skill.sfia_version
    ]


# Progress over time


@dataclass(frozen=True)
class Quarter:
    label: str  # "2026 Q3"
    end: dt.date


def quarters(first: dt.date, last: dt.date) -> list[Quarter]:
    """Every calendar quarter from the one holding `first` to the one holding `last`."""
    out = []
    year, quarter = first.year, (first.month - 1) // 3 + 1
    while (year, quarter) <= (last.year, (last.month - 1) // 3 + 1):
        month = quarter * 3
        end = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        out.append(Quarter(f"{year} Q{quarter}", end))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return out


@dataclass(frozen=True)
class Cell:
    """One person's level at the end of one quarter."""

    level: int | None
    agreed: bool  # False: self-assessed (no review by then)
    sfia_version: int


@dataclass(frozen=True)
class Progress:
    quarters: tuple[Quarter, ...]
    title: str  # the skill the view is of, "Incident management (USUP), SFIA 9"
    sfia_version: int  # the version most people were assessed in at the last quarter's end
    levels: tuple[int, ...]
    people: tuple[tuple[str, tuple[Cell | None, ...]], ...]
    counts: tuple[dict[int, int], ...]  # per quarter: level -> people at it
    unlevelled: tuple[int, ...]  # per quarter: people with no level yet
    mixed: tuple[str, ...]  # "Jordan Park (SFIA 8)": assessed in another version

    @property
    def most(self) -> int:
        """The most people any quarter's bar holds, those with no level yet included."""
        pairs = zip(self.counts, self.unlevelled, strict=True)
        totals = (sum(c.values()) + none for c, none in pairs)
        return max(totals, default=0) or 1

    @property
    def ticks(self) -> tuple[int, ...]:
        """The chart's axis: 0 up to a round number at or above `most`, in 1-2-5 steps."""
        return axis_ticks(self.most)


def axis_ticks(most: int, at_most: int = 6) -> tuple[int, ...]:
    """0, then evenly spaced round numbers (steps of 1, 2 or 5 times a power of ten), the last
    at or above `most`, and no more than `at_most` steps: 4 -> 0..4, 5 -> 0..5, 124 -> 0..150."""
    scale = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * scale
            steps = -(-most // step)  # ceiling
            if steps <= at_most:
                return tuple(step * n for n in range(steps + 1))
        scale *= 10


def progress_of_views(
    quarters_shown: list[Quarter], views: list[TeamView | None]
) -> Progress | None:
    """The progress table and chart from the team view at each quarter's end (None: nobody
    assessed by then); None when nobody was assessed by the last quarter's end."""
    last = next((v for v in reversed(views) if v is not None), None)
    if last is None:
        return None
    names: dict[str, str] = {}
    cells: dict[str, list[Cell | None]] = {}
    counts: list[dict[int, int]] = []
    unlevelled: list[int] = []
    mixed: set[str] = set()
    for index, view in enumerate(views):
        levels: Counter[int] = Counter()
        none = 0
        for person in view.people if view is not None else ():
            key = person.key
            names[key] = person.name
            row = cells.setdefault(key, [None] * len(views))
            row[index] = Cell(
                person.recommended_level, person.reviewed_by is not None, person.sfia_version
            )
            if person.sfia_version != last.skill.sfia_version:
                mixed.add(f"{person.name} (SFIA {person.sfia_version})")
            if person.recommended_level is None:
                none += 1
            else:
                levels[person.recommended_level] += 1
        counts.append(dict(levels))
        unlevelled.append(none)
    skill = last.skill
    order = sorted(names, key=lambda k: names[k].casefold())
    return Progress(
        quarters=tuple(quarters_shown),
        title=f"{skill.name} ({skill.code}), SFIA {skill.sfia_version}",
        sfia_version=skill.sfia_version,
        levels=last.levels,
        people=tuple((names[k], tuple(cells[k])) for k in order),
        counts=tuple(counts),
        unlevelled=tuple(unlevelled),
        mixed=tuple(sorted(mixed)),
    )

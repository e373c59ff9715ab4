"""What the HR pages need from the store beyond the assessments: who manages whom (from the
accounts), the dates the recorded assessments span, and the dates of each one's workflow."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..core.assessment import LoadedAssessment
from ..core.catalog import Catalog
from ..core.pairing import Card
from ..core.policy import Policy
from ..core.team import Basis, Scored, Scorer, scored
from ..core.team_table import Dated
from .models import Account, AssessmentRecord, Event, Person


def account_managers(session: Session) -> dict[str, str]:
    """Person key -> their manager's name, for every account that names a manager."""
    accounts = session.execute(select(Account.key, Account.name, Account.manager_key)).all()
    names = {key: name for key, name, _ in accounts}
    return {key: names.get(manager, manager) for key, _, manager in accounts if manager}


def dated_span(session: Session) -> tuple[dt.date, dt.date] | None:
    """The first and last assessment dates recorded (None: nothing recorded)."""
    first, last = session.execute(
        select(func.min(AssessmentRecord.assessed_on), func.max(AssessmentRecord.assessed_on))
    ).one()
    return (first, last) if first is not None and last is not None else None


def team_dated(session: Session) -> list[Dated]:
    """Everyone's latest self-assessment of each skill (as a card) with the review that counts
    for it and the dates its workflow gave it: submitted (the last submission) and signed off."""
    from .workflow import SIGNED_OFF, SUBMITTED

    cards = cards_as_of(session)
    own_ids = [c.record for c in cards if c.relation == "self" and c.record is not None]
    last: dict[tuple[int, str], dt.date] = {}
    for start in range(0, len(own_ids), _CHUNK):
        steps = session.execute(
            select(Event.assessment_id, Event.kind, Event.at)
            .where(
                Event.assessment_id.in_(own_ids[start : start + _CHUNK]),
                Event.kind.in_((SUBMITTED, SIGNED_OFF)),
            )
            .order_by(Event.id)
        )
        for assessment_id, kind, at in steps:
            last[(assessment_id, kind)] = at.date()
    out: list[Dated] = []
    for card in cards:
        if card.relation == "self" and card.record is not None:
            out.append(
                Dated(
                    card,
                    submitted_on=last.get((card.record, SUBMITTED)),
                    signed_off_on=last.get((card.record, SIGNED_OFF)),
                )
            )
        elif out:  # a review follows the self-assessment it is paired with
            out[-1] = replace(out[-1], review=card)
    return out


def cards_as_of(session: Session, as_of: dt.date | None = None) -> list[Card]:
    """What `assessments_as_of` gives, as cards: a few words per file read from the store's
    columns (nothing parsed), each with its record id; a review follows its self-assessment."""
    from .loading import chosen_as_of

    chosen, review_of = chosen_as_of(session, as_of)
    wanted = [*chosen, *review_of.values()]
    cards: dict[int, Card] = {}
    for start in range(0, len(wanted), _CHUNK):
        rows = session.execute(
            select(
                AssessmentRecord.id,
                Person.name,
                Person.login,
                AssessmentRecord.role,
                AssessmentRecord.skill,
                AssessmentRecord.sfia_version,
                AssessmentRecord.assessor_name,
                AssessmentRecord.relation,
                AssessmentRecord.assessed_on,
                AssessmentRecord.source_name,
            )
            .join(Person, Person.id == AssessmentRecord.person_id)
            .where(AssessmentRecord.id.in_(wanted[start : start + _CHUNK]))
        )
        for row in rows:
            cards[row.id] = Card(
                source=row.source_name,
                name=row.name,
                role=row.role or "",
                skill=row.skill,
                version=row.sfia_version,
                assessor=row.assessor_name,
                relation=row.relation,
                assessed_on=row.assessed_on,
                record=row.id,
                id=row.login,
            )
    out: list[Card] = []
    for own in chosen:
        out.append(cards[own])
        if own in review_of:
            out.append(cards[review_of[own]])
    return out


_CHUNK = 500  # ids per IN (...) list: well under every backend's limit on bound parameters


EVERY_LEVEL = tuple(range(1, 8))


def at_levels(found: Scored, levels: tuple[int, ...]) -> Scored:
    """A score kept at every level, shown at `levels` (a page's skill defines some of them)."""
    if levels == EVERY_LEVEL:
        return found
    person = found.person
    return Scored(
        replace(
            person,
            coverage=tuple(person.coverage[n - 1] for n in levels),
            reached=tuple(person.reached[n - 1] for n in levels),
        ),
        found.gaps,
    )


class KeptScores:
    """Each recorded person's team-view score, kept between requests: a record never changes,
    so a score made once holds until the process ends (kept at every level, so that the
    dashboard, progress and downloads share it). A server scores only what was recorded
    since it last looked (a cold start scores everyone once). Bounded: the least recently used
    are let go past `limit`. Safe to share between threads."""

    def __init__(self, catalog: Catalog, policy: Policy, limit: int = 100_000) -> None:
        self.catalog = catalog
        self.policy = policy
        self.limit = limit
        self._kept: OrderedDict[tuple[object, ...], Scored] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """How many scores are kept."""
        return len(self._kept)

    def scorer(self, session: Session, cards: list[Card], basis: Basis) -> Scorer:
        """A Scorer for these cards (from `cards_as_of`): kept scores first; the records of
        the others are read from the store in a few queries, on the first one missing."""
        loaded: dict[int, LoadedAssessment] = {}

        def key(own: Card, review: Card | None) -> tuple[object, ...]:
            return (own.record, review.record if review else None, basis)

        def read_missing() -> None:
            from .loading import loaded_from_record

            missing = {c.record for c in cards if c.record is not None and c.record not in loaded}
            for start in range(0, len(missing), _CHUNK):
                chunk = sorted(missing)[start : start + _CHUNK]
                for row in session.scalars(
                    select(AssessmentRecord)
                    .options(selectinload(AssessmentRecord.person))
                    .where(AssessmentRecord.id.in_(chunk))
                ):
                    loaded[row.id] = loaded_from_record(row, self.catalog)

        def score(own: Card, review: Card | None, levels: tuple[int, ...]) -> Scored:
            wanted = key(own, review)
            with self._lock:
                found = self._kept.get(wanted)
                if found is not None:
                    self._kept.move_to_end(wanted)
            if found is None:
                if own.record not in loaded:
                    read_missing()
                assert own.record is not None
                manager = loaded[review.record] if review is not None and review.record else None
                own_file = loaded[own.record]
                found = scored(own_file, manager, self.policy, self.catalog, basis, EVERY_LEVEL)
                with self._lock:
                    self._kept[wanted] = found
                    while len(self._kept) > self.limit:
                        self._kept.popitem(last=False)
            return at_levels(found, levels)

        return score

"""What the HR pages need from the store beyond the assessments: who manages whom (from the
accounts), the dates the recorded assessments span, and the dates of each one's workflow."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, selectinload

from ..core.assessment import LoadedAssessment
from ..core.catalog import Catalog
from ..core.pairing import Card
from ..core.policy import Policy
from ..core.team import Basis, Scored, Scorer, scored
from ..core.team_table import Dated
from .models import Account, AssessmentRecord, Event, Person, Review


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
    columns (nothing parsed), each with its record id; a review follows its self-assessment.
    One query: the latest per person and the review that counts are chosen in the database
    (reading every self-assessment's columns to choose in Python took 0.9 s of the HR
    dashboard's 1.2-1.6 s at 5,000 people and 20,000 assessments on PostgreSQL)."""
    from .loading import counting_reviews, latest_selves

    selves = latest_selves(as_of)
    reviews = counting_reviews(as_of)
    own, theirs = aliased(AssessmentRecord), aliased(AssessmentRecord)
    rows = session.execute(
        select(
            Person.id.label("person"),
            Person.name,
            Person.login,
            own.id,
            own.role,
            own.skill,
            own.sfia_version,
            own.assessor_name,
            own.relation,
            own.assessed_on,
            own.source_name,
        )
        .select_from(selves)
        .join(own, own.id == selves.c.id)
        .join(Person, Person.id == selves.c.person_id)
        .order_by(selves.c.assessed_on, selves.c.id)
    ).all()
    review_of = {
        row.self_id: row
        for row in session.execute(
            select(
                reviews.c.self_id,
                theirs.id,
                theirs.assessor_name,
                theirs.relation,
                theirs.role,
                theirs.assessed_on,
                theirs.source_name,
            ).join(theirs, theirs.id == reviews.c.manager_id)
        )
    }
    out: list[Card] = []
    for row in rows:
        out.append(
            Card(
                source=row.source_name,
                name=row.name,
                role=row.role or "",
                skill=row.skill,
                version=row.sfia_version,
                assessor=row.assessor_name,
                relation=row.relation,
                assessed_on=row.assessed_on,
                record=row.id,
                person=row.person,
                id=row.login,
            )
        )
        review = review_of.get(row.id)
        if review is not None:
            out.append(
                Card(
                    source=review.source_name,
                    name=row.name,
                    role=review.role or "",
                    skill=row.skill,
                    version=row.sfia_version,
                    assessor=review.assessor_name,
                    relation=review.relation,
                    assessed_on=review.assessed_on,
                    record=review.id,
                    person=row.person,
                    id=row.login,
                )
            )
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


def store_mark(session: Session) -> tuple[int, ...]:
    """What moves whenever an assessment or a review is recorded (rows are only ever added):
    what the HR pages keep between requests is kept under it, and made again when it moves."""
    mark = session.execute(
        select(
            select(func.count(AssessmentRecord.id)).scalar_subquery(),
            select(func.max(AssessmentRecord.id)).scalar_subquery(),
            select(func.count(Review.id)).scalar_subquery(),
            select(func.max(Review.id)).scalar_subquery(),
        )
    ).one()
    return tuple(int(value or 0) for value in mark)


MADE_LIMIT = 64
T = TypeVar("T")


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
        self._made: OrderedDict[tuple[object, ...], object] = OrderedDict()
        self._making: dict[tuple[object, ...], threading.Event] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """How many scores are kept."""
        return len(self._kept)

    def kept(self, key: tuple[object, ...], make: Callable[[], T]) -> T:
        """What `make` makes, kept under `key` (which holds a `store_mark`, so that anything
        recorded since makes it again): the cards of the latest assessments and the team views
        made of them, which cost the HR pages most of their time at 5,000 people. At most
        MADE_LIMIT are kept, the least recently used let go first. While one thread makes it
        (the warm-up after start, or HR's first request), another asking for the same key waits
        for that one instead of making it a second time beside it."""
        while True:
            with self._lock:
                if key in self._made:
                    self._made.move_to_end(key)
                    return cast(T, self._made[key])
                making = self._making.get(key)
                if making is None:
                    making = self._making[key] = threading.Event()
                    break
            making.wait()  # made by then, or failed: then this thread tries itself
        try:
            found = make()
            with self._lock:
                self._made[key] = found
                while len(self._made) > MADE_LIMIT:
                    self._made.popitem(last=False)
            return found
        finally:
            with self._lock:
                del self._making[key]
            making.set()

    def cards(
        self, session: Session, mark: tuple[int, ...], as_of: dt.date | None = None
    ) -> list[Card]:
        """`cards_as_of`, kept under the store's `mark`."""
        return self.kept(("cards", mark, as_of), lambda: cards_as_of(session, as_of))

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

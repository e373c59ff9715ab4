"""What the career mapping pages read from the store: everyone's latest level in the skills the
roles need (from the team view's kept scores, so that thousands of people cost a few queries),
and the records of the few people a page shows in full."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.assessment import LoadedAssessment
from ..core.career import PersonLevels, SkillLevel
from ..core.catalog import Catalog
from ..core.latest import latest, order
from ..core.pairing import Card
from .models import Account, AssessmentRecord, Person, Review
from .teams import EVERY_LEVEL, KeptScores

_CHUNK = 500  # ids per IN (...) list, as store/teams.py
FITS_KEPT = 20_000  # one person against one role, with its statements: a few KB each


@dataclass(frozen=True)
class _Own:
    card: Card
    person: str  # people.key


def _self_cards(
    session: Session, codes: Collection[str] | None, person: str | None
) -> dict[int, _Own]:
    """Each person's latest self-assessment per skill and SFIA version (as `chosen_as_of`
    chooses), of the skills in `codes` (None: every skill), of one person or everyone."""
    query = (
        select(
            AssessmentRecord.id,
            AssessmentRecord.person_id,
            Person.key,
            Person.name,
            AssessmentRecord.role,
            AssessmentRecord.skill,
            AssessmentRecord.sfia_version,
            AssessmentRecord.assessor_name,
            AssessmentRecord.relation,
            AssessmentRecord.assessed_on,
            AssessmentRecord.version,
            AssessmentRecord.source_name,
        )
        .join(Person, Person.id == AssessmentRecord.person_id)
        .where(AssessmentRecord.relation == "self")
    )
    if codes is not None:
        query = query.where(AssessmentRecord.skill.in_(sorted(codes)))
    if person is not None:
        query = query.where(Person.key == person)
    kept = latest(
        session.execute(query),
        key=lambda row: (row.person_id, row.skill, row.sfia_version),
        when=lambda row: order(row.assessed_on, row.sfia_version, row.version),
    ).kept.values()
    return {
        row.id: _Own(
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
            ),
            row.key,
        )
        for row in kept
    }


def _review_cards(session: Session, own_ids: Sequence[int]) -> dict[int, Card]:
    """For each self-assessment, the card of the review that counts (the latest)."""
    found: dict[int, Card] = {}
    ids = sorted(own_ids)
    for start in range(0, len(ids), _CHUNK):
        rows = session.execute(
            select(
                Review.self_id,
                AssessmentRecord.id,
                AssessmentRecord.source_name,
                AssessmentRecord.role,
                AssessmentRecord.skill,
                AssessmentRecord.sfia_version,
                AssessmentRecord.assessor_name,
                AssessmentRecord.relation,
                AssessmentRecord.assessed_on,
                Person.name,
            )
            .join(AssessmentRecord, AssessmentRecord.id == Review.manager_id)
            .join(Person, Person.id == AssessmentRecord.person_id)
            .where(Review.self_id.in_(ids[start : start + _CHUNK]))
            .order_by(AssessmentRecord.assessed_on, Review.id)
        )
        for row in rows:
            found[row.self_id] = Card(  # the latest review counts
                source=row.source_name,
                name=row.name,
                role=row.role or "",
                skill=row.skill,
                version=row.sfia_version,
                assessor=row.assessor_name,
                relation=row.relation,
                assessed_on=row.assessed_on,
                record=row.id,
            )
    return found


def managers_by_person(session: Session) -> dict[str, str | None]:
    """Each account's key and its manager's key."""
    return {
        str(key): manager
        for key, manager in session.execute(select(Account.key, Account.manager_key))
    }


def manager_names(session: Session) -> dict[str, str]:
    """The accounts that manage someone: key -> name, by name."""
    managing = select(Account.manager_key).where(Account.manager_key.is_not(None))
    rows = session.execute(
        select(Account.key, Account.name).where(Account.key.in_(managing)).order_by(Account.name)
    )
    return {str(key): str(name) for key, name in rows}


def people_levels(
    session: Session,
    kept: KeptScores,
    codes: Collection[str] | None = None,
    person: str | None = None,
) -> list[PersonLevels]:
    """Everyone's (or one person's) latest level in each skill of `codes` (None: every skill):
    agreed where a manager's review counts, else their own, with the coverage of each level."""
    own = _self_cards(session, codes, person)
    reviews = _review_cards(session, list(own))
    cards: list[Card] = []
    for record, item in own.items():
        cards.append(item.card)
        if record in reviews:
            cards.append(reviews[record])
    score = kept.scorer(session, cards, "agreed")
    skills: dict[str, dict[str, SkillLevel]] = {}
    names: dict[str, tuple[str, str, dt.date]] = {}
    for record, item in own.items():
        review = reviews.get(record)
        shown = score(item.card, review, EVERY_LEVEL).person
        mine = skills.setdefault(item.person, {})
        earlier = mine.get(item.card.skill)
        # Two SFIA versions of one skill: the newer version is the one the roles use, mostly.
        if earlier is None or earlier.version < item.card.version:
            mine[item.card.skill] = SkillLevel(
                item.card.skill,
                item.card.version,
                shown.recommended_level,
                shown.coverage,
                review.assessor if review is not None else None,
                record,
                review.record if review is not None else None,
            )
        named = names.get(item.person)
        if named is None or named[2] <= item.card.assessed_on:
            names[item.person] = (item.card.name, item.card.role, item.card.assessed_on)
    return [PersonLevels(key, names[key][0], names[key][1], mine) for key, mine in skills.items()]


def person_name(session: Session, key: str) -> str | None:
    """A person's name, from their records or else their account."""
    found = session.execute(select(Person.name).where(Person.key == key)).scalar_one_or_none()
    if found is None:
        found = session.execute(select(Account.name).where(Account.key == key)).scalar_one_or_none()
    return found


def loaded_records(
    session: Session, catalog: Catalog, ids: Collection[int]
) -> dict[int, LoadedAssessment]:
    """The checked assessments of these records (a page's few people, read in full)."""
    from .loading import loaded_from_record

    out: dict[int, LoadedAssessment] = {}
    chosen = sorted(ids)
    for start in range(0, len(chosen), _CHUNK):
        for row in session.scalars(
            select(AssessmentRecord).where(AssessmentRecord.id.in_(chosen[start : start + _CHUNK]))
        ):
            out[row.id] = loaded_from_record(row, catalog)
    return out


def _stamp(session: Session) -> tuple[int, int, int, int]:
    """What the levels depend on: records and reviews are only ever added, so their newest id
    and count change whenever anything the levels were read from does."""
    records = session.execute(select(func.max(AssessmentRecord.id), func.count())).one()
    reviews = session.execute(select(func.max(Review.id), func.count()).select_from(Review)).one()
    return (records[0] or 0, records[1], reviews[0] or 0, reviews[1])


class KeptLevels:
    """`people_levels` kept between requests, per set of skills, until a record or a review is
    added (two cheap queries tell): "who is ready" for 5,000 people then reads only what it
    shows in full. Bounded (the least recently used set of skills goes first); thread-safe."""

    def __init__(self, kept: KeptScores, limit: int = 64) -> None:
        self.kept = kept
        self.limit = limit
        self._levels: OrderedDict[frozenset[str], tuple[object, list[PersonLevels]]] = OrderedDict()
        self._fits: OrderedDict[tuple[object, ...], object] = OrderedDict()
        self._lock = threading.Lock()

    def kept_fit(self, key: tuple[object, ...]) -> object | None:
        """A fit kept under `key` (its records' ids and the role's text: records never
        change, so neither does the fit), or None."""
        with self._lock:
            found = self._fits.get(key)
            if found is not None:
                self._fits.move_to_end(key)
            return found

    def keep_fit(self, key: tuple[object, ...], fit: object) -> None:
        with self._lock:
            self._fits[key] = fit
            while len(self._fits) > FITS_KEPT:
                self._fits.popitem(last=False)

    def levels(self, session: Session, codes: Collection[str]) -> list[PersonLevels]:
        wanted = frozenset(codes)
        stamp = _stamp(session)
        with self._lock:
            found = self._levels.get(wanted)
            if found is not None and found[0] == stamp:
                self._levels.move_to_end(wanted)
                return found[1]
        fresh = people_levels(session, self.kept, wanted)
        with self._lock:
            self._levels[wanted] = (stamp, fresh)
            self._levels.move_to_end(wanted)
            while len(self._levels) > self.limit:
                self._levels.popitem(last=False)
        return fresh

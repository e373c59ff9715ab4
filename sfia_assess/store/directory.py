"""The people HR looks for: everyone recorded, with their id, role, manager and each skill's
latest level (self and agreed, as recorded), found by name, id, role, manager or skill; and
one person's page of record (history, reviews with comments, attachments)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ..core.history import History
from ..core.identity import person_key
from .history import history_of
from .models import Account, AssessmentRecord, Attachment, Person, Review, ScoredResult


@dataclass(frozen=True)
class SkillLevel:
    """One skill's latest self-assessment: its level, and the agreed one when reviewed."""

    skill: str
    sfia_version: int
    self_level: int | None
    agreed_level: int | None
    reviewed_by: str | None
    assessed_on: dt.date
    record: int  # the self-assessment's id
    review: int | None  # the review's id

    @property
    def level(self) -> int | None:
        """The level that counts: agreed when reviewed, else the person's own."""
        return self.agreed_level if self.review is not None else self.self_level


@dataclass(frozen=True)
class Entry:
    """One person in the directory (what does not change unless something is recorded)."""

    id: int
    name: str
    key: str
    login: str | None
    role: str  # from their latest self-assessment
    reviewer: str | None  # who last reviewed them
    skills: tuple[SkillLevel, ...]


@dataclass(frozen=True)
class Found:
    """One person as a list shows them: the entry, and their manager (from the accounts)."""

    entry: Entry
    manager: str

    @property
    def login(self) -> str:
        return self.entry.login or ""


@dataclass(frozen=True)
class Search:
    """What the people list is narrowed to (empty: everyone)."""

    text: str = ""  # a name or an id
    role: str = ""
    manager: str = ""
    skill: str = ""
    level: int | None = None  # the level that counts, in `skill` (or any skill)

    @property
    def active(self) -> bool:
        return bool(self.text or self.role or self.manager or self.skill or self.level)


def directory(session: Session) -> list[Entry]:
    """Everyone recorded, with each skill's latest self-assessment and the review that counts
    for it, in three queries (the latest chosen in the database)."""
    from .loading import counting_reviews, latest_selves

    selves = latest_selves()
    reviews = counting_reviews()
    manager = aliased(AssessmentRecord)
    people = session.execute(select(Person.id, Person.name, Person.key, Person.login)).all()
    own = session.execute(
        select(
            AssessmentRecord.id,
            AssessmentRecord.person_id,
            AssessmentRecord.skill,
            AssessmentRecord.sfia_version,
            AssessmentRecord.role,
            AssessmentRecord.assessed_on,
            ScoredResult.recommended_level,
        )
        .select_from(selves)
        .join(AssessmentRecord, AssessmentRecord.id == selves.c.id)
        .outerjoin(ScoredResult, ScoredResult.assessment_id == AssessmentRecord.id)
        .order_by(AssessmentRecord.assessed_on, AssessmentRecord.id)
    ).all()
    agreed = {
        row.self_id: row
        for row in session.execute(
            select(
                reviews.c.self_id,
                reviews.c.manager_id,
                Review.agreed_level,
                manager.assessor_name,
            )
            .join(
                Review,
                (Review.self_id == reviews.c.self_id) & (Review.manager_id == reviews.c.manager_id),
            )
            .join(manager, manager.id == reviews.c.manager_id)
        )
    }
    skills: dict[int, list[SkillLevel]] = {}
    roles: dict[int, str] = {}
    reviewers: dict[int, str] = {}
    for row in own:  # oldest first: the last role and reviewer seen are the latest
        review = agreed.get(row.id)
        skills.setdefault(row.person_id, []).append(
            SkillLevel(
                row.skill,
                row.sfia_version,
                row.recommended_level,
                review.agreed_level if review else None,
                review.assessor_name if review else None,
                row.assessed_on,
                row.id,
                review.manager_id if review else None,
            )
        )
        if row.role:
            roles[row.person_id] = row.role
        if review is not None:
            reviewers[row.person_id] = review.assessor_name
    entries = [
        Entry(
            id=person_id,
            name=name,
            key=key,
            login=login,
            role=roles.get(person_id, ""),
            reviewer=reviewers.get(person_id),
            skills=tuple(sorted(skills.get(person_id, ()), key=lambda s: s.skill)),
        )
        for person_id, name, key, login in people
    ]
    return sorted(entries, key=lambda e: (e.name.casefold(), e.id))


def managers_by_person(session: Session) -> dict[str, str]:
    """Person key -> their manager's name, from the accounts (read on every request: a
    reporting line changes without anything being recorded)."""
    accounts = session.execute(select(Account.key, Account.name, Account.manager_key)).all()
    names = {key: name for key, name, _ in accounts}
    return {key: names.get(manager, manager) for key, _, manager in accounts if manager}


def search(
    entries: list[Entry],
    managers: dict[str, str],
    wanted: Search,
    visible: set[str] | None = None,
) -> list[Found]:
    """The people `wanted` describes, among those `visible` (None: everyone), by name."""
    text, role, boss = person_key(wanted.text), person_key(wanted.role), person_key(wanted.manager)
    code = wanted.skill.strip().upper()
    out = []
    for entry in entries:
        if visible is not None and entry.key not in visible:
            continue
        manager = managers.get(entry.key) or entry.reviewer or ""
        if text and not (
            text in person_key(entry.name)
            or text in person_key(entry.login or "")
            or text == entry.key
        ):
            continue
        if role and role not in person_key(entry.role):
            continue
        if boss and boss not in person_key(manager):
            continue
        held = [s for s in entry.skills if not code or s.skill == code]
        if code and not held:
            continue
        if wanted.level is not None and not any(s.level == wanted.level for s in held):
            continue
        out.append(Found(entry, manager))
    return out


@dataclass(frozen=True)
class Attached:
    """An evidence attachment, as a link on a person's page."""

    id: int
    assessment_id: int
    evidence_id: str
    file_name: str
    media_type: str
    size: int
    source_name: str


@dataclass(frozen=True)
class ReviewNote:
    """A manager's review of one self-assessment: levels, and the comments per statement."""

    self_id: int
    skill: str
    sfia_version: int
    assessed_on: dt.date
    reviewer: str
    reviewed_on: dt.date
    self_level: int | None
    manager_level: int | None
    agreed_level: int | None
    comments: tuple[tuple[str, str, str, str], ...]  # (statement, self, manager, comment)


@dataclass(frozen=True)
class PersonRecord:
    """Everything a person's page shows from the store."""

    id: int
    name: str
    key: str
    login: str | None
    history: History
    reviews: tuple[ReviewNote, ...]
    attachments: tuple[Attached, ...]
    assessment_ids: tuple[tuple[str, int], ...]  # (sha256, id) of each recorded file


def person_record(session: Session, person_id: int) -> PersonRecord | None:
    """One person's record (None: no such person)."""
    person = session.get(Person, person_id)
    if person is None:
        return None
    history = history_of(session, person)
    records = {
        row.id: row
        for row in session.scalars(
            select(AssessmentRecord).where(AssessmentRecord.person_id == person_id)
        )
    }
    notes = []
    for found in session.scalars(
        select(Review).where(Review.self_id.in_(list(records))).order_by(Review.id)
    ):
        own, theirs = records.get(found.self_id), records.get(found.manager_id)
        if own is None or theirs is None:
            continue
        mine, ratings = own.parsed.get("ratings", {}), theirs.parsed.get("ratings", {})
        comments = theirs.parsed.get("comments", {})
        rows = tuple(
            (
                sid,
                str(mine.get(sid, "not rated")),
                str(ratings.get(sid, "")),
                str(comments.get(sid, "")),
            )
            for sid in sorted({**ratings, **comments})
        )
        notes.append(
            ReviewNote(
                own.id,
                own.skill,
                own.sfia_version,
                own.assessed_on,
                theirs.assessor_name,
                theirs.assessed_on,
                found.self_level,
                found.manager_level,
                found.agreed_level,
                rows,
            )
        )
    attached = session.execute(
        select(
            Attachment.id,
            Attachment.assessment_id,
            Attachment.evidence_id,
            Attachment.file_name,
            Attachment.media_type,
            Attachment.size,
        )
        .where(Attachment.assessment_id.in_(list(records)))
        .order_by(Attachment.assessment_id, Attachment.evidence_id, Attachment.id)
    ).all()
    return PersonRecord(
        person.id,
        person.name,
        person.key,
        person.login,
        history,
        tuple(sorted(notes, key=lambda n: (n.assessed_on, n.self_id), reverse=True)),
        tuple(
            Attached(*row, source_name=records[row.assessment_id].source_name) for row in attached
        ),
        tuple((row.sha256, row.id) for row in records.values()),
    )


def person_owner(session: Session, person_id: int) -> tuple[str, str | None] | None:
    """A person's key and their manager's account key (None: no such person)."""
    key = session.execute(select(Person.key).where(Person.id == person_id)).scalar_one_or_none()
    if key is None:
        return None
    manager = session.execute(
        select(Account.manager_key).where(Account.key == key)
    ).scalar_one_or_none()
    return key, manager

"""A person's own self-assessments, every version, with where each stands: who it was sent to,
what came back (the agreed level, the manager's comments, a return with its reason), and the
files kept for its evidence. The practitioner's own page reads this."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ..core.history import Step
from .history import aware
from .models import AssessmentRecord, Attachment, Event, Person, Review, ScoredResult


@dataclass(frozen=True)
class Comment:
    """What the manager recorded on one statement: their rating (or none) and their words."""

    statement: str
    own_rating: str
    manager_rating: str
    text: str


@dataclass(frozen=True)
class KeptFile:
    """A file kept for one evidence item (the bytes stay in the store)."""

    attachment_id: int
    evidence_id: str
    file_name: str
    media_type: str
    size: int


@dataclass(frozen=True)
class OwnVersion:
    """One saved version of a self-assessment, and what became of it."""

    assessment_id: int
    person: str
    skill: str
    sfia_version: int
    assessed_on: dt.date
    version: int
    recorded_at: dt.datetime
    own_level: int | None
    target_level: int | None
    status: str  # the last step: drafted, submitted, returned, signed-off, ...
    steps: tuple[Step, ...]
    agreed_level: int | None
    reviewed_by: str | None
    comments: tuple[Comment, ...]
    files: tuple[KeptFile, ...]
    evidence_ids: tuple[str, ...]


def _versions(people: Collection[str] | None) -> Select[Any]:
    query = select(AssessmentRecord.id).where(AssessmentRecord.relation == "self")
    if people is not None:
        query = query.join(Person, Person.id == AssessmentRecord.person_id).where(
            Person.key.in_(list(people))
        )
    return query


def count_own(session: Session, people: Collection[str] | None) -> int:
    """How many versions `own_versions` can list (for paging)."""
    ids = _versions(people).subquery()
    return int(session.execute(select(func.count()).select_from(ids)).scalar_one())


def own_versions(
    session: Session, people: Collection[str] | None, limit: int = 50, offset: int = 0
) -> list[OwnVersion]:
    """Every version of the self-assessments of `people` (person keys; None: everyone), the
    most recently saved first, `limit` from `offset` on."""
    ids = _versions(people).subquery()
    rows = session.execute(
        select(
            AssessmentRecord, Person.name, ScoredResult.recommended_level, ScoredResult.target_level
        )
        .join(ids, ids.c.id == AssessmentRecord.id)
        .join(Person, Person.id == AssessmentRecord.person_id)
        .outerjoin(ScoredResult, ScoredResult.assessment_id == AssessmentRecord.id)
        .order_by(AssessmentRecord.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    shown = [record.id for record, *_ in rows]
    steps: dict[int, list[Step]] = {}
    for event in session.scalars(
        select(Event).where(Event.assessment_id.in_(shown)).order_by(Event.at, Event.id)
    ):
        steps.setdefault(event.assessment_id, []).append(
            Step(event.kind, event.actor, aware(event.at), event.recipient, event.note)
        )
    reviews: dict[int, Review] = {}
    for found in session.scalars(
        select(Review).where(Review.self_id.in_(shown)).order_by(Review.id)
    ):
        reviews[found.self_id] = found  # the latest review counts
    managers = {
        record.id: record
        for record in session.scalars(
            select(AssessmentRecord).where(
                AssessmentRecord.id.in_([r.manager_id for r in reviews.values()])
            )
        )
    }
    files: dict[int, list[KeptFile]] = {}
    for kept in session.execute(
        select(
            Attachment.id,
            Attachment.assessment_id,
            Attachment.evidence_id,
            Attachment.file_name,
            Attachment.media_type,
            Attachment.size,
        )
        .where(Attachment.assessment_id.in_(shown))
        .order_by(Attachment.evidence_id, Attachment.id)
    ):
        files.setdefault(kept.assessment_id, []).append(
            KeptFile(kept.id, kept.evidence_id, kept.file_name, kept.media_type, kept.size)
        )
    out = []
    for record, name, own_level, target in rows:
        trail = tuple(steps.get(record.id, ()))
        review = reviews.get(record.id)
        manager = managers.get(review.manager_id) if review else None
        out.append(
            OwnVersion(
                assessment_id=record.id,
                person=name,
                skill=record.skill,
                sfia_version=record.sfia_version,
                assessed_on=record.assessed_on,
                version=record.version,
                recorded_at=aware(record.recorded_at),
                own_level=own_level,
                target_level=target,
                status=trail[-1].kind if trail else "recorded",
                steps=trail,
                agreed_level=review.agreed_level if review else None,
                reviewed_by=manager.assessor_name if manager else None,
                comments=comments_of(record.parsed, manager.parsed if manager else {}),
                files=tuple(files.get(record.id, ())),
                evidence_ids=tuple(
                    str(item.get("id")) for item in record.parsed.get("evidence", [])
                ),
            )
        )
    return out


def comments_of(own: dict[str, object], review: dict[str, object]) -> tuple[Comment, ...]:
    """The statements the manager rated or commented on, in the order they wrote them."""
    mine = own.get("ratings") or {}
    theirs = review.get("ratings") or {}
    words = review.get("comments") or {}
    assert isinstance(mine, dict)
    assert isinstance(theirs, dict)
    assert isinstance(words, dict)
    return tuple(
        Comment(
            str(sid),
            str(mine.get(sid, "not rated")),
            str(theirs.get(sid, "")),
            str(words.get(sid, "")),
        )
        for sid in {**theirs, **words}
    )


def kept_file(session: Session, assessment_id: int, attachment_id: int) -> Attachment | None:
    """The file `attachment_id` if it belongs to assessment `assessment_id`, else None."""
    found = session.get(Attachment, attachment_id)
    if found is None or found.assessment_id != assessment_id:
        return None
    return found


def files_of(session: Session, assessment_id: int) -> list[KeptFile]:
    return [
        KeptFile(row.id, row.evidence_id, row.file_name, row.media_type, row.size)
        for row in session.execute(
            select(
                Attachment.id,
                Attachment.evidence_id,
                Attachment.file_name,
                Attachment.media_type,
                Attachment.size,
            )
            .where(Attachment.assessment_id == assessment_id)
            .order_by(Attachment.evidence_id, Attachment.id)
        )
    ]

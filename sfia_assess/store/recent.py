"""The self-assessments most recently saved, with where each stands: the browser's home list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import AssessmentRecord, Event, Person, Review, ScoredResult


@dataclass(frozen=True)
class Saved:
    """The latest version of one self-assessment (person, skill, version, date)."""

    assessment_id: int
    person: str
    skill: str
    sfia_version: int
    assessed_on: dt.date
    version: int
    recommended_level: int | None
    status: str
    saved_at: dt.datetime
    person_key: str = ""  # who it is of (core.identity), as the store keys them
    agreed_level: int | None = None
    reviewed: bool = False  # a manager's review is recorded: `agreed_level` is the verdict


def _listed(people: Collection[str] | None, status: str | None) -> Any:
    """The ids of the latest version of each self-assessment, of `people` (keys) or everyone,
    whose last step is `status` (any when None)."""
    newest = (
        select(func.max(AssessmentRecord.id).label("id"))
        .where(AssessmentRecord.relation == "self")
        .group_by(
            AssessmentRecord.person_id,
            AssessmentRecord.skill,
            AssessmentRecord.sfia_version,
            AssessmentRecord.assessed_on,
        )
    )
    if people is not None:
        newest = newest.join(Person, Person.id == AssessmentRecord.person_id).where(
            Person.key.in_(list(people))
        )
    if status is None:
        return newest.subquery()
    ids = newest.subquery()
    last_kind = (
        select(Event.kind)
        .where(Event.assessment_id == ids.c.id)
        .order_by(Event.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return select(ids.c.id).where(last_kind == status).subquery()


def count_self_assessments(
    session: Session, people: Collection[str] | None = None, status: str | None = None
) -> int:
    """How many self-assessments `recent_self_assessments` can list (for paging)."""
    listed = _listed(people, status)
    return int(session.execute(select(func.count()).select_from(listed)).scalar_one())


def recent_self_assessments(
    session: Session,
    limit: int = 50,
    *,
    people: Collection[str] | None = None,
    status: str | None = None,
    offset: int = 0,
) -> list[Saved]:
    """The latest version of each self-assessment, most recently saved first: of `people`
    (person keys, as `core.identity.person_key` makes them) or of everyone when None, whose
    last step is `status` (e.g. "signed-off") when given; the `limit` from `offset` on. The
    reader's filter is applied before the page is cut, so a page is never emptied by other
    people's records."""
    listed = _listed(people, status)
    rows = session.execute(
        select(AssessmentRecord, Person.name, ScoredResult.recommended_level, Person.key)
        .join(listed, listed.c.id == AssessmentRecord.id)
        .join(Person, Person.id == AssessmentRecord.person_id)
        .outerjoin(ScoredResult, ScoredResult.assessment_id == AssessmentRecord.id)
        .order_by(AssessmentRecord.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    ids = [record.id for record, _, _, _ in rows]
    last_step: dict[int, str] = {}
    if ids:
        latest_event = (
            select(func.max(Event.id))
            .where(Event.assessment_id.in_(ids))
            .group_by(Event.assessment_id)
        ).scalar_subquery()
        for assessment_id, kind in session.execute(
            select(Event.assessment_id, Event.kind).where(Event.id.in_(latest_event))
        ):
            last_step[assessment_id] = kind
    agreed: dict[int, int | None] = {}
    if ids:  # the latest review of each counts (as the record and the HR pages have it)
        for self_id, level in session.execute(
            select(Review.self_id, Review.agreed_level)
            .where(Review.self_id.in_(ids))
            .order_by(Review.id)
        ):
            agreed[self_id] = level
    return [
        Saved(
            assessment_id=record.id,
            person=name,
            skill=record.skill,
            sfia_version=record.sfia_version,
            assessed_on=record.assessed_on,
            version=record.version,
            recommended_level=level,
            status=last_step.get(record.id, "recorded"),
            saved_at=record.recorded_at,
            person_key=key,
            agreed_level=agreed.get(record.id),
            reviewed=record.id in agreed,
        )
        for record, name, level, key in rows
    ]

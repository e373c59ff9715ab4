"""One person's record over time: every assessment in date order, with levels and status."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.history import History, HistoryRow, Step
from ..core.latest import latest, order
from .models import AssessmentRecord, Event, Person, Review, ScoredResult
from .people import find_person


def person_history(session: Session, name: str) -> History:
    """Every assessment of the person named (manager reviews appear as their agreed level)."""
    return history_of(session, find_person(session, name))


def history_of(session: Session, person: Person) -> History:
    """Every assessment of `person` (manager reviews appear as their agreed level)."""
    rows = session.execute(
        select(AssessmentRecord, ScoredResult.recommended_level, ScoredResult.target_level)
        .outerjoin(ScoredResult, ScoredResult.assessment_id == AssessmentRecord.id)
        .where(AssessmentRecord.person_id == person.id)
        .order_by(
            AssessmentRecord.assessed_on,
            AssessmentRecord.skill,
            AssessmentRecord.sfia_version,
            AssessmentRecord.assessor_key,
            AssessmentRecord.version,
        )
    ).all()
    ids = [record.id for record, _, _ in rows]
    by_id = {record.id: record for record, _, _ in rows}
    reviews: dict[int, Review] = {}
    for found in session.scalars(select(Review).where(Review.self_id.in_(ids)).order_by(Review.id)):
        reviews[found.self_id] = found  # the latest review counts
    trails: dict[int, list[Step]] = {}
    last_event: dict[int, Event] = {}
    for step in session.scalars(
        select(Event).where(Event.assessment_id.in_(ids)).order_by(Event.at, Event.id)
    ):
        last_event[step.assessment_id] = step
        trails.setdefault(step.assessment_id, []).append(
            Step(step.kind, step.actor, aware(step.at), step.recipient, step.note)
        )
    newest = latest(
        (record for record, _, _ in rows),
        key=_key,
        when=lambda r: order(r.assessed_on, r.sfia_version, r.version),
    ).kept
    out = []
    for record, recommended, target in rows:
        if record.relation == "manager":
            continue
        paired = reviews.get(record.id)
        manager = by_id.get(paired.manager_id) if paired else None
        event = last_event.get(record.id)
        is_latest = newest[_key(record)] is record
        status = event.kind if event else "recorded"
        if not is_latest:
            status = "superseded"
        out.append(
            HistoryRow(
                skill=record.skill,
                sfia_version=record.sfia_version,
                assessed_on=record.assessed_on,
                version=record.version,
                latest=is_latest,
                assessor=record.assessor_name,
                relation=record.relation,
                role=record.role,
                recommended_level=recommended,
                target_level=target,
                agreed_level=paired.agreed_level if paired else None,
                reviewed_by=manager.assessor_name if manager else None,
                reviewed_on=manager.assessed_on if manager else None,
                status=status,
                source_name=record.source_name,
                sha256=record.sha256,
                recorded_at=aware(record.recorded_at),
                trail=tuple(trails.get(record.id, ())),
            )
        )
    submitted_to = session.scalars(
        select(Event.recipient)
        .where(Event.assessment_id.in_(ids), Event.recipient.is_not(None))
        .order_by(Event.at.desc(), Event.id.desc())
        .limit(1)
    ).one_or_none()
    reviewed = [r for r in out if r.reviewed_by]
    last_manager = reviewed[-1].reviewed_by if reviewed else submitted_to
    role = next((r.role for r in reversed(out) if r.role), None)
    return History(person.name, role, last_manager, tuple(out))


def aware(moment: dt.datetime) -> dt.datetime:
    """A stored time in UTC with its zone (SQLite gives it back without one)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _key(record: AssessmentRecord) -> tuple[str, int, str, dt.date]:
    return (record.skill, record.sfia_version, record.assessor_key, record.assessed_on)

"""Who is told what by email, read from the record: the manager a self-assessment is submitted
to, the practitioner whose assessment is signed off or returned, and the managers whose reviews
have waited too long; each person's choice to get these emails; the log of what was sent.

A notification names people, the skill and the page to open, never the assessment itself (no
rating, no evidence, no level): whoever reads the email must sign in to see more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .accounts import find_account
from .database import StoreError
from .history import aware
from .models import Account, AssessmentRecord, Event, Notice, utcnow
from .workflow import SIGNED_OFF, SUBMITTED, submitted

RETURNED = "returned"  # the workflow step that sends a self-assessment back to its author
REMINDER = "reminder"
KINDS = (SUBMITTED, SIGNED_OFF, RETURNED, REMINDER)
DETAIL_CHARS = 500
TURNED_OFF = "not sent: the recipient turned email notifications off"


@dataclass(frozen=True)
class Recipient:
    """An account that may be told something: its key, name, email address and choice."""

    key: str
    name: str
    email: str | None
    notify: bool


@dataclass(frozen=True)
class Notification:
    """One email to write: to whom, of what (`kind`), about whose assessment, by whom, and the
    page (a path such as /manager/review/12) the email links to."""

    kind: str
    assessment_id: int
    recipient: Recipient
    person: str  # whose assessment it is
    actor: str  # who submitted, signed off or returned it (the manager, for a reminder)
    skill: str
    sfia_version: int
    path: str
    waiting_days: int = 0  # for a reminder: how long the review has waited


def _recipient(account: Account | None) -> Recipient | None:
    if account is None or account.disabled:
        return None
    return Recipient(account.key, account.name, account.email, account.notify)


def account_for(session: Session, key: str, name: str) -> Recipient | None:
    """The enabled account a record's key (or, failing that, its name) names; None when no
    account, or more than one, does (nobody to tell, rather than the wrong person)."""
    found = session.scalars(select(Account).where(Account.key == key)).one_or_none()
    if found is None:
        try:
            found = find_account(session, name)
        except StoreError:
            return None
    return _recipient(found)


def _last_step(session: Session, assessment_id: int, kind: str) -> Event | None:
    return session.scalars(
        select(Event)
        .where(Event.assessment_id == assessment_id, Event.kind == kind)
        .order_by(Event.at.desc(), Event.id.desc())
        .limit(1)
    ).one_or_none()


def on_submission(session: Session, assessment_id: int) -> Notification | None:
    """The email to the manager a self-assessment was (last) submitted to; None when there is
    no such step, or no account to send it to."""
    step = _last_step(session, assessment_id, SUBMITTED)
    record = session.get(AssessmentRecord, assessment_id)
    if step is None or record is None:
        return None
    manager = account_for(session, step.recipient_key or "", step.recipient or "")
    if manager is None:
        return None
    return Notification(
        SUBMITTED,
        assessment_id,
        manager,
        record.person.name,
        step.actor,
        record.skill,
        record.sfia_version,
        f"/manager/review/{assessment_id}",
    )


def to_practitioner(session: Session, assessment_id: int, kind: str) -> Notification | None:
    """The email to the person whose self-assessment was signed off or returned (`kind` is the
    workflow step); None when the step was not taken or the person has no account."""
    if kind not in (SIGNED_OFF, RETURNED):
        raise ValueError(f"a practitioner is told of a sign-off or a return, not of {kind!r}")
    step = _last_step(session, assessment_id, kind)
    record = session.get(AssessmentRecord, assessment_id)
    if step is None or record is None:
        return None
    person = record.person
    recipient = account_for(session, person.key, person.login or person.name)
    if recipient is None:
        return None
    return Notification(
        kind,
        assessment_id,
        recipient,
        person.name,
        step.actor,
        record.skill,
        record.sfia_version,
        f"/assessments/{assessment_id}",
    )


def reminders_due(
    session: Session, days: int, now: dt.datetime | None = None
) -> list[Notification]:
    """A reminder to the manager of each self-assessment submitted `days` days ago or more and
    still waiting for review, oldest first; none where a reminder was sent in the last `days`
    days, or not sent then because its manager had turned email off (a daily timer reminds
    once every `days` days, not every day)."""
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=days)
    waiting = [w for w in submitted(session) if w.submitted_at <= cutoff]
    if not waiting:
        return []
    reminded = set(
        session.execute(
            select(Notice.assessment_id, Notice.recipient_key).where(
                Notice.kind == REMINDER,
                or_(Notice.sent.is_(True), Notice.detail == TURNED_OFF),
                Notice.at > cutoff,
                Notice.assessment_id.in_([w.assessment_id for w in waiting]),
            )
        ).all()
    )
    steps = {
        step.assessment_id: step
        for step in session.scalars(
            select(Event)
            .where(
                Event.kind == SUBMITTED,
                Event.assessment_id.in_([w.assessment_id for w in waiting]),
            )
            .order_by(Event.id)  # the last submission of each is the one waiting
        )
    }
    due = []
    for item in waiting:
        step = steps[item.assessment_id]
        manager = account_for(session, step.recipient_key or "", step.recipient or "")
        if manager is None or (item.assessment_id, manager.key) in reminded:
            continue
        due.append(
            Notification(
                REMINDER,
                item.assessment_id,
                manager,
                item.person,
                manager.name,
                item.skill,
                item.sfia_version,
                f"/manager/review/{item.assessment_id}",
                waiting_days=(now - aware(item.submitted_at)).days,
            )
        )
    return due


def log_notice(
    session: Session, notification: Notification, sent: bool, detail: str | None
) -> None:
    """One line in the log of notices: sent, or why not (the action it told of stands)."""
    session.add(
        Notice(
            kind=notification.kind,
            recipient_key=notification.recipient.key,
            assessment_id=notification.assessment_id,
            sent=sent,
            detail=detail[:DETAIL_CHARS] if detail else None,
        )
    )
    session.flush()


def notices(session: Session, assessment_id: int | None = None) -> list[Notice]:
    """The log of notices (for one assessment, or all), oldest first."""
    query = select(Notice).order_by(Notice.at, Notice.id)
    if assessment_id is not None:
        query = query.where(Notice.assessment_id == assessment_id)
    return list(session.scalars(query))


def wants_email(session: Session, key: str) -> bool:
    """Does the account `key` want email notifications (they are on unless turned off)?"""
    found = session.scalars(select(Account.notify).where(Account.key == key)).one_or_none()
    return bool(found) if found is not None else False


def set_email(session: Session, key: str, on: bool) -> None:
    """Turn email notifications on or off for the account `key`, as its owner chose."""
    account = session.scalars(select(Account).where(Account.key == key)).one_or_none()
    if account is None:
        raise StoreError("no account is signed in to choose its emails for")
    account.notify = on
    session.flush()


def email_of(session: Session, key: str) -> str | None:
    """The email address the account `key` is written to (None: none is known)."""
    return session.scalars(select(Account.email).where(Account.key == key)).one_or_none()

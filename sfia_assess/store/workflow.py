"""The assessment workflow for the browser app: drafts, submission, review, sign-off.

Every step adds rows (a new version, an event); nothing is changed in place, so the trail of
who did what and when is the record. Each function works in the caller's session: a web
request opens one with `writing` or `reading` and calls one of these.

    drafted -> submitted -> reviewed + agreed -> signed-off
                 |  ^
    (reassigned to a new manager; withdrawn by the person, then submitted again)

A submission goes to a manager's account (by its key) when the store has accounts; the manager
at submission is kept on its event, and only that manager's queue shows it.
                         -> returned (to the person, with the manager's comment) -> submitted
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core.assessment import parse_assessment
from ..core.catalog import Catalog
from ..core.fit_notes import evaluate
from ..core.identity import person_key, same_person
from ..core.policy import Policy
from .accounts import find_account
from .database import StoreError
from .history import aware
from .models import Account, AssessmentRecord, Event, Person, Review, SignOff
from .people import identify
from .record import Checked, add_assessment, pair

DRAFTED = "drafted"
SUBMITTED = "submitted"
REVIEWED = "reviewed"
AGREED = "agreed"
SIGNED_OFF = "signed-off"
RECORDED = "recorded"
MIGRATED = "migrated"  # recorded by moving an older SFIA version's record (store/migrating.py)
REASSIGNED = "reassigned"  # a waiting submission moved to another manager
WITHDRAWN = "withdrawn"  # taken back by the person before review
WAITING = (SUBMITTED, REASSIGNED)  # the last step of an assessment in a manager's queue
RETURNED = "returned"  # sent back to the person by the manager, with a comment


def checked(content: bytes, source_name: str, catalog: Catalog, policy: Policy) -> Checked:
    """Check an assessment's YAML as `validate` does (AssessmentError lists every problem)."""
    loaded = parse_assessment(content, source_name, catalog)
    result = evaluate(
        loaded, policy, responsibility=catalog.responsibility(loaded.skill.sfia_version)
    )
    return Checked(source_name, content, hashlib.sha256(content).hexdigest(), loaded, result)


def save_draft(
    session: Session,
    content: bytes,
    source_name: str,
    catalog: Catalog,
    policy: Policy,
    *,
    actor: str,
) -> AssessmentRecord:
    """Save the form as it stands as a new version (the same bytes again: the version saved)."""
    item = checked(content, source_name, catalog, policy)
    existing = session.scalars(
        select(AssessmentRecord).where(AssessmentRecord.sha256 == item.sha256)
    ).one_or_none()
    if existing is not None:
        return existing
    return add_assessment(session, item, actor=actor, kind=DRAFTED)


def get(session: Session, assessment_id: int) -> AssessmentRecord:
    found = session.get(AssessmentRecord, assessment_id)
    if found is None:
        raise StoreError(f"no recorded assessment has the id {assessment_id}")
    return found


def status(session: Session, assessment_id: int) -> str:
    """The last step taken on an assessment (`drafted`, `submitted`, ... `signed-off`)."""
    last = session.scalars(
        select(Event.kind)
        .where(Event.assessment_id == assessment_id)
        .order_by(Event.at.desc(), Event.id.desc())
        .limit(1)
    ).one_or_none()
    return last or RECORDED


def trail(session: Session, assessment_id: int) -> list[Event]:
    """Every step taken on an assessment, oldest first: what, who, when, to whom."""
    return list(
        session.scalars(
            select(Event).where(Event.assessment_id == assessment_id).order_by(Event.at, Event.id)
        )
    )


def recipient(session: Session, manager: str) -> tuple[str, str]:
    """The name and key of the manager `manager` names (a login, an account's key, or a name
    only one account has). A store without accounts (one person's) keys them by the name."""
    account = find_account(session, manager)
    if account is not None:
        if account.disabled:
            raise StoreError(
                f"{account.name}'s account is disabled; ask HR or an admin who reviews for them"
            )
        return account.name, account.key
    if session.scalars(select(Account.id).limit(1)).first() is not None:
        raise StoreError(
            f"no account is {' '.join(manager.split())!r}: an assessment goes to a manager's"
            " account (`users list` shows them)"
        )
    return " ".join(manager.split()), person_key(manager)


def _what(record: AssessmentRecord) -> str:
    return f"{record.source_name} version {record.version}"


def _waiting_step(session: Session, assessment_id: int) -> Event | None:
    """The submission (or reassignment) an assessment waits on in a manager's queue, if any."""
    last = session.scalars(
        select(Event)
        .where(Event.assessment_id == assessment_id)
        .order_by(Event.at.desc(), Event.id.desc())
        .limit(1)
    ).one_or_none()
    return last if last is not None and last.kind in WAITING else None


def submit(session: Session, assessment_id: int, *, actor: str, manager: str) -> Event:
    """Send a saved self-assessment to `manager` (see `recipient`) for review. A withdrawn one
    is sent again as it is; one waiting already is withdrawn first."""
    record = get(session, assessment_id)
    if record.relation == "manager":
        raise StoreError("a manager's review is not submitted; it is recorded with review()")
    waiting = _waiting_step(session, assessment_id)
    if waiting is not None:
        raise StoreError(
            f"{_what(record)} is already waiting for {waiting.recipient}'s review; withdraw it"
            " to send it again"
        )
    if status(session, assessment_id) not in (DRAFTED, RECORDED, MIGRATED, WITHDRAWN, RETURNED):
        raise StoreError(
            f"{_what(record)} was already reviewed; save a new version to submit again"
        )
    name, key = recipient(session, manager)
    step = Event(
        assessment_id=record.id, kind=SUBMITTED, actor=actor, recipient=name, recipient_key=key
    )
    session.add(step)
    session.flush()
    return step


def waiting_for(session: Session, assessment_id: int) -> str:
    """The name of the manager whose queue the assessment waits in ('' when it waits in none)."""
    waiting = _waiting_step(session, assessment_id)
    return (waiting.recipient or "") if waiting is not None else ""


def submission_route(session: Session, account_key: str) -> tuple[str, str]:
    """Where the account's self-assessment goes: its manager's name ('' when none is set), and
    whom to ask to set one (an HR or admin account's name)."""
    account = session.scalars(select(Account).where(Account.key == account_key)).one_or_none()
    manager = None
    if account is not None and account.manager_key:
        manager = session.scalars(
            select(Account).where(Account.key == account.manager_key)
        ).one_or_none()
    if manager is not None and not manager.disabled:
        return manager.name, ""
    helpers = session.scalars(
        select(Account)
        .where(Account.role.in_(("hr", "admin")), Account.disabled.is_(False))
        .order_by(Account.role.desc(), Account.id)  # hr before admin: they keep reporting lines
        .limit(1)
    ).all()
    ask = f"{helpers[0].name} ({helpers[0].role})" if helpers else "your administrator"
    return "", ask


def withdraw(session: Session, assessment_id: int, *, actor: str, actor_key: str) -> Event:
    """The person takes back a submission still waiting for review: it leaves the manager's
    queue, and can be edited and submitted again."""
    record = get(session, assessment_id)
    if record.person.key != actor_key:
        raise StoreError(f"only {record.person.name} can withdraw {_what(record)}")
    waiting = _waiting_step(session, assessment_id)
    if waiting is None:
        raise StoreError(f"{_what(record)} is not waiting for review; there is nothing to withdraw")
    step = Event(
        assessment_id=record.id,
        kind=WITHDRAWN,
        actor=actor,
        note=f"withdrawn before {waiting.recipient}'s review",
    )
    session.add(step)
    session.flush()
    return step


def reassign_waiting(
    session: Session, person_key: str, new_manager_key: str, actor: str
) -> list[int]:
    """Move every submission of the person (by key) that waits for review to the manager whose
    account key is `new_manager_key` (a reporting line changed): a "reassigned" step each, and
    only the new manager's queue shows them. Returns the assessments moved."""
    manager = session.scalars(select(Account).where(Account.key == new_manager_key)).one_or_none()
    if manager is None:
        raise StoreError(f"no account has the login {new_manager_key!r}; `users list` shows them")
    moved = []
    for waiting in submitted(session, of_person=person_key):
        if waiting.manager_key == manager.key:
            continue
        session.add(
            Event(
                assessment_id=waiting.assessment_id,
                kind=REASSIGNED,
                actor=actor,
                recipient=manager.name,
                recipient_key=manager.key,
                note=f"moved from {waiting.manager} to {manager.name}",
            )
        )
        moved.append(waiting.assessment_id)
    session.flush()
    return moved


def record_review(
    session: Session,
    self_id: int,
    content: bytes,
    source_name: str,
    catalog: Catalog,
    policy: Policy,
    *,
    actor: str,
) -> Review:
    """Record the manager's review (a manager's assessment file) of a self-assessment, paired
    with it, and the agreed level. A later review of the same assessment replaces it."""
    own = get(session, self_id)
    item = checked(content, source_name, catalog, policy)
    subject = item.loaded.assessment.subject
    if item.loaded.assessment.assessor.relation != "manager":
        raise StoreError(f"{source_name}: a review needs assessor relation: manager")
    # A review without an id, under the name of the person whose page it was made on, is theirs.
    named = subject.id is None and same_person(subject.name, own.person.name)
    if not named and identify(session, subject.name, subject.id).key != own.person.key:
        raise StoreError(
            f"{source_name}: reviews {subject.name!r}, but the assessment is {own.person.name!r}'s"
        )
    existing = session.scalars(
        select(AssessmentRecord).where(AssessmentRecord.sha256 == item.sha256)
    ).one_or_none()
    manager = existing or add_assessment(session, item, actor=actor, person=own.person)
    pair(session, own, manager, catalog, policy, actor=actor)
    found = session.scalars(
        select(Review).where(Review.self_id == own.id, Review.manager_id == manager.id)
    ).one()
    return found


def latest_review(session: Session, self_id: int) -> Review | None:
    return session.scalars(
        select(Review).where(Review.self_id == self_id).order_by(Review.id.desc()).limit(1)
    ).one_or_none()


def sign_off(
    session: Session,
    self_id: int,
    *,
    actor: str,
    note: str | None = None,
    actor_key: str | None = None,
) -> Event:
    """The manager signs off the agreed level of a reviewed assessment; `actor_key` is their
    account's key (by default, their name's)."""
    found = latest_review(session, self_id)
    if found is None:
        raise StoreError("only a reviewed assessment can be signed off; record the review first")
    _check_signer(session, self_id, actor, actor_key or person_key(actor))
    step = Event(
        assessment_id=self_id,
        kind=SIGNED_OFF,
        actor=actor,
        note=note or f"agreed level {found.agreed_level if found.agreed_level else 'none'}",
    )
    session.add(step)
    session.flush()
    _claim_sign_off(session, self_id, step.id)
    return step


def _claim_sign_off(session: Session, self_id: int, event_id: int) -> None:
    """Record the one sign-off of `self_id`. The check before read the trail without a lock:
    two sign-offs at once both pass it (on PostgreSQL), and the second to insert here waits for
    the first and is refused by the table's primary key. That refusal is final, not a collision
    to retry."""
    try:
        with session.begin_nested():
            session.add(SignOff(assessment_id=self_id, event_id=event_id))
    except IntegrityError:
        record = get(session, self_id)
        raise StoreError(
            f"{record.source_name} version {record.version} was signed off by another request"
            " at the same moment; it is signed off once, and nothing more was recorded"
        ) from None


def _check_signer(session: Session, self_id: int, actor: str, actor_key: str) -> None:
    """Only a self-assessment submitted for review, and not signed off or withdrawn since, is
    signed; and only by the manager it was submitted (or reassigned) to."""
    steps = trail(session, self_id)
    sent = [step for step in steps if step.kind in WAITING]
    record = get(session, self_id)
    what = f"{record.source_name} version {record.version}"
    if not sent:
        raise StoreError(
            f"{what} was never submitted for review; only the manager it is submitted to can"
            " sign it off"
        )
    last = sent[-1]
    if any(step.kind == SIGNED_OFF for step in steps[steps.index(last) :]):
        raise StoreError(f"{what} is already signed off; a new version must be submitted first")
    if any(step.kind == WITHDRAWN for step in steps[steps.index(last) :]):
        raise StoreError(f"{what} was withdrawn by {record.person.name}; it is no longer waiting")
    if any(step.kind == RETURNED for step in steps[steps.index(last) :]):
        raise StoreError(
            f"{what} was returned to {record.person.name}; it can be signed off once they send it"
            " again"
        )
    if last.recipient_key != actor_key:
        raise StoreError(
            f"{what} was submitted to {last.recipient}, not to {' '.join(actor.split())}: only"
            " they can sign it off"
        )


def return_to_person(
    session: Session, self_id: int, *, actor: str, note: str, actor_key: str | None = None
) -> Event:
    """The manager sends a submitted self-assessment back to its author with a comment (what
    to bring or change); the author edits it and submits again."""
    note = note.strip()
    if not note:
        raise StoreError("say what the person should change or bring before it is sent back")
    _check_signer(session, self_id, actor, actor_key or person_key(actor))
    step = Event(
        assessment_id=self_id,
        kind=RETURNED,
        actor=actor,
        note=note,
        recipient=get(session, self_id).person.name,
        recipient_key=get(session, self_id).person.key,
    )
    session.add(step)
    session.flush()
    return step


@dataclass(frozen=True)
class Waiting:
    """A self-assessment submitted to a manager and not yet reviewed."""

    assessment_id: int
    person: str
    skill: str
    sfia_version: int
    assessed_on: dt.date
    version: int
    submitted_by: str
    submitted_at: dt.datetime
    manager: str
    person_key: str = ""  # who it is of (core.identity), as the store keys them
    manager_key: str = ""  # the manager it waits for
    person_id: str | None = None  # their id (login), when the store knows it


def submitted(
    session: Session,
    manager: str | None = None,
    *,
    manager_key: str | None = None,
    of_person: str | None = None,
) -> list[Waiting]:
    """Assessments waiting for review (for `manager` by name, or the manager whose account key
    is `manager_key`; of the person keyed `of_person`; or all), oldest submission first.

    Waiting means: submitted (or reassigned), and no review, sign-off, withdrawal or newer
    submission since.
    """
    query = (
        select(Event, AssessmentRecord, Person)
        .join(AssessmentRecord, AssessmentRecord.id == Event.assessment_id)
        .join(Person, Person.id == AssessmentRecord.person_id)
        .where(Event.kind.in_(WAITING))
        .order_by(Event.at, Event.id)
    )
    if manager is not None:
        query = query.where(Event.recipient_key == person_key(manager))
    if manager_key is not None:
        query = query.where(Event.recipient_key == manager_key)
    if of_person is not None:
        query = query.where(Person.key == of_person)
    rows = session.execute(query).all()
    if not rows:
        return []
    ids = [record.id for _, record, _ in rows]
    last_step = dict(
        session.execute(
            select(Event.assessment_id, func.max(Event.id))
            .where(Event.assessment_id.in_(ids))
            .group_by(Event.assessment_id)
        ).all()
    )
    return [
        Waiting(
            assessment_id=record.id,
            person=person.name,
            skill=record.skill,
            sfia_version=record.sfia_version,
            assessed_on=record.assessed_on,
            version=record.version,
            submitted_by=step.actor,
            submitted_at=aware(step.at),
            manager=step.recipient or "",
            person_key=person.key,
            manager_key=step.recipient_key or "",
            person_id=person.login,
        )
        for step, record, person in rows
        if last_step.get(record.id) == step.id
    ]

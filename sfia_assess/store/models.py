"""The history store's tables as typed SQLAlchemy models; rows are only ever added, never changed.

An assessment file is kept byte for byte with its parsed form and SHA-256. A corrected file is a
new row (the next `version` of that person's assessment by that assessor on that date), so the
record of what was submitted, and when, can be trusted. What happens to an assessment (recorded,
drafted, submitted, reviewed, agreed, signed off) is a trail of `Event` rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Person(Base):
    """Someone assessed. `key` is who they are (core.identity): their id (login) when the
    record carries one, else their name, compared without case; `login` is the id as given."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    login: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    assessments: Mapped[list[AssessmentRecord]] = relationship(back_populates="person")


class AssessmentRecord(Base):
    """One assessment file as submitted: the bytes, their parsed form and hash. Immutable."""

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint(
            "person_id",
            "skill",
            "sfia_version",
            "assessor_key",
            "assessed_on",
            "version",
            name="uq_assessments_version",
        ),
        Index("ix_assessments_person_date", "person_id", "assessed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    skill: Mapped[str] = mapped_column(String(20))
    sfia_version: Mapped[int] = mapped_column(Integer)
    relation: Mapped[str] = mapped_column(String(20))
    assessor_name: Mapped[str] = mapped_column(String(200))
    assessor_key: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(200))
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    source_name: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    parsed: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    person: Mapped[Person] = relationship(back_populates="assessments")


class ScoredResult(Base):
    """The result of scoring one recorded assessment alone (the `assess --format json` form)."""

    __tablename__ = "results"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), unique=True)
    recommended_level: Mapped[int | None] = mapped_column(Integer)
    target_level: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    scored_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Review(Base):
    """A manager's review paired with the self-assessment it reviews, and the level agreed."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("self_id", "manager_id", name="uq_reviews_pair"),
        Index("ix_reviews_manager_id", "manager_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    self_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    manager_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    self_level: Mapped[int | None] = mapped_column(Integer)
    manager_level: Mapped[int | None] = mapped_column(Integer)
    agreed_level: Mapped[int | None] = mapped_column(Integer)
    agreed: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Event(Base):
    """One step in an assessment's workflow: what happened, who did it, when."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_assessment_id", "assessment_id"),
        Index("ix_events_kind_recipient_key", "kind", "recipient_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    kind: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
    recipient: Mapped[str | None] = mapped_column(String(200))  # e.g. the manager submitted to
    recipient_key: Mapped[str | None] = mapped_column(String(200))


class Attachment(Base):
    """A file backing one evidence item: kept as bytes, never executed or rendered."""

    __tablename__ = "attachments"
    __table_args__ = (
        UniqueConstraint("assessment_id", "evidence_id", "sha256", name="uq_attachments_item"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"))
    evidence_id: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Account(Base):
    """Someone who signs in to `serve --shared`: a login (their stable id: an email or an
    employee number), a display name, a role, a manager, an argon2 hash (never a password; none
    for someone who signs in only by single sign-on or a one-time link).

    `key` is the login's identity key (core.identity.person_key), and the key of every record
    of this person; `name_key` finds the account from a name alone. Accounts made before
    revision 0006 have their name as their login."""

    __tablename__ = "accounts"
    __table_args__ = (
        Index("ix_accounts_name_key", "name_key"),
        Index("ix_accounts_manager_key", "manager_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    name_key: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    title: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    manager_key: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(default=False)
    notify: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """Who viewed, changed, signed or exported what, and when. Rows are only ever added."""

    __tablename__ = "audit"
    __table_args__ = (Index("ix_audit_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(500))
    address: Mapped[str | None] = mapped_column(String(100))


class SignOff(Base):
    """The one sign-off of a self-assessment: its primary key makes a second one impossible,
    even when two managers' requests arrive at the same moment."""

    __tablename__ = "sign_offs"

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))


class ServerSecret(Base):
    """A secret every server process on this store shares (the session-signing key)."""

    __tablename__ = "server_secrets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)


class SignInSession(Base):
    """A signed-in session of `serve --shared`, shared by every server process; ended by
    signing out (the cookie, replayed, is refused) and dropped a day after it expires."""

    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_expires_at", "expires_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_key: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[float] = mapped_column(Float)
    ended: Mapped[bool] = mapped_column(default=False)


class SignInLimit(Base):
    """Failed sign-ins counted for one key (an account from an address, an account, an
    address), and until when that key must wait."""

    __tablename__ = "sign_in_limits"
    __table_args__ = (Index("ix_sign_in_limits_last_at", "last_at"),)

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_at: Mapped[float] = mapped_column(Float)
    blocked_until: Mapped[float] = mapped_column(Float)


class KeptForm(Base):
    """A form posted after its session had ended, kept for its account to take back after
    signing in again (never saved in their name without them)."""

    __tablename__ = "kept_forms"
    __table_args__ = (Index("ix_kept_forms_kept_at", "kept_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_key: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    kept_at: Mapped[float] = mapped_column(Float)


class SignInLink(Base):
    """A one-time sign-in link: only its token's SHA-256 is kept; it expires and works once."""

    __tablename__ = "sign_in_links"
    __table_args__ = (Index("ix_sign_in_links_account_key", "account_key"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_key: Mapped[str] = mapped_column(String(200))
    made_by: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[float] = mapped_column(Float)
    used_at: Mapped[float | None] = mapped_column(Float)


class RoleRecord(Base):
    """One version of a role kept on the server (its role file's text); a change is a new
    version and retiring a role is a version with `retired`. Rows are only ever added."""

    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_roles_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    retired: Mapped[bool] = mapped_column(default=False)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Draft(Base):
    """A form being filled in, saved as it is typed: one per person and skill, replaced by each
    save and dropped once the assessment is saved for real."""

    __tablename__ = "drafts"

    account_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    skill: Mapped[str] = mapped_column(String(20), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    saved_at: Mapped[float] = mapped_column(Float)


class Notice(Base):
    """An email notice sent, or that failed to send (the action it told of stands either way)."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_recipient_key", "recipient_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))
    recipient_key: Mapped[str] = mapped_column(String(200))
    assessment_id: Mapped[int | None] = mapped_column(Integer)
    sent: Mapped[bool] = mapped_column(default=True)
    detail: Mapped[str | None] = mapped_column(String(500))

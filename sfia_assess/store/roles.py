"""Roles kept on the server: each role file's text, checked as `profile --from-file` checks a
file; a change is a new version and retiring a role is a version too (rows are only added)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.catalog import Catalog
from ..core.profiles import ROLE_KEY, ROLE_KEY_LENGTH, RoleProfile, role_profile_from_text
from ..errors import SfiaAssessError
from .database import StoreError
from .models import RoleRecord


@dataclass(frozen=True)
class KeptRole:
    """One version of a role as the store keeps it."""

    key: str
    version: int
    title: str
    content: str
    retired: bool
    recorded_by: str
    recorded_at: dt.datetime

    @classmethod
    def of(cls, row: RoleRecord) -> KeptRole:
        return cls(
            row.key,
            row.version,
            row.title,
            row.content,
            row.retired,
            row.recorded_by,
            row.recorded_at,
        )

    def profile(self, catalog: Catalog) -> RoleProfile:
        """The role as `profile --from-file` reads it (its source: the role's key)."""
        return role_profile_from_text(catalog, self.content, f"role {self.key}")


def check_key(key: str) -> str:
    """A role's key as given, or one sentence saying what a key may be."""
    if len(key) > ROLE_KEY_LENGTH or not ROLE_KEY.fullmatch(key):
        raise StoreError(
            f"{key!r} cannot be a role's key: use lower-case letters, digits and single hyphens"
            f" (at most {ROLE_KEY_LENGTH} characters), e.g. major-incident-manager"
        )
    return key


def _latest(session: Session, key: str) -> RoleRecord | None:
    return session.scalars(
        select(RoleRecord).where(RoleRecord.key == key).order_by(RoleRecord.version.desc()).limit(1)
    ).first()


def save_role(
    session: Session, catalog: Catalog, key: str, content: str, recorded_by: str
) -> tuple[KeptRole, bool]:
    """Keep `content` (a role file's text) as the newest version of the role `key`, checked
    against the catalog first; the kept version, and whether it is new (the same text as the
    current version adds nothing; a retired role saved again is in use again)."""
    check_key(key)
    profile = role_profile_from_text(catalog, content, f"role {key}")
    latest = _latest(session, key)
    if latest is not None and latest.content == content and not latest.retired:
        return KeptRole.of(latest), False
    row = RoleRecord(
        key=key,
        version=(latest.version + 1) if latest is not None else 1,
        title=profile.title[:200],
        content=content,
        retired=False,
        recorded_by=recorded_by,
    )
    session.add(row)
    session.flush()
    return KeptRole.of(row), True


def retire_role(session: Session, key: str, recorded_by: str) -> KeptRole:
    """A version of the role marked retired (its text kept): it leaves the list of roles."""
    latest = _latest(session, key)
    if latest is None:
        raise StoreError(f"there is no role {key!r}; `sfia-assess roles list` lists them")
    if latest.retired:
        return KeptRole.of(latest)
    row = RoleRecord(
        key=key,
        version=latest.version + 1,
        title=latest.title,
        content=latest.content,
        retired=True,
        recorded_by=recorded_by,
    )
    session.add(row)
    session.flush()
    return KeptRole.of(row)


def current_roles(session: Session, *, retired: bool = False) -> list[KeptRole]:
    """Each role's newest version, by title; retired roles only when asked for."""
    newest = (
        select(RoleRecord.key, func.max(RoleRecord.version).label("version"))
        .group_by(RoleRecord.key)
        .subquery()
    )
    rows = session.scalars(
        select(RoleRecord).join(
            newest, (RoleRecord.key == newest.c.key) & (RoleRecord.version == newest.c.version)
        )
    ).all()
    kept = [KeptRole.of(row) for row in rows if retired or not row.retired]
    return sorted(kept, key=lambda r: (r.title.casefold(), r.key))


def current_role(session: Session, key: str) -> KeptRole:
    """The newest version of one role (a retired one too: its pages say so)."""
    latest = _latest(session, key)
    if latest is None:
        raise StoreError(f"there is no role {key!r}")
    return KeptRole.of(latest)


def role_history(session: Session, key: str) -> list[KeptRole]:
    """Every version of a role, newest first."""
    rows = session.scalars(
        select(RoleRecord).where(RoleRecord.key == key).order_by(RoleRecord.version.desc())
    ).all()
    if not rows:
        raise StoreError(f"there is no role {key!r}")
    return [KeptRole.of(row) for row in rows]


def role_profiles(session: Session, catalog: Catalog) -> list[tuple[KeptRole, RoleProfile]]:
    """Every role in use with its profile; a role the catalog can no longer read (a skill
    folder taken away) is left out rather than stopping every page."""
    out = []
    for kept in current_roles(session):
        try:
            out.append((kept, kept.profile(catalog)))
        except SfiaAssessError:  # a skill the catalog no longer has: left out
            continue
    return out

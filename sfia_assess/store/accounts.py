"""Accounts for `serve --shared`: added, listed, disabled, checked; passwords as argon2 hashes."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.identity import person_key
from .database import StoreError
from .models import Account, AuditEntry

ROLES = ("practitioner", "manager", "hr", "admin")
MIN_PASSWORD = 12

_HASHER = PasswordHasher()
# A hash checked when no account matches, so an unknown name costs as long as a wrong password.
_DUMMY = _HASHER.hash("no such account, and no password either")
_CHECKS = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


@dataclass(frozen=True)
class AccountView:
    name: str
    role: str
    manager: str | None
    disabled: bool


def _view(account: Account) -> AccountView:
    return AccountView(account.name, account.role, account.manager_key, account.disabled)


def add_account(
    session: Session, name: str, role: str, password: str, manager: str | None = None
) -> AccountView:
    key = person_key(name)
    if not key:
        raise StoreError('give the account a name, e.g. users add "Priya Nair" --role manager')
    if role not in ROLES:
        raise StoreError(f"role {role!r} is not one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise StoreError(f"the password has under {MIN_PASSWORD} characters; choose a longer one")
    if session.scalars(select(Account).where(Account.key == key)).one_or_none() is not None:
        raise StoreError(f"an account named {name!r} already exists; `users list` shows it")
    manager_key = None
    if manager is not None:
        manager_key = person_key(manager)
        boss = session.scalars(select(Account).where(Account.key == manager_key)).one_or_none()
        if boss is None or boss.role != "manager":
            raise StoreError(
                f"--manager {manager!r} is not a manager's account; add it first with"
                f' users add "{manager}" --role manager'
            )
    account = Account(
        login=" ".join(name.split()),
        name=" ".join(name.split()),
        key=key,
        name_key=key,
        role=role,
        manager_key=manager_key,
        password_hash=_HASHER.hash(password),
        disabled=False,
    )
    session.add(account)
    session.flush()
    return _view(account)


def list_accounts(session: Session) -> list[AccountView]:
    return [_view(a) for a in session.scalars(select(Account).order_by(Account.key))]


def disable_account(session: Session, name: str) -> AccountView:
    account = session.scalars(select(Account).where(Account.key == person_key(name))).one_or_none()
    if account is None:
        raise StoreError(f"no account named {name!r}; `users list` lists them")
    account.disabled = True
    session.flush()
    return _view(account)


def active_account(session: Session, name: str) -> AccountView | None:
    """The enabled account of `name` as the store has it now (a session's role may be stale)."""
    account = session.scalars(select(Account).where(Account.key == person_key(name))).one_or_none()
    return None if account is None or account.disabled else _view(account)


@dataclass(frozen=True)
class SignInCandidate:
    """What checking a password needs, read in a short transaction and checked outside it."""

    password_hash: str
    account: AccountView | None  # None: no enabled account of that name (a dummy hash is checked)


def sign_in_candidate(session: Session, name: str) -> SignInCandidate:
    account = session.scalars(select(Account).where(Account.key == person_key(name))).one_or_none()
    if account is None or account.disabled:
        return SignInCandidate(_DUMMY, None)
    return SignInCandidate(account.password_hash, _view(account))


def password_matches(candidate: SignInCandidate, password: str) -> AccountView | None:
    """The account if `password` matches, else None. Each check takes ~64 MiB and ~0.2 s of one
    core (argon2's defaults), so at most one per core runs at once: fifty people signing in
    together queue here instead of taking gigabytes, and no database connection waits with them."""
    with _CHECKS:
        try:
            _HASHER.verify(candidate.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
    return candidate.account


def check_password(session: Session, name: str, password: str) -> AccountView | None:
    """The account if `name` and `password` match an enabled account, else None."""
    return password_matches(sign_in_candidate(session, name), password)


def audit(
    session: Session, actor: str, action: str, target: str, address: str | None = None
) -> None:
    """Add one line to the audit log (rows there are never changed or deleted)."""
    session.add(AuditEntry(actor=actor, action=action, target=target[:500], address=address))
    session.flush()


def audit_lines(session: Session, limit: int | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.at, AuditEntry.id)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))

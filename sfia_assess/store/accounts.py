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
MIN_STRENGTH = 3  # zxcvbn's score, 0-4: 3 is "safely unguessable" against online attacks

# Argon2id at OWASP's recommended settings (19 MiB, 2 passes, 1 lane): about 25 ms of one core
# a check, where argon2-cffi's defaults (64 MiB, 3 passes, 4 lanes) took 185 ms and made a
# hundred people signing in at once wait 10-20 s on two cores. Hashes made with the old
# settings still verify (a hash carries its settings). Guessing is held back by the sign-in
# limits (store/sessions.py), not by the cost of one check.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
# A hash checked when no account matches, so an unknown name costs as long as a wrong password.
_DUMMY = _HASHER.hash("no such account, and no password either")
_CHECKS = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


@dataclass(frozen=True)
class AccountView:
    name: str
    role: str
    manager: str | None  # the manager's account key
    disabled: bool
    login: str = ""  # the stable id: an email or an employee number (before 0006: the name)
    email: str | None = None
    title: str | None = None
    notify: bool = True
    has_password: bool = True

    @property
    def key(self) -> str:
        """Who this is, in every record of theirs (core.identity)."""
        return person_key(self.login or self.name)


def _view(account: Account) -> AccountView:
    return AccountView(
        account.name,
        account.role,
        account.manager_key,
        account.disabled,
        account.login,
        account.email,
        account.title,
        account.notify,
        account.password_hash is not None,
    )


def _shown(account: Account) -> str:
    return f"{account.name} ({account.login})" if account.login != account.name else account.name


def password_problem(password: str, *about: str | None) -> str | None:
    """Why `password` is too weak to keep (too short, or easy to guess by zxcvbn's measure,
    which also tries the person's own name, login and email in `about`), else None."""
    if len(password) < MIN_PASSWORD:
        return f"the password has under {MIN_PASSWORD} characters; choose a longer one"
    from zxcvbn import zxcvbn  # 0.05 s: only where a password is chosen

    words = [part for text in about if text for part in (text, *text.replace("@", " ").split())]
    found = zxcvbn(password[:100], user_inputs=words)
    if found["score"] >= MIN_STRENGTH:
        return None
    warning = str(found["feedback"].get("warning") or "").rstrip(".")
    why = f" ({warning[:1].lower() + warning[1:]})" if warning else ""
    return f"the password is too easy to guess{why}; choose a longer one of several unrelated words"


def find_account(session: Session, who: str) -> Account | None:
    """The account `who` names: by login first, else by a name only one account has. A name
    that two accounts share names neither: it is refused with both shown."""
    key = person_key(who)
    if not key:
        return None
    account = session.scalars(select(Account).where(Account.key == key)).one_or_none()
    if account is not None:
        return account
    named = list(session.scalars(select(Account).where(Account.name_key == key).limit(5)))
    if len(named) > 1:
        both = " and ".join(_shown(a) for a in named)
        raise StoreError(f"{who!r} names more than one account ({both}); give the login instead")
    return named[0] if named else None


def add_account(
    session: Session,
    name: str,
    role: str,
    password: str | None,
    manager: str | None = None,
    *,
    login: str | None = None,
    email: str | None = None,
    title: str | None = None,
) -> AccountView:
    """Add an account; `login` (its stable id) is its name unless given; with no password it
    signs in only by single sign-on or a one-time link."""
    name = " ".join(name.split())
    login = " ".join((login or name).split())
    key = person_key(login)
    if not key or not person_key(name):
        raise StoreError('give the account a name, e.g. users add "Priya Nair" --role manager')
    if role not in ROLES:
        raise StoreError(f"role {role!r} is not one of {', '.join(ROLES)}")
    weak = password_problem(password, name, login, email) if password is not None else None
    if weak is not None:
        raise StoreError(weak)
    if session.scalars(select(Account).where(Account.key == key)).one_or_none() is not None:
        raise StoreError(
            f"an account with the login {login!r} already exists; `users list` shows it"
        )
    manager_key = None
    if manager is not None:
        boss = find_account(session, manager)
        if boss is None:
            raise StoreError(
                f"--manager {manager!r} is no account's login or name; add it first with"
                f' users add "{manager}" --role manager'
            )
        if boss.role != "manager":
            raise StoreError(
                f"--manager {manager!r} is a {boss.role}'s account, not a manager's; make it a"
                " manager's first"
            )
        manager_key = boss.key
    account = Account(
        login=login,
        name=name,
        key=key,
        name_key=person_key(name),
        email=email.strip().casefold() if email else None,
        title=title,
        role=role,
        manager_key=manager_key,
        password_hash=_HASHER.hash(password) if password is not None else None,
        disabled=False,
    )
    session.add(account)
    session.flush()
    return _view(account)


def list_accounts(session: Session) -> list[AccountView]:
    return [_view(a) for a in session.scalars(select(Account).order_by(Account.key))]


def disable_account(session: Session, name: str) -> AccountView:
    account = find_account(session, name)
    if account is None:
        raise StoreError(f"no account named {name!r}; `users list` lists them")
    account.disabled = True
    session.flush()
    return _view(account)


def active_account(session: Session, key: str) -> AccountView | None:
    """The enabled account whose key is `key`, as the store has it now (a session's role may
    be stale)."""
    account = session.scalars(select(Account).where(Account.key == key)).one_or_none()
    return None if account is None or account.disabled else _view(account)


@dataclass(frozen=True)
class SignInCandidate:
    """What checking a password needs, read in a short transaction and checked outside it."""

    password_hash: str
    account: AccountView | None  # None: no enabled account of that name (a dummy hash is checked)


def sign_in_candidate(session: Session, name: str) -> SignInCandidate:
    """The account signed in to by its login (or a name only it has)."""
    try:
        account = find_account(session, name)
    except StoreError:
        account = None  # a shared name: sign in with the login
    if account is None or account.disabled or account.password_hash is None:
        return SignInCandidate(_DUMMY, None)
    return SignInCandidate(account.password_hash, _view(account))


def password_matches(candidate: SignInCandidate, password: str) -> AccountView | None:
    """The account if `password` matches, else None. Each check takes 19 MiB and ~25 ms of one
    core, and at most one per core runs at once: a hundred people signing in together queue
    here instead of taking gigabytes, and no database connection waits with them."""
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

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
from ..core.people import EMAIL, MANAGING, MAX_TEXT, reporting_loop
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


def view_of(account: Account) -> AccountView:
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
        raise StoreError(f"an account with the login {login!r} already exists")
    manager_key = None
    if manager is not None:
        boss = find_account(session, manager)
        if boss is None:
            raise StoreError(
                f"--manager {manager!r} is no account's login or name; add it first with"
                f' users add "{manager}" --role manager'
            )
        if boss.role not in MANAGING:
            raise StoreError(
                f"--manager {manager!r} is a {boss.role}'s account, not a manager's; make it a"
                " manager's first"
            )
        if boss.disabled:
            raise StoreError(f"--manager {manager!r} is disabled; give an active manager")
        manager_key = boss.key
    account = Account(
        login=login,
        name=name,
        key=key,
        name_key=person_key(name),
        email=_email(session, email),
        title=title,
        role=role,
        manager_key=manager_key,
        password_hash=_HASHER.hash(password) if password is not None else None,
        disabled=False,
    )
    session.add(account)
    session.flush()
    return view_of(account)


def _email(session: Session, email: str | None, account: Account | None = None) -> str | None:
    """An address as accounts keep it (case-folded), refused when it is not one or another
    account has it."""
    email = " ".join((email or "").split()).casefold()
    if not email:
        return None
    if not EMAIL.fullmatch(email) or len(email) > 320:
        raise StoreError(f"{email!r} is not an email address")
    other = session.scalars(select(Account).where(Account.email == email)).one_or_none()
    if other is not None and other is not account:
        raise StoreError(f"the email {email!r} is already {_shown(other)}'s")
    return email


def list_accounts(session: Session) -> list[AccountView]:
    return [view_of(a) for a in session.scalars(select(Account).order_by(Account.key))]


def _named(session: Session, who: str) -> Account:
    account = find_account(session, who)
    if account is None:
        raise StoreError(f"no account named {who!r}; `users list` lists them")
    return account


def reports_of(session: Session, key: str) -> list[Account]:
    """The enabled accounts whose manager is the account `key`."""
    return list(
        session.scalars(
            select(Account)
            .where(Account.manager_key == key, Account.disabled.is_(False))
            .order_by(Account.key)
        )
    )


def _still_managing(session: Session, account: Account, what: str) -> None:
    reports = reports_of(session, account.key)
    if reports:
        shown = ", ".join(_shown(a) for a in reports[:3])
        more = f" and {len(reports) - 3} more" if len(reports) > 3 else ""
        raise StoreError(
            f"{_shown(account)} manages {shown}{more}; give them another manager before {what}"
        )


def disable_account(session: Session, name: str) -> AccountView:
    """Disable an account (it can no longer sign in; its records stay); not a manager's while
    anyone enabled reports to them."""
    account = _named(session, name)
    if not account.disabled:
        _still_managing(session, account, "disabling their account")
    account.disabled = True
    session.flush()
    return view_of(account)


def enable_account(session: Session, name: str) -> AccountView:
    """Enable a disabled account again (its manager must be enabled)."""
    account = _named(session, name)
    if account.disabled and account.manager_key is not None:
        boss = session.scalars(
            select(Account).where(Account.key == account.manager_key)
        ).one_or_none()
        if boss is not None and boss.disabled:
            raise StoreError(
                f"{_shown(account)}'s manager {_shown(boss)} is disabled; give them an active"
                " manager first"
            )
    account.disabled = False
    session.flush()
    return view_of(account)


@dataclass(frozen=True)
class Changed:
    """An account after a change, and what changed (name, from, to)."""

    account: AccountView
    fields: tuple[tuple[str, str, str], ...]

    def __str__(self) -> str:
        said = "; ".join(
            f"{name} {old or '(none)'} -> {new or '(none)'}" for name, old, new in self.fields
        )
        return f"{self.account.login}: {said}" if said else f"{self.account.login}: nothing"


def change_account(
    session: Session,
    who: str,
    actor: str,
    *,
    role: str | None = None,
    manager: str | None = None,
    title: str | None = None,
) -> Changed:
    """Change an account's role, manager (a login or name; "" for none) or title; what is not
    given stays. A manager must be an enabled manager's (or hr's, admin's) account, not the
    person themselves, and not one who reports to them; a manager's role is kept while anyone
    reports to them. A new manager takes what is waiting (people_import.manager_changed). The
    caller writes the audit line (the web page's route does)."""
    from .people_import import manager_changed

    account = _named(session, who)
    fields: list[tuple[str, str, str]] = []
    if role is not None and role != account.role:
        if role not in ROLES:
            raise StoreError(f"role {role!r} is not one of {', '.join(ROLES)}")
        if role not in MANAGING:
            _still_managing(session, account, f"making them a {role}")
        fields.append(("role", account.role, role))
        account.role = role
    if title is not None:
        title = " ".join(title.split())
        if len(title) > MAX_TEXT:
            raise StoreError(f"the title is over {MAX_TEXT} characters")
        if title != (account.title or ""):
            fields.append(("title", account.title or "", title))
            account.title = title or None
    if manager is not None:
        new_key = _manager_key(session, account, manager)
        if new_key != account.manager_key:
            names = {str(k): v for k, v in session.execute(select(Account.key, Account.login))}
            fields.append(
                (
                    "manager",
                    names.get(account.manager_key or "", account.manager_key or ""),
                    names.get(new_key or "", ""),
                )
            )
            account.manager_key = new_key
            session.flush()
            manager_changed(session, account.key, new_key, actor)
    session.flush()
    return Changed(view_of(account), tuple(fields))


def _manager_key(session: Session, account: Account, manager: str) -> str | None:
    if not manager.strip():
        return None
    boss = find_account(session, manager)
    if boss is None:
        raise StoreError(f"no account has the login {manager!r}; give the manager's login")
    if boss.key == account.key:
        raise StoreError(f"{_shown(account)} cannot be their own manager")
    if boss.disabled:
        raise StoreError(f"{_shown(boss)} is disabled; give an active manager")
    if boss.role not in MANAGING:
        raise StoreError(
            f"{_shown(boss)} has the role {boss.role}; give them the role manager first"
        )
    managers = {str(k): v for k, v in session.execute(select(Account.key, Account.manager_key))}
    managers[account.key] = boss.key
    loop = reporting_loop(managers, account.key)
    if loop is not None:
        logins = {str(k): v for k, v in session.execute(select(Account.key, Account.login))}
        round_ = " -> ".join(logins.get(k, k) for k in loop)
        raise StoreError(f"the reporting lines would go round: {round_}")
    return boss.key


def _escaped(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_accounts(
    session: Session, text: str = "", start: int = 0, size: int | None = None
) -> tuple[int, list[AccountView]]:
    """The accounts whose name, login, email, role, title or manager (name or login) contains
    `text` (any case, the identity rule's form), ordered by login: how many in all, and those
    from `start` (at most `size`)."""
    from sqlalchemy import func, or_
    from sqlalchemy.orm import aliased

    boss = aliased(Account)
    query = select(Account).outerjoin(boss, boss.key == Account.manager_key)
    key = person_key(text)
    if key:
        pattern = _escaped(key)
        query = query.where(
            or_(
                Account.key.like(pattern, escape="\\"),
                Account.name_key.like(pattern, escape="\\"),
                Account.email.like(pattern, escape="\\"),
                Account.role.like(pattern, escape="\\"),
                func.lower(Account.title).like(pattern, escape="\\"),
                boss.key.like(pattern, escape="\\"),
                boss.name_key.like(pattern, escape="\\"),
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    query = query.order_by(Account.key).offset(start)
    if size is not None:
        query = query.limit(size)
    return int(total), [view_of(a) for a in session.scalars(query)]


def account_by_id(session: Session, account_id: int) -> Account | None:
    return session.get(Account, account_id)


def set_password(
    session: Session,
    key: str,
    new: str,
    current: str | None = None,
    *,
    without_current: bool = False,
) -> AccountView:
    """Set the account's password: the current one is needed when it has one, unless
    `without_current` (just signed in by a one-time link: the way to reset a forgotten one)."""
    account = session.scalars(select(Account).where(Account.key == key)).one_or_none()
    if account is None or account.disabled:
        raise StoreError("this account is disabled or gone; sign in again")
    if len(new) < MIN_PASSWORD:
        raise StoreError(
            f"the new password has under {MIN_PASSWORD} characters; choose a longer one"
        )
    weak = password_problem(new, account.name, account.login, account.email)
    if weak is not None:
        raise StoreError(weak.replace("the password", "the new password", 1))
    if account.password_hash is not None and not without_current:
        try:
            with _CHECKS:
                _HASHER.verify(account.password_hash, current or "")
        except (VerificationError, InvalidHashError):
            raise StoreError("the current password is not right; type it again") from None
    account.password_hash = _HASHER.hash(new)
    session.flush()
    return view_of(account)


def active_account(session: Session, key: str) -> AccountView | None:
    """The enabled account whose key is `key`, as the store has it now (a session's role may
    be stale)."""
    account = session.scalars(select(Account).where(Account.key == key)).one_or_none()
    return None if account is None or account.disabled else view_of(account)


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
    return SignInCandidate(account.password_hash, view_of(account))


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

"""What every `serve --shared` process shares through the store: the session-signing key, the
signed-in sessions, the sign-in limits and forms kept across a sign-in.

Nothing here grows with what strangers send: a limit's row is made only for an attempt that is
let through to the password check, and an address is let through a bounded number of times.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from .models import Account, KeptForm, ServerSecret, SignInLimit, SignInSession

SIGNING_KEY = "session-signing-key"
KEEP_SECONDS = 24 * 3600  # an ended session's row, and a kept form, are dropped after this

# Failed sign-ins let through before each key must wait: one account from one address (the
# guesser), one account from anywhere (guessers on many addresses), one address for any
# account (one guesser trying many accounts). Each key forgets its failures at that many per
# LEAK_WINDOW, so a busy office behind one NAT address, mistyping now and then all day, never
# adds up to a lockout; and the address allows more than any office signs in at once, since an
# attempt counts from before its check until it succeeds.
PER_ACCOUNT_AND_ADDRESS = 5
PER_ACCOUNT = 50
PER_ADDRESS = 200
LEAK_WINDOW = 15 * 60.0
FIRST_WAIT = 30.0  # seconds; doubled by each further failure, up to LONGEST_WAIT
LONGEST_WAIT = 15 * 60.0
FORGET_AFTER = 3600.0  # a key untouched this long (and not waiting) is dropped
MAX_NAME = 200  # characters of an account name that count (longer names are no account's)
MAX_ADDRESS = 100


def _insert_missing(session: Session, table: Any, values: dict[str, Any]) -> None:
    """INSERT unless a row with that primary key exists (made by another process meanwhile)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(table).values(**values).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(table).values(**values).on_conflict_do_nothing())


def signing_key(session: Session) -> bytes:
    """The store's random session-signing key, made by the first process that asks."""
    found = session.get(ServerSecret, SIGNING_KEY)
    if found is None:
        values = {"name": SIGNING_KEY, "value": secrets.token_bytes(32)}
        _insert_missing(session, ServerSecret.__table__, values)
        found = session.get(ServerSecret, SIGNING_KEY)
    assert found is not None
    return bytes(found.value)


def open_session(session: Session, session_id: str, account_key: str, expires_at: float) -> None:
    session.add(SignInSession(id=session_id, account_key=account_key, expires_at=expires_at))
    session.flush()


@dataclass(frozen=True)
class LiveAccount:
    """Who a live session is, as the account is now (its role and manager may have changed)."""

    name: str
    role: str
    manager: str | None  # the manager's account key
    login: str


def live_account(session: Session, session_id: str, key: str, now: float) -> LiveAccount | None:
    """The enabled account `key`, when the session `session_id` was opened here for it, is not
    ended and has not expired; else None. One query: it is asked on every signed-in request."""
    live = (
        select(SignInSession.id)
        .where(
            SignInSession.id == session_id,
            SignInSession.account_key == key,
            SignInSession.ended.is_(False),
            SignInSession.expires_at >= now,
        )
        .exists()
    )
    row = session.execute(
        select(Account.name, Account.role, Account.manager_key, Account.login).where(
            Account.key == key, Account.disabled.is_(False), live
        )
    ).one_or_none()
    return None if row is None else LiveAccount(*row)


def end_session(session: Session, session_id: str) -> None:
    session.execute(update(SignInSession).where(SignInSession.id == session_id).values(ended=True))


def forget_old(session: Session, now: float) -> None:
    """Drop what can no longer matter: sessions a day past expiry, old kept forms, and limits
    with no recent failure and no wait."""
    session.execute(delete(SignInSession).where(SignInSession.expires_at < now - KEEP_SECONDS))
    session.execute(delete(KeptForm).where(KeptForm.kept_at < now - KEEP_SECONDS))
    session.execute(
        delete(SignInLimit).where(
            SignInLimit.last_at < now - FORGET_AFTER, SignInLimit.blocked_until < now
        )
    )


@dataclass(frozen=True)
class Attempt:
    """What the limiter decided: wait this long (0: check the password now), and whether this
    attempt made a key wait from now on (a lockout, for the audit log)."""

    wait: float
    locks_out: bool


def limit_keys(account_key: str, address: str) -> list[tuple[str, int]]:
    """The keys an attempt counts against, with how many failures each lets through. Always
    in this order, so that two attempts lock rows in the same order (no deadlock), and the
    address first: an address that must wait adds no row for the names it sends."""
    account = account_key[:MAX_NAME]
    where = address[:MAX_ADDRESS]
    return [
        (f"address:{where}", PER_ADDRESS),
        (f"account:{account}", PER_ACCOUNT),
        (f"pair:{account}\n{where}", PER_ACCOUNT_AND_ADDRESS),
    ]


def _locked_row(session: Session, key: str, allowed: int, now: float) -> SignInLimit:
    values = {"key": key, "failures": 0, "last_at": now, "blocked_until": 0.0}
    _insert_missing(session, SignInLimit.__table__, values)
    query = select(SignInLimit).where(SignInLimit.key == key).with_for_update()
    row = session.scalars(query).one()
    period = LEAK_WINDOW / allowed  # one failure forgotten per period
    leaked = int((now - row.last_at) // period)
    if leaked > 0:
        row.failures = max(0, row.failures - leaked)
        row.last_at = now if row.failures == 0 else row.last_at + leaked * period
    return row


def reserve_attempt(session: Session, account_key: str, address: str, now: float) -> Attempt:
    """Count a sign-in attempt as failed BEFORE its password is checked (a success gives it
    back), so that attempts sent at once cannot all be checked: the rows are locked until this
    transaction ends, and the attempt that reaches a limit makes the next ones wait."""
    return _reserve(session, limit_keys(account_key, address), now)


def reserve_address(session: Session, address: str, now: float) -> Attempt:
    """Count a single sign-on answer against its address's limit before it is checked (a
    success gives it back). The provider checks who the person is; what is limited here is a
    stranger making this server ask the provider, over and over, about answers it never gave."""
    return _reserve(session, limit_keys("", address)[:1], now)


def address_succeeded(session: Session, address: str) -> None:
    """A single sign-on answer held: the attempt reserved against its address is given back."""
    key = limit_keys("", address)[0][0]
    session.execute(
        update(SignInLimit)
        .where(SignInLimit.key == key, SignInLimit.failures > 0)
        .values(failures=SignInLimit.failures - 1)
    )


def _reserve(session: Session, keys: list[tuple[str, int]], now: float) -> Attempt:
    rows: list[tuple[SignInLimit, int]] = []
    for key, allowed in keys:
        row = _locked_row(session, key, allowed, now)
        if row.blocked_until > now:
            return Attempt(row.blocked_until - now, False)
        rows.append((row, allowed))
    locks_out = False
    for row, allowed in rows:
        if row.failures == 0:
            row.last_at = now  # the leak starts from the first failure
        row.failures += 1
        if row.failures >= allowed:
            extra = row.failures - allowed
            row.blocked_until = now + min(LONGEST_WAIT, FIRST_WAIT * 2.0 ** min(extra, 20))
            locks_out = True
    session.flush()
    return Attempt(0.0, locks_out)


def attempt_succeeded(session: Session, account_key: str, address: str) -> None:
    """The password matched: that account may sign in from that address again at once, and the
    attempt reserved against the account and the address is given back."""
    *others, pair = limit_keys(account_key, address)
    session.execute(delete(SignInLimit).where(SignInLimit.key == pair[0]))
    for key, _ in others:
        session.execute(
            update(SignInLimit)
            .where(SignInLimit.key == key, SignInLimit.failures > 0)
            .values(failures=SignInLimit.failures - 1)
        )


def keep_form(session: Session, account_key: str, content: bytes, now: float) -> str:
    kept = KeptForm(
        id=secrets.token_urlsafe(24), account_key=account_key, content=content, kept_at=now
    )
    session.add(kept)
    session.flush()
    return kept.id


def take_kept_form(session: Session, kept_id: str, account_key: str) -> bytes | None:
    """The form kept for this account under `kept_id` (then forgotten), else None."""
    found = session.get(KeptForm, kept_id)
    if found is None or found.account_key != account_key:
        return None
    content = bytes(found.content)
    session.delete(found)
    return content

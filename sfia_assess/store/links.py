"""One-time sign-in links: a random token given once to the person (only its SHA-256 is kept),
good for a number of hours and for one sign-in, to an enabled account only."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .accounts import AccountView, active_account, audit, find_account, view_of
from .database import StoreError
from .models import SignInLink

DEFAULT_HOURS = 72
MAX_HOURS = 24 * 30
TOKEN_BYTES = 32
MAX_TOKEN = 100  # longer is no token of ours: refused before it is hashed

# What a refused link says, in one plain sentence each.
USED = "This sign-in link has been used already; ask your administrator for a new one."
EXPIRED = "This sign-in link has expired; ask your administrator for a new one."
UNKNOWN = (
    "This sign-in link is not one this server made; check that you copied all of it, or ask"
    " your administrator for a new one."
)
DISABLED = "The account of this sign-in link is disabled; ask your administrator."


class LinkRefused(StoreError):
    """A link that cannot sign anyone in; its message is the sentence to show."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class MadeLink:
    token: str  # shown once, never kept
    account: AccountView
    expires_at: float

    def url(self, base_url: str | None) -> str:
        """The link to give: the server's address and /link/TOKEN (the path alone if none)."""
        path = f"/link/{self.token}"
        return base_url.rstrip("/") + path if base_url else path


def make_link(
    session: Session,
    who: str,
    made_by: str,
    hours: float = DEFAULT_HOURS,
    now: float | None = None,
    address: str | None = None,
) -> MadeLink:
    """A new link for the account `who` names (login, or a name only it has)."""
    if not 0 < hours <= MAX_HOURS:
        raise StoreError(f"a link lasts from 1 to {MAX_HOURS} hours; {hours:g} is outside that")
    account = find_account(session, who)
    if account is None:
        raise StoreError(f"no account has the login {who!r}; `users list` lists them")
    if account.disabled:
        raise StoreError(
            f"the account {account.login!r} is disabled; enable it first (users enable)"
        )
    now = time.time() if now is None else now
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = now + hours * 3600
    session.add(
        SignInLink(
            token_hash=token_hash(token),
            account_key=account.key,
            made_by=made_by,
            expires_at=expires_at,
            used_at=None,
        )
    )
    audit(session, made_by, "made-link", f"sign-in link for {account.login}", address)
    return MadeLink(token, view_of(account), expires_at)


def _found(session: Session, token: str, now: float) -> tuple[SignInLink, AccountView]:
    if not token or len(token) > MAX_TOKEN:
        raise LinkRefused(UNKNOWN)
    link = session.get(SignInLink, token_hash(token))
    if link is None:
        raise LinkRefused(UNKNOWN)
    if link.used_at is not None:
        raise LinkRefused(USED)
    if link.expires_at <= now:
        raise LinkRefused(EXPIRED)
    account = active_account(session, link.account_key)
    if account is None:
        raise LinkRefused(DISABLED)
    return link, account


def link_account(session: Session, token: str, now: float | None = None) -> AccountView:
    """Whose link this is, if it can still sign in (LinkRefused else); it is not used up."""
    return _found(session, token, time.time() if now is None else now)[1]


def use_link(
    session: Session, token: str, now: float | None = None, address: str | None = None
) -> AccountView:
    """Use the link up and return its account (LinkRefused when it cannot sign in). Marked
    used only where no other request has used it first: two at once sign in once."""
    now = time.time() if now is None else now
    link, account = _found(session, token, now)
    marked = session.execute(
        update(SignInLink)
        .where(SignInLink.token_hash == link.token_hash, SignInLink.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(marked, "rowcount", 1) != 1:
        raise LinkRefused(USED)
    audit(session, account.name, "signed-in", f"one-time link of {account.login}", address)
    return account


def links_of(session: Session, who: str) -> list[SignInLink]:
    """The links made for an account (tests and the admin's page read them)."""
    account = find_account(session, who)
    if account is None:
        return []
    key: str = account.key
    return list(session.scalars(select(SignInLink).where(SignInLink.account_key == key)))

"""Single sign-on in the store: whose account a provider's claim names (and, when the server
allows it, a new practitioner's account for someone it does not know), and each sign-in's state
spent once, so that a provider's answer replayed is refused by every server process."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..core.identity import person_key
from .accounts import AccountView, active_account, add_account
from .database import StoreError
from .models import Account, SignInSession

EMAIL = "email"
ASK = "ask your HR team"


@dataclass(frozen=True)
class SignOn:
    """The account signed in to, or the sentence that refuses it; `created`: made just now."""

    account: AccountView | None
    refusal: str = ""
    created: bool = False


def claimed_account(session: Session, claim: str, value: str) -> Account | None:
    """The account the claim names: by email (any case) for `email`, else by login, compared
    as every login is (core.identity's key), never by a display name."""
    if claim == EMAIL:
        email = value.strip().casefold()
        if not email:
            return None
        query = select(Account).where(
            or_(Account.email == email, func.lower(Account.email) == email)
        )
        return session.scalars(query.limit(1)).one_or_none()
    key = person_key(value)
    if not key:
        return None
    return session.scalars(select(Account).where(Account.key == key)).one_or_none()


def sign_on(
    session: Session,
    claim: str,
    value: str,
    *,
    name: str = "",
    email: str = "",
    create: bool = False,
) -> SignOn:
    """The enabled account for the claim's value; with `create`, an unknown person gets a
    practitioner's account (no password: they sign in by single sign-on), named by the
    provider's `name` claim."""
    account = claimed_account(session, claim, value)
    if account is None and create:
        return _created(session, claim, value, name, email)
    if account is None:
        return SignOn(None, f"no account for {value} here; {ASK}")
    if account.disabled:
        return SignOn(None, f"the account for {value} is disabled; {ASK}")
    return SignOn(active_account(session, account.key))


def _created(session: Session, claim: str, value: str, name: str, email: str) -> SignOn:
    if claim == EMAIL:
        email = value
    taken = email and claimed_account(session, EMAIL, email) is not None
    try:
        made = add_account(
            session,
            name.strip() or value,
            "practitioner",
            None,
            login=value,
            email=None if taken else (email or None),
        )
    except StoreError as exc:
        return SignOn(None, f"no account could be made for {value} ({exc}); {ASK}")
    return SignOn(made, created=True)


def spend_state(session: Session, state: str, expires_at: float) -> bool:
    """Mark a sign-in's state as used: True the first time, False ever after (until it has long
    expired). It is kept as an ended session under the state's hash: never a live one, and
    dropped with the old sessions."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(state.encode()).digest()).rstrip(b"=")
    values = {
        "id": "sso:" + digest.decode(),
        "account_key": "",
        "expires_at": expires_at,
        "ended": True,
    }
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    # RETURNING says whether the row was made (a driver's rowcount may be -1 here).
    made = insert(SignInSession).values(**values).on_conflict_do_nothing()
    return session.execute(made.returning(SignInSession.id)).first() is not None

"""Signing in by a one-time link, and everyone's own password.

GET /link/TOKEN only shows whose link it is and a button: mail scanners that open every link
in a message must not use it up. The button's POST signs in (the link is then used) and offers
to set a password; a session opened by a link may set one without the current password (the
way to reset a forgotten one), as long as its cookie `sfia_password` holds that session's grant.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..errors import SfiaAssessError, StoreUnavailable
from .audit import audit_as
from .auth import (
    CSRF_FIELD,
    LOGIN_FORM_SECONDS,
    MAX_FORM_BYTES,
    Sessions,
    current_user,
    read_body,
    too_large,
)
from .errorpages import NotFound
from .services import page, services
from .signin import MAX_PASSWORD, parsed_form, signed_in

LINK_COOKIE = "sfia_link"  # the confirmation form's nonce; the form carries its signature
GRANT_COOKIE = "sfia_password"  # a session opened by a link may set a password without the old


def _address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _refused(message: str, status_code: int = 410) -> Response:
    return page("link.html.j2", status_code=status_code, title="Sign-in link", refused=message)


async def confirm_page(request: Request) -> Response:
    """Whose link this is and a button to sign in; nothing is used up by opening it."""
    from ..store.links import LinkRefused, link_account

    token = request.path_params["token"]
    try:
        account = await services(request).read(lambda s: link_account(s, token))
    except LinkRefused as exc:
        return _refused(str(exc))
    sessions: Sessions = request.app.state.sessions
    await run_in_threadpool(sessions.key)
    nonce = secrets.token_urlsafe(16)
    response = page(
        "link.html.j2",
        title="Sign in with your link",
        refused="",
        account=account,
        action=f"/link/{token}",
        csrf_token=sessions.login_token(nonce),
    )
    response.set_cookie(
        LINK_COOKIE,
        nonce,
        max_age=LOGIN_FORM_SECONDS,
        path="/link/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


async def use(request: Request) -> Response:
    """Sign in with the link (it is used up in the same transaction that opens the session)."""
    from ..store.links import LinkRefused, link_account, use_link

    body = await read_body(request.receive, MAX_FORM_BYTES)
    if body is None:
        return too_large()
    form = parsed_form(body)
    sessions: Sessions = request.app.state.sessions
    await run_in_threadpool(sessions.key)
    token = request.path_params["token"]
    if not sessions.login_token_matches(
        request.cookies.get(LINK_COOKIE), str(form.get(CSRF_FIELD, ""))
    ):
        return _refused("This page had expired; open your sign-in link again.", 403)
    address = _address(request)
    try:
        account = await services(request).read(lambda s: link_account(s, token))

        def used(session: Any) -> None:
            use_link(session, token, address=address)

        response, claimed = await signed_in(request, account, "/account/password", used)
    except LinkRefused as exc:
        return _refused(str(exc))
    response.delete_cookie(
        LINK_COOKIE,
        path="/link/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    response.set_cookie(
        GRANT_COOKIE,
        sessions.password_grant(claimed),
        max_age=LOGIN_FORM_SECONDS,
        path="/account/password",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


def _granted(request: Request) -> bool:
    user = current_user(request)
    sessions: Sessions = request.app.state.sessions
    grant = request.cookies.get(GRANT_COOKIE, "")
    return (
        user is not None
        and bool(grant)
        and hmac.compare_digest(grant, sessions.password_grant(user))
    )


async def _password_page(
    request: Request, message: str = "", done: bool = False, status_code: int = 200
) -> Response:
    from ..store.accounts import MIN_PASSWORD, active_account

    user = current_user(request)
    if user is None:  # single-user mode has no accounts
        raise NotFound()
    key = user.key
    account = await services(request).read(lambda s: active_account(s, key))
    if account is None:
        raise NotFound()
    granted = _granted(request)
    return page(
        "account_password.html.j2",
        status_code=status_code,
        title="Your password",
        account=account,
        needs_current=account.has_password and not granted,
        granted=granted,
        min_password=MIN_PASSWORD,
        message=message,
        done=done,
    )


async def password_form(request: Request) -> Response:
    return await _password_page(request)


async def change_password(request: Request) -> Response:
    """Set one's own password: the current one is needed when there is one, unless this
    session was opened by a one-time link."""
    from ..store.accounts import set_password

    user = current_user(request)
    if user is None:
        raise NotFound()
    body = await read_body(request.receive, MAX_FORM_BYTES)
    if body is None:
        return too_large()
    form = parsed_form(body)
    current = str(form.get("current", ""))[:MAX_PASSWORD]
    new = str(form.get("new", ""))[:MAX_PASSWORD]
    again = str(form.get("again", ""))[:MAX_PASSWORD]
    if new != again:
        return await _password_page(
            request, "The two new passwords differ; type the same one twice.", status_code=422
        )
    granted = _granted(request)
    key = user.key

    def work(session: Any) -> object:
        return set_password(session, key, new, current, without_current=granted)

    try:
        await services(request).write(work)
    except StoreUnavailable:
        raise
    except SfiaAssessError as exc:
        return await _password_page(request, _sentence(str(exc)), status_code=422)
    audit_as(request, f"own password of {user.login}")
    response = await _password_page(request, done=True)
    response.delete_cookie(
        GRANT_COOKIE,
        path="/account/password",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")

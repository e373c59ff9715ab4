"""Signing in and out of `serve --shared`, the sign-in limits, and handing back a form that was
posted after its session had ended.

A sign-in attempt is counted against its limits (store/sessions.py) before its password is
checked: attempts sent at once queue for the count, and those past the limit are never checked.
Failed sign-ins, lockouts and sign-outs go to the audit log.
"""

from __future__ import annotations

import hmac
import math
import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from ..core.identity import person_key
from ..store.sessions import MAX_ADDRESS, MAX_NAME, Attempt
from .access import landing
from .auth import (
    COOKIE,
    COOKIE_SECONDS,
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    KEPT_COOKIE,
    LOGIN_COOKIE,
    LOGIN_FORM_SECONDS,
    MAX_FORM_BYTES,
    Sessions,
    User,
    current_user,
    read_body,
    too_large,
)

if TYPE_CHECKING:
    from ..store.accounts import AccountView

MAX_PASSWORD = 1024  # characters checked; argon2 needs no more, and longer costs time


def client_address(request: Request) -> str:
    return (request.client.host if request.client else "unknown")[:MAX_ADDRESS]


async def _form(request: Request) -> FormData | None:
    """The posted urlencoded form, read only up to MAX_FORM_BYTES (None past it)."""
    body = await read_body(request.receive, MAX_FORM_BYTES)
    if body is None:
        return None
    return parsed_form(body)


def parsed_form(body: bytes) -> FormData:
    fields: list[tuple[str, str | UploadFile]] = []
    fields.extend(parse_qsl(body.decode("latin-1"), keep_blank_values=True))
    return FormData(fields)


def login_page(
    request: Request, message: str = "", status_code: int = 200, name: str = ""
) -> HTMLResponse:
    """The sign-in form, with a fresh CSRF token: a nonce in a cookie, its signature a field;
    with a single sign-on button when a provider is set, and without the password form when
    password sign-in is turned off."""
    from .services import page

    sessions: Sessions = request.app.state.sessions
    nonce = secrets.token_urlsafe(16)
    response = page(
        "login.html.j2",
        status_code=status_code,
        title="Sign in",
        message=message,
        name=name,
        csrf_token=sessions.login_token(nonce),
        single_sign_on=getattr(request.app.state, "oidc", None) is not None,
        passwords=password_sign_in(request),
    )
    response.set_cookie(
        LOGIN_COOKIE,
        nonce,
        max_age=LOGIN_FORM_SECONDS,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


def password_sign_in(request: Request) -> bool:
    """Whether people may sign in with a password here (`serve --no-password-sign-in`: not)."""
    return bool(getattr(request.app.state, "password_sign_in", True))


async def login_form(request: Request) -> Response:
    sessions: Sessions = request.app.state.sessions
    await run_in_threadpool(sessions.key)  # the store's key read off the event loop
    return login_page(request)


def _reserve(session: Any, name: str, address: str) -> Attempt:
    from ..store.accounts import audit
    from ..store.sessions import reserve_attempt

    attempt = reserve_attempt(session, person_key(name), address, time.time())
    if attempt.locks_out:
        audit(session, name or "(no name)", "locked-out", "sign-in", address)
    return attempt


def wait_message(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many failed sign-ins; wait {minutes} {unit} and try again."


async def login(request: Request) -> Response:
    from ..store.accounts import audit, password_matches, sign_in_candidate
    from ..store.sessions import attempt_succeeded
    from .services import services

    if not password_sign_in(request):
        message = "Password sign-in is turned off here; sign in with single sign-on."
        return login_page(request, message, 403)
    form = await _form(request)
    if form is None:
        return too_large()
    name = " ".join(str(form.get("name", ""))[:MAX_NAME].split())
    password = str(form.get("password", ""))[:MAX_PASSWORD]
    address = client_address(request)
    sessions: Sessions = request.app.state.sessions
    await run_in_threadpool(sessions.key)
    token = str(form.get(CSRF_FIELD, ""))
    if not sessions.login_token_matches(request.cookies.get(LOGIN_COOKIE), token):
        message = "This sign-in form had expired; sign in again."
        return login_page(request, message, 403, name)
    attempt = await services(request).write(lambda s: _reserve(s, name, address))
    if attempt.wait > 0:
        return login_page(request, wait_message(attempt.wait), 429, name)
    candidate = await services(request).read(lambda s: sign_in_candidate(s, name))
    found = await run_in_threadpool(password_matches, candidate, password)
    if found is None:
        who = name or "(no name)"
        await services(request).write(lambda s: audit(s, who, "sign-in-failed", "session", address))
        message = "That name and password do not match an account."
        return login_page(request, message, 401, name)

    def succeeded(session: Any) -> None:
        attempt_succeeded(session, person_key(name), address)
        audit(session, found.name, "signed-in", "session", address)

    return await signed_in_home(request, found, succeeded)


async def signed_in_home(
    request: Request, found: AccountView, also: Callable[[Any], None]
) -> Response:
    """Signed in (by password or single sign-on): on to the form kept across the sign-in, else
    the home page; the sign-in form's own cookie is done with."""
    kept = request.cookies.get(KEPT_COOKIE)
    to = "/assessment/kept" if kept else landing(found.role)
    response, _ = await signed_in(request, found, to, also)
    response.delete_cookie(
        LOGIN_COOKIE,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


async def signed_in(
    request: Request, found: AccountView, to: str, also: Callable[[Any], None]
) -> tuple[Response, User]:
    """A new session for `found` (`also` done in its transaction: the audit line), its cookies
    set on a redirect to `to`; and who is now signed in."""
    sessions: Sessions = request.app.state.sessions
    cookie = await run_in_threadpool(
        lambda: sessions.issue(found.name, found.role, found.manager, also=also, login=found.login)
    )
    claimed = sessions.claims(cookie)
    assert claimed is not None  # a cookie just issued always checks
    response = RedirectResponse(to, status_code=303)
    secure = request.url.scheme == "https"
    response.set_cookie(
        COOKIE, cookie, max_age=COOKIE_SECONDS, httponly=True, samesite="lax", secure=secure
    )
    response.set_cookie(
        CSRF_COOKIE,
        sessions.csrf_token(claimed),
        max_age=COOKIE_SECONDS,
        samesite="strict",
        secure=secure,
    )
    return response, claimed


async def logout(request: Request) -> Response:
    """End the session for good; only with its CSRF token (another site cannot sign anyone
    out). Without a session there is nothing to end: the sign-in page."""
    from ..store.accounts import audit
    from .services import services

    sessions: Sessions = request.app.state.sessions
    user = await run_in_threadpool(sessions.user, request.cookies.get(COOKIE))
    if user is not None:
        token = request.headers.get(CSRF_HEADER, "")
        if not token:
            form = await _form(request)
            if form is None:
                return too_large()
            token = str(form.get(CSRF_FIELD, ""))
        if not hmac.compare_digest(token, sessions.csrf_token(user)):
            return PlainTextResponse(
                "refused: this sign-out lacks its page's CSRF token; reload the page",
                status_code=403,
            )
        await run_in_threadpool(sessions.end, user)
        address = client_address(request)
        await services(request).write(
            lambda s: audit(s, user.name, "signed-out", "session", address)
        )
    response = RedirectResponse("/login", status_code=303)
    secure = request.url.scheme == "https"
    response.delete_cookie(COOKIE, httponly=True, samesite="lax", secure=secure)
    response.delete_cookie(CSRF_COOKIE, samesite="strict", secure=secure)
    return response


async def kept_form(request: Request) -> Response:
    """The assessment form posted after its session ended, handed back to the person who
    posted it, now signed in again: nothing was saved, and nothing is lost."""
    from ..store.sessions import take_kept_form
    from .forms import from_form
    from .practitioner import editor
    from .services import services

    user = current_user(request)
    kept = request.cookies.get(KEPT_COOKIE, "")
    content = None
    if user is not None and kept:
        account = user.key
        content = await services(request).write(lambda s: take_kept_form(s, kept, account))
    if content is None:
        response: Response = RedirectResponse("/", status_code=303)
    else:
        form = parsed_form(content)
        notice = (
            "Your session had ended, so nothing was saved: here is your form as you left it."
            " Press Save (or Submit) again."
        )
        response = await editor(request, from_form(form, form.getlist), notice=notice)
    response.delete_cookie(
        KEPT_COOKIE, httponly=True, samesite="lax", secure=request.url.scheme == "https"
    )
    return response

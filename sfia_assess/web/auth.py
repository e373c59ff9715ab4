"""Sessions for `serve --shared`: signed session cookies kept in the store (so a restart, or
another server process on the same store, knows them), sign-out that ends a session for good,
and a CSRF token per session. Signing in and out is in signin.py.

A cookie is `payload.signature`, HMAC-SHA256 over the payload, so it cannot be forged or
altered. The key is derived from $SFIA_ASSESS_SECRET when the admin sets one, else it is a
random key made once and kept in the store.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..core.identity import person_key
from .bodylimit import FORM_BYTES, UPLOAD_BYTES

if TYPE_CHECKING:
    from sqlalchemy import Engine

COOKIE = "sfia_session"
SESSION_SECONDS = 8 * 3600
# The browser keeps the cookie a day longer than the session lasts, so that a form posted
# after it expired still says whose it was (and is kept for them: see RequireSignIn).
COOKIE_SECONDS = SESSION_SECONDS + 24 * 3600
SECRET_ENV = "SFIA_ASSESS_SECRET"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
_OPEN_PATHS = ("/login", "/logout", "/static/", "/link/")
CSRF_COOKIE = "sfia_csrf"  # read by static/csrf.js, which sends it back as X-CSRF-Token
LOGIN_COOKIE = "sfia_login"  # the sign-in form's nonce; the form carries its signature
KEPT_COOKIE = "sfia_kept"  # names a form posted after its session ended (see signin.py)
LOGIN_FORM_SECONDS = 3600
# Bodies read here (for a CSRF token) are read no further than BodyLimit lets anyone read.
MAX_FORM_BYTES = FORM_BYTES
MAX_UPLOAD_BYTES = UPLOAD_BYTES
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Forms whose content is kept when their session has ended (the assessment editor's).
_KEPT_PATHS = frozenset(
    {
        "/assessment/save",
        "/assessment/submit",
        "/assessment/edit",
        "/assessment/check",
        "/assessment/download.yaml",
        "/assessment/report.pdf",
    }
)


@dataclass(frozen=True)
class User:
    name: str
    role: str
    manager: str | None  # the manager's account key
    session_id: str
    expires: float = 0.0
    login: str = ""  # the account's stable id (its name for accounts made before 0006)

    @property
    def key(self) -> str:
        """Who this is in every record of theirs (core.identity)."""
        return person_key(self.login or self.name)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_from_secret(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"sfia-assess session signing key", hashlib.sha256).digest()


class Sessions:
    """Issues and checks session cookies. A session lives in the store from sign-in until it
    ends (sign-out) or expires; its cookie is checked against it on every request.

    The methods taking the store run off the event loop (they are called in a thread)."""

    def __init__(self, engine: Callable[[], Engine], secret: str | None = None) -> None:
        self._engine = engine
        self._key = key_from_secret(secret) if secret else None
        self._lock = threading.Lock()

    @classmethod
    def from_environment(cls, engine: Callable[[], Engine]) -> Sessions:
        return cls(engine, os.environ.get(SECRET_ENV) or None)

    def engine(self) -> Engine:
        return self._engine()

    def key(self) -> bytes:
        """The signing key: from the secret, else the store's (read once)."""
        with self._lock:
            if self._key is None:
                from ..store import writing
                from ..store.sessions import signing_key

                self._key = writing(self._engine(), signing_key)
            return self._key

    def _sign(self, payload: str) -> str:
        # One call into OpenSSL (hmac.new builds two hash objects first): three or four of
        # these on every signed-in request.
        return _b64(hmac.digest(self.key(), payload.encode(), "sha256"))

    def issue(
        self,
        name: str,
        role: str,
        manager: str | None,
        now: float | None = None,
        also: Callable[[Any], None] | None = None,
        login: str | None = None,
    ) -> str:
        """A new session, kept in the store, and its cookie; `also` is done in the same
        transaction (the sign-in's audit line)."""
        from ..store import writing
        from ..store.sessions import forget_old, open_session

        now = now or time.time()
        session_id = secrets.token_urlsafe(16)
        expires = int(now + SESSION_SECONDS)

        def work(session: Any) -> None:
            forget_old(session, now)
            open_session(session, session_id, person_key(login or name), expires)
            if also is not None:
                also(session)

        writing(self._engine(), work)
        body = {"n": name, "r": role, "m": manager, "s": session_id, "e": expires}
        body["l"] = login or name
        payload = _b64(json.dumps(body, separators=(",", ":")).encode())
        return f"{payload}.{self._sign(payload)}"

    def claims(self, cookie: str | None) -> User | None:
        """Who the cookie says it is, if its signature holds: expired or ended or not."""
        if not cookie or cookie.count(".") != 1:
            return None
        payload, signature = cookie.split(".")
        if not hmac.compare_digest(signature, self._sign(payload)):
            return None
        try:
            body = json.loads(_unb64(payload))
            login = str(body.get("l") or body["n"])
            return User(str(body["n"]), str(body["r"]), body["m"], str(body["s"]), body["e"], login)
        except (ValueError, KeyError, TypeError):
            return None

    def user(self, cookie: str | None, now: float | None = None) -> User | None:
        """The signed-in user, as the store has them now: None for a session that is not in
        the store, has ended or expired, or whose account is disabled; else the account's
        current role and manager (a session's may be stale)."""
        claimed = self.claims(cookie)
        now = now or time.time()
        if claimed is None or claimed.expires < now:
            return None
        from ..store.database import reading
        from ..store.sessions import live_account

        with reading(self._engine()) as session:
            account = live_account(session, claimed.session_id, claimed.key, now)
        if account is None:
            return None
        return User(
            account.name,
            account.role,
            account.manager,
            claimed.session_id,
            claimed.expires,
            account.login,
        )

    def end(self, user: User) -> None:
        """End a session for good: its cookie, replayed, is refused (by every process)."""
        from ..store import writing
        from ..store.sessions import end_session

        writing(self._engine(), lambda session: end_session(session, user.session_id))

    def csrf_token(self, user: User) -> str:
        return self._sign("csrf:" + user.session_id)

    def password_grant(self, user: User) -> str:
        """What lets this session set a password without the current one: it was opened by a
        one-time link (kept in a cookie until the password is set)."""
        return self._sign("password:" + user.session_id)

    def login_token(self, nonce: str) -> str:
        """The sign-in form's CSRF token for the nonce in its cookie (double submit, signed)."""
        return self._sign("login:" + nonce)

    def login_token_matches(self, nonce: str | None, token: str) -> bool:
        return bool(nonce) and hmac.compare_digest(token, self.login_token(nonce or ""))


def cookie_value(headers: Headers, name: str = COOKIE) -> str | None:
    for part in headers.get("cookie", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


class RequireSignIn:
    """In a shared deployment: every page and API call needs a session (else the sign-in page,
    or 401 for anything but a page), and every state-changing call its session's CSRF token
    (the X-CSRF-Token header, or a `csrf_token` form field)."""

    def __init__(self, app: ASGIApp, sessions: Sessions) -> None:
        self.app = app
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(_OPEN_PATHS):
            await self.app(scope, receive, send)
            return
        from starlette.concurrency import run_in_threadpool

        headers = Headers(scope=scope)
        cookie = cookie_value(headers)
        user = await run_in_threadpool(self.sessions.user, cookie)
        response: Response | None = None
        if user is None:
            response = await self._signed_out(scope, receive, headers, cookie)
        elif scope["method"] not in _SAFE_METHODS:
            receive, token = await csrf_from(scope, receive, headers)
            if token is None:
                response = too_large()
            elif not token or not hmac.compare_digest(token, self.sessions.csrf_token(user)):
                response = PlainTextResponse(
                    "refused: this request lacks its form's CSRF token; reload the page",
                    status_code=403,
                )
        if response is not None:
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["user"] = user
        from .viewer import VIEWER

        viewing = VIEWER.set(user)
        try:
            await self.app(scope, receive, send)
        finally:
            VIEWER.reset(viewing)

    async def _signed_out(
        self, scope: Scope, receive: Receive, headers: Headers, cookie: str | None
    ) -> Response:
        """No valid session. A page: the sign-in page. The assessment form posted by someone
        whose session has ended (the cookie is still theirs, and so is the form's CSRF token):
        the form is kept for them and handed back once they have signed in again. Else 401."""
        if scope["method"] == "GET" and not scope["path"].startswith("/api/"):
            return RedirectResponse("/login", status_code=303)
        refused = PlainTextResponse("sign in first, at /login", status_code=401)
        if scope["path"] not in _KEPT_PATHS:
            return refused
        from starlette.concurrency import run_in_threadpool

        claimed = await run_in_threadpool(self.sessions.claims, cookie)
        kind = headers.get("content-type", "")
        if claimed is None or not kind.startswith("application/x-www-form-urlencoded"):
            return refused
        body = await read_body(receive, MAX_FORM_BYTES)
        if body is None:
            return too_large()
        token = headers.get(CSRF_HEADER) or _form_token(body)
        if not hmac.compare_digest(token, self.sessions.csrf_token(claimed)):
            return refused
        from ..store import writing
        from ..store.sessions import keep_form

        account = claimed.key
        kept = await run_in_threadpool(
            writing, self.sessions.engine(), lambda s: keep_form(s, account, body, time.time())
        )
        response: Response
        if headers.get("hx-request"):
            response = Response(status_code=200, headers={"HX-Redirect": "/login"})
        else:
            response = RedirectResponse("/login", status_code=303)
        response.set_cookie(
            KEPT_COOKIE,
            kept,
            max_age=LOGIN_FORM_SECONDS,
            httponly=True,
            samesite="lax",
            secure=scope.get("scheme") == "https",
        )
        return response


def too_large(limit: int = MAX_FORM_BYTES) -> Response:
    return PlainTextResponse(
        f"refused: the request is larger than {limit:,} bytes, more than any form here needs",
        status_code=413,
    )


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None as soon as it exceeds `limit` (the rest is never read)."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


# A multipart form (the YAML upload) carries the token as a plain field among its parts.
_MULTIPART_TOKEN = re.compile(rb'name="csrf_token"\r\n\r\n([A-Za-z0-9_=-]+)\r\n')


def _form_token(body: bytes) -> str:
    return parse_qs(body.decode("latin-1")).get(CSRF_FIELD, [""])[0]


async def csrf_from(scope: Scope, receive: Receive, headers: Headers) -> tuple[Receive, str | None]:
    """The token from the header, else from a form body (which is replayed); None when that
    body is over `limit`: it is not read further."""
    token = headers.get(CSRF_HEADER, "")
    kind = headers.get("content-type", "")
    multipart = kind.startswith("multipart/form-data")
    if token or not (kind.startswith("application/x-www-form-urlencoded") or multipart):
        return receive, token
    body = await read_body(receive, MAX_UPLOAD_BYTES if multipart else MAX_FORM_BYTES)
    if body is None:
        return receive, None
    if multipart:
        match = _MULTIPART_TOKEN.search(body)
        found = match.group(1).decode("ascii") if match else ""
    else:
        found = _form_token(body)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay, found


def current_user(request: Request) -> User | None:
    """The signed-in user, or None when the app is single-user (no --shared)."""
    user = request.scope.get("state", {}).get("user")
    return user if isinstance(user, User) else None

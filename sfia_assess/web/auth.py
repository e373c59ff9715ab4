"""Sign-in for `serve --shared`: signed session cookies, logout that ends the session, a CSRF
token per session, and a limit on failed sign-ins per account and per address.

The signing key is made at start-up (sessions end when the server stops); a cookie is
`payload.signature`, HMAC-SHA256 over the payload, so it cannot be forged or altered.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..core.identity import person_key

COOKIE = "sfia_session"
SESSION_SECONDS = 8 * 3600
FAILURE_WINDOW = 15 * 60
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
_OPEN_PATHS = ("/login", "/logout", "/static/")
CSRF_COOKIE = "sfia_csrf"  # read by static/csrf.js, which sends it back as X-CSRF-Token
LOGIN_COOKIE = "sfia_login"  # the sign-in form's nonce; the form carries its signature
LOGIN_FORM_SECONDS = 3600
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class User:
    name: str
    role: str
    manager: str | None
    session_id: str
    expires: float = 0.0


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Sessions:
    """Issues and checks session cookies; remembers the sessions ended by logout."""

    key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    _ended: dict[str, float] = field(default_factory=dict)  # session id: when it would expire
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self.key, payload.encode(), hashlib.sha256).digest())

    def issue(self, name: str, role: str, manager: str | None, now: float | None = None) -> str:
        body = {
            "n": name,
            "r": role,
            "m": manager,
            "s": secrets.token_urlsafe(16),
            "e": int((now or time.time()) + SESSION_SECONDS),
        }
        payload = _b64(json.dumps(body, separators=(",", ":")).encode())
        return f"{payload}.{self._sign(payload)}"

    def user(self, cookie: str | None, now: float | None = None) -> User | None:
        if not cookie or cookie.count(".") != 1:
            return None
        payload, signature = cookie.split(".")
        if not hmac.compare_digest(signature, self._sign(payload)):
            return None
        try:
            body = json.loads(_unb64(payload))
        except ValueError:
            return None
        with self._lock:
            if body["s"] in self._ended:
                return None
        if body["e"] < (now or time.time()):
            return None
        return User(body["n"], body["r"], body["m"], body["s"], body["e"])

    def end(self, user: User, now: float | None = None) -> None:
        """End a session for good: its cookie, replayed, is refused until it would expire
        (after that its expiry refuses it, so the record of it is dropped)."""
        now = now or time.time()
        with self._lock:
            self._ended = {sid: until for sid, until in self._ended.items() if until >= now}
            self._ended[user.session_id] = user.expires

    def csrf_token(self, user: User) -> str:
        return self._sign("csrf:" + user.session_id)

    def login_token(self, nonce: str) -> str:
        """The sign-in form's CSRF token for the nonce in its cookie (double submit, signed)."""
        return self._sign("login:" + nonce)

    def login_token_matches(self, nonce: str | None, token: str) -> bool:
        return bool(nonce) and hmac.compare_digest(token, self.login_token(nonce or ""))


@dataclass
class LoginLimiter:
    """Refuses sign-in after too many failures for one account or from one address."""

    _failures: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: float) -> int:
        times = self._failures[key]
        while times and times[0] < now - FAILURE_WINDOW:
            times.popleft()
        return len(times)

    def blocked(self, account: str, address: str, now: float | None = None) -> bool:
        now = now or time.monotonic()
        with self._lock:
            return (
                self._recent("account:" + account, now) >= MAX_FAILURES_PER_ACCOUNT
                or self._recent("address:" + address, now) >= MAX_FAILURES_PER_ADDRESS
            )

    def failed(self, account: str, address: str, now: float | None = None) -> None:
        now = now or time.monotonic()
        with self._lock:
            self._failures["account:" + account].append(now)
            self._failures["address:" + address].append(now)


def _cookie_value(headers: Headers) -> str | None:
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE:
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
        headers = Headers(scope=scope)
        user = await _still_active(scope, self.sessions.user(_cookie_value(headers)))
        response: Response | None = None
        if user is None:
            if scope["method"] == "GET" and not scope["path"].startswith("/api/"):
                response = RedirectResponse("/login", status_code=303)
            else:
                response = PlainTextResponse("sign in first, at /login", status_code=401)
        elif scope["method"] not in _SAFE_METHODS:
            receive, token = await _csrf_from(scope, receive, headers)
            if not token or not hmac.compare_digest(token, self.sessions.csrf_token(user)):
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


async def _still_active(scope: Scope, user: User | None) -> User | None:
    """The session's user as the store has them now: none once the account is disabled (an open
    session ends with it), and the account's current role and manager."""
    if user is None:
        return None
    from starlette.concurrency import run_in_threadpool

    from ..store.accounts import active_account
    from ..store.database import reading

    services = scope["app"].state.services

    def look_up() -> User | None:
        with reading(services.engine()) as session:
            account = active_account(session, user.name)
        if account is None:
            return None
        return User(account.name, account.role, account.manager, user.session_id, user.expires)

    return await run_in_threadpool(look_up)


# A multipart form (the YAML upload) carries the token as a plain field among its parts.
_MULTIPART_TOKEN = re.compile(rb'name="csrf_token"\r\n\r\n([A-Za-z0-9_=-]+)\r\n')


async def _csrf_from(scope: Scope, receive: Receive, headers: Headers) -> tuple[Receive, str]:
    """The token from the header, else from an urlencoded form body (which is replayed)."""
    token = headers.get(CSRF_HEADER, "")
    kind = headers.get("content-type", "")
    multipart = kind.startswith("multipart/form-data")
    if token or not (kind.startswith("application/x-www-form-urlencoded") or multipart):
        return receive, token
    chunks = []
    more = True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    body = b"".join(chunks)
    if multipart:
        match = _MULTIPART_TOKEN.search(body)
        found = match.group(1).decode("ascii") if match else ""
    else:
        found = parse_qs(body.decode("latin-1")).get(CSRF_FIELD, [""])[0]
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


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _login_page(
    request: Request, message: str = "", status_code: int = 200, name: str = ""
) -> HTMLResponse:
    """The sign-in form, with a fresh CSRF token: a nonce in a cookie, its signature a field."""
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


async def login_form(request: Request) -> Response:
    return _login_page(request)


async def login(request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    from ..store.accounts import audit, password_matches, sign_in_candidate
    from .services import services

    form = await request.form()
    name = str(form.get("name", ""))
    password = str(form.get("password", ""))
    address = _address(request)
    sessions: Sessions = request.app.state.sessions
    token = str(form.get(CSRF_FIELD, ""))
    if not sessions.login_token_matches(request.cookies.get(LOGIN_COOKIE), token):
        message = "This sign-in form had expired; sign in again."
        return _login_page(request, message, 403, name)
    limiter: LoginLimiter = request.app.state.login_limiter
    if limiter.blocked(person_key(name), address):
        message = "Too many failed sign-ins; wait 15 minutes and try again."
        return _login_page(request, message, 429, name)
    candidate = await services(request).read(lambda s: sign_in_candidate(s, name))
    found = await run_in_threadpool(password_matches, candidate, password)
    if found is None:
        limiter.failed(person_key(name), address)
        message = "That name and password do not match an account."
        return _login_page(request, message, 401, name)
    await services(request).write(lambda s: audit(s, found.name, "signed-in", "session", address))
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        COOKIE,
        sessions.issue(found.name, found.role, found.manager),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    token = sessions.csrf_token(sessions.user(response_cookie(response)) or _never())
    response.set_cookie(
        CSRF_COOKIE,
        token,
        max_age=SESSION_SECONDS,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/login", httponly=True, samesite="strict")
    return response


def response_cookie(response: Response) -> str | None:
    for name, value in response.raw_headers:
        if name == b"set-cookie" and value.startswith(COOKIE.encode() + b"="):
            return value.decode().split(";", 1)[0].split("=", 1)[1]
    return None


def _never() -> User:
    raise AssertionError("a session just issued always checks")


async def logout(request: Request) -> Response:
    """End the session for good; only with its CSRF token (another site cannot sign anyone
    out). Without a session there is nothing to end: the sign-in page."""
    sessions: Sessions = request.app.state.sessions
    user = sessions.user(request.cookies.get(COOKIE))
    if user is not None:
        form = await request.form()
        token = request.headers.get(CSRF_HEADER) or str(form.get(CSRF_FIELD, ""))
        if not hmac.compare_digest(token, sessions.csrf_token(user)):
            return PlainTextResponse(
                "refused: this sign-out lacks its page's CSRF token; reload the page",
                status_code=403,
            )
        sessions.end(user)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, httponly=True, samesite="lax")
    response.delete_cookie(CSRF_COOKIE, samesite="strict")
    return response

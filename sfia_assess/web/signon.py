"""Signing in by single sign-on (`serve --shared --oidc-issuer URL --oidc-client-id ID`): the
sign-in page's button leaves for the provider (/login/oidc) and the provider sends the browser
back (/login/oidc/callback), where its answer is checked (oidc.py) and the account it names is
signed in exactly as a password sign-in is.

The sign-in in progress (its state, nonce and PKCE verifier) travels in a cookie this server
signs, so the answer is taken only in the browser that asked for it; its state is spent in the
store on the way back, so the same answer replayed, by this process or another, is refused.
Every answer counts against its address's sign-in limit until it has held; refusals and
sign-ins go to the audit log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..store.sessions import Attempt
from .auth import Sessions
from .errorpages import NotFound
from .oidc import Flow, Provider, ProviderUnavailable, Refused
from .services import provider_call
from .signin import client_address, login_page, signed_in_home, wait_message

FLOW_COOKIE = "sfia_sso"
FLOW_PATH = "/login/oidc"
CALLBACK = "/login/oidc/callback"
FLOW_SECONDS = 600  # from leaving for the provider to coming back: time to type a password
NOBODY = "(single sign-on)"


def _provider(request: Request) -> Provider:
    provider = getattr(request.app.state, "oidc", None)
    if provider is None:
        raise NotFound()  # no provider set: no such page
    assert isinstance(provider, Provider)
    return provider


def _redirect_uri(request: Request) -> str:
    """This server's callback, at the address the browser used (a host the server answers to:
    guard.py refuses any other)."""
    return str(request.base_url).rstrip("/") + CALLBACK


def _signature(sessions: Sessions, payload: str) -> str:
    digest = hmac.new(sessions.key(), b"sso-flow:" + payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _sealed(sessions: Sessions, flow: Flow) -> str:
    body = {"s": flow.state, "n": flow.nonce, "v": flow.verifier, "e": flow.expires}
    payload = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    return f"{payload}.{_signature(sessions, payload)}"


def _opened(sessions: Sessions, cookie: str | None) -> Flow | None:
    """The flow the cookie carries, if this server signed it."""
    if not cookie or cookie.count(".") != 1:
        return None
    payload, signature = cookie.split(".")
    if not hmac.compare_digest(signature, _signature(sessions, payload)):
        return None
    try:
        body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return Flow(str(body["s"]), str(body["n"]), str(body["v"]), int(body["e"]))
    except (ValueError, KeyError, TypeError):
        return None


def _forget_flow(request: Request, response: Response) -> Response:
    response.delete_cookie(
        FLOW_COOKIE,
        path=FLOW_PATH,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


async def start(request: Request) -> Response:
    """Leave for the provider with a new flow; its cookie goes with the browser (SameSite=Lax:
    the provider's redirect back is a navigation from another site, which Strict would strip)."""
    provider = _provider(request)
    sessions: Sessions = request.app.state.sessions
    flow = Flow(
        state=secrets.token_urlsafe(24),
        nonce=secrets.token_urlsafe(24),
        verifier=secrets.token_urlsafe(48),  # 64 characters: RFC 7636 asks for 43 to 128
        expires=int(time.time() + FLOW_SECONDS),
    )
    try:
        url = await provider_call(request, provider.authorization_url, flow, _redirect_uri(request))
    except ProviderUnavailable as exc:
        return login_page(request, str(exc), 503)
    sealed = await run_in_threadpool(_sealed, sessions, flow)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        FLOW_COOKIE,
        sealed,
        max_age=FLOW_SECONDS,
        path=FLOW_PATH,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


async def callback(request: Request) -> Response:
    """The provider's answer: checked, then the account it names signed in (or refused)."""
    provider = _provider(request)
    response = await _answer(request, provider)
    return _forget_flow(request, response)


async def _refused(request: Request, who: str, reason: str, status: int = 403) -> Response:
    from ..store.accounts import audit
    from .services import services

    address = client_address(request)
    await services(request).write(lambda s: audit(s, who, "sso-refused", reason, address))
    return login_page(request, f"Single sign-on did not sign you in: {reason}.", status)


def _reserve(session: Any, address: str, now: float) -> Attempt:
    from ..store.accounts import audit
    from ..store.sessions import reserve_address

    attempt = reserve_address(session, address, now)
    if attempt.locks_out:
        audit(session, NOBODY, "locked-out", "single sign-on", address)
    return attempt


async def _answer(request: Request, provider: Provider) -> Response:
    from ..store.signon import spend_state
    from .services import services

    sessions: Sessions = request.app.state.sessions
    params = request.query_params
    state, code = params.get("state", ""), params.get("code", "")
    address = client_address(request)
    now = time.time()
    # Counted before anything else, as a password is: an address sending answers that do not
    # hold waits, and what it sends then makes no line in the log and no request to the provider.
    attempt = await services(request).write(lambda s: _reserve(s, address, now))
    if attempt.wait > 0:
        return login_page(request, wait_message(attempt.wait), 429)
    flow = await run_in_threadpool(_opened, sessions, request.cookies.get(FLOW_COOKIE))
    if params.get("error"):
        error = params["error"][:100]
        return await _refused(request, NOBODY, f"the provider answered {error!r}")
    if flow is None or not state or not hmac.compare_digest(state, flow.state):
        # No flow, or another's: an answer this browser never asked for (login CSRF) or one
        # whose cookie has gone. Nothing is asked of the provider.
        reason = "this answer is not for a sign-in started in this browser; sign in again"
        return await _refused(request, NOBODY, reason)
    if flow.expires < now:
        return await _refused(request, NOBODY, "the sign-in took too long; sign in again")
    if not code:
        return await _refused(request, NOBODY, "the provider sent no code")
    fresh = await services(request).write(lambda s: spend_state(s, flow.state, flow.expires))
    if not fresh:
        return await _refused(request, NOBODY, "this answer was used already; sign in again")
    try:
        claims = await provider_call(request, provider.claims, code, flow, _redirect_uri(request))
    except ProviderUnavailable as exc:
        return login_page(request, str(exc), 503)
    except Refused as exc:
        return await _refused(request, NOBODY, str(exc))
    return await _account(request, provider, claims, address)


async def _account(
    request: Request, provider: Provider, claims: dict[str, Any], address: str
) -> Response:
    from ..store.accounts import audit
    from ..store.sessions import address_succeeded
    from ..store.signon import EMAIL, SignOn, sign_on
    from .services import services

    claim = provider.settings.claim
    value = claims.get(claim)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # an employee number given as a number
    if not isinstance(value, str) or not value.strip():
        reason = f"the provider does not say your {claim!r}; ask whoever runs your single sign-on"
        return await _refused(request, NOBODY, reason)
    value = " ".join(value.split())[:200]
    # An email the provider has not verified may be anyone's: it names no account here, and a
    # new account made by --oidc-create does not keep it.
    verified = claims.get("email_verified") is not False
    if claim == EMAIL and not verified:
        reason = f"the provider has not verified the email {value}; verify it there first"
        return await _refused(request, value, reason)
    email = claims.get(EMAIL) if verified and isinstance(claims.get(EMAIL), str) else ""
    name = claims.get("name") if isinstance(claims.get("name"), str) else ""

    def find(session: Any) -> SignOn:
        found = sign_on(
            session,
            claim,
            value,
            name=str(name)[:200],
            email=str(email)[:320],
            create=provider.settings.create,
        )
        if found.created and found.account is not None:
            audit(session, found.account.name, "added-by-sso", f"account {value}", address)
        return found

    signed = await services(request).write(find)
    if signed.account is None:
        return await _refused(request, value, signed.refusal)
    found = signed.account

    def succeeded(session: Any) -> None:
        address_succeeded(session, address)
        audit(session, found.name, "signed-in", "session by single sign-on", address)

    return await signed_in_home(request, found, succeeded)

"""Keeps other web sites out of the local server: DNS rebinding and cross-site form posts.

The app listens on 127.0.0.1 and has no accounts, so any page open in the same browser could
otherwise post a form to it (and sign off a review), or reach it under a hostile host name.
"""

from __future__ import annotations

from collections.abc import Collection

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
# Scripts from this server only (htmx; no inline script anywhere), no framing (the sign-off
# button cannot be clickjacked), forms post back here only.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
        b" img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),  # no-referrer would make form posts say Origin: null
]
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Records, reviews, team data and downloads are nobody's to keep: not in the browser's cache,
# nor a proxy's. Only the app's own static files (CSS, scripts) may be cached.
NO_STORE = (b"cache-control", b"no-store")
# Once a browser has met the app over https, it never tries plain http for a year.
HSTS = (b"strict-transport-security", b"max-age=31536000")


def host_name(host_header: str) -> str:
    """`127.0.0.1:8000` -> `127.0.0.1`; `[::1]:8000` -> `::1`; `Assess.Example.org` ->
    `assess.example.org` (host names are not case-sensitive)."""
    if host_header.startswith("["):
        return host_header[1:].split("]", 1)[0].lower()
    name = host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header
    return name.lower()


class SameOriginOnly:
    """Refuses a Host outside `allowed_hosts` (when given) and a state-changing request sent
    by another site (its Origin or Sec-Fetch-Site says so). Tools like curl send neither."""

    def __init__(self, app: ASGIApp, allowed_hosts: Collection[str] | None = None) -> None:
        self.app = app
        self.allowed_hosts = frozenset(allowed_hosts) if allowed_hosts is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = Headers(scope=scope)
            host = headers.get("host", "")
            if self.allowed_hosts is not None and host_name(host) not in self.allowed_hosts:
                response = PlainTextResponse(
                    f"this server answers to {', '.join(sorted(self.allowed_hosts))} only",
                    status_code=400,
                )
                await response(scope, receive, send)
                return
            if scope["method"] not in _SAFE_METHODS:
                origin = headers.get("origin")
                cross_site = headers.get("sec-fetch-site") == "cross-site"
                if cross_site or (origin is not None and origin != f"{scope['scheme']}://{host}"):
                    response = PlainTextResponse(
                        "refused: this form was sent from another web site", status_code=403
                    )
                    await response(scope, receive, send)
                    return

            more = list(SECURITY_HEADERS)
            if scope["scheme"] == "https":  # (behind a proxy: as it says, when --behind-proxy)
                more.append(HSTS)
            static = scope["path"].startswith("/static/")

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers", []))
                    if not static and not any(k.lower() == NO_STORE[0] for k, _ in headers):
                        headers.append(NO_STORE)
                    message["headers"] = [*headers, *more]
                await send(message)

            await self.app(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send)

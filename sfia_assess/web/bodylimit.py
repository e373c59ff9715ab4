"""Every request body is limited before it is read: a body larger than its kind may be is
answered 413 as soon as that is known (from Content-Length, or while it arrives), so no route
parses, and no check buffers, more than these sizes:

- sign-in and sign-out forms: 16 KiB;
- other forms (the assessment and review editors): the size of an assessment file (2 MiB);
- a file upload (multipart): four times that (8 MiB), so that a file somewhat over the limit
  is answered with a sentence naming its size, by the page that takes it;
- the JSON API: two assessment files (a review's two sides) and 64 KiB.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..files.yamlfile import MAX_BYTES

SIGN_IN_BYTES = 16 * 1024
FORM_BYTES = MAX_BYTES
UPLOAD_BYTES = 4 * MAX_BYTES
API_BYTES = 2 * MAX_BYTES + 64 * 1024


def body_limit(path: str, content_type: str) -> int:
    if path in ("/login", "/logout"):
        return SIGN_IN_BYTES
    if path.startswith("/api/"):
        return API_BYTES
    if content_type.startswith("multipart/form-data"):
        return UPLOAD_BYTES
    return FORM_BYTES


class _TooLarge(Exception):
    pass


def _refusal(limit: int) -> PlainTextResponse:
    return PlainTextResponse(
        f"refused: the request is larger than {limit:,} bytes, more than this page takes",
        status_code=413,
    )


class BodyLimit:
    """The outermost middleware: no one downstream can read past the limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = body_limit(scope["path"], headers.get("content-type", ""))
        declared = headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            await _refusal(limit)(scope, receive, send)
            return
        received = 0
        started = False

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise _TooLarge
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, sending)
        except _TooLarge:
            if started:
                raise
            await _refusal(limit)(scope, receive, send)

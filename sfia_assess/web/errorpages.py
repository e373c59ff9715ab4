"""Errors turned into answers in one place: a page from an autoescaped template, or JSON for the
API. Routes raise; the handlers here (Starlette's `exception_handlers`) answer."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import InputFileError, Problem, SfiaAssessError, StoreError, StoreUnavailable
from ..files.yamlfile import MAX_BYTES
from .pdfpool import PdfTooLarge
from .services import page

UNAVAILABLE = "The database is unavailable; nothing was saved; try again in a moment."
log = logging.getLogger("sfia_assess.web")

NOT_FOUND = "There is nothing at this address that you can open."


class NotFound(Exception):
    """Nothing the viewer may open is here (a record that does not exist looks the same)."""

    def __init__(self, message: str = NOT_FOUND) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(Exception):
    """The request is not one our pages send (a form field or a query value out of range)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CrossSite(Exception):
    """A download (which the audit log records) asked for by another web site's page."""


class BodyTooLarge(Exception):
    """A request body over `limit` bytes, refused before it is all read."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


@contextmanager
def missing_as_not_found() -> Iterator[None]:
    """A record the store cannot give (no such id, not what the page shows) is a 404 page;
    a database that cannot be reached stays a 503."""
    try:
        yield
    except StoreUnavailable:
        raise
    except SfiaAssessError as exc:
        raise NotFound(str(exc)) from None


def _api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _problem_page(
    request: Request, status: int, heading: str, message: str, problems: list[str] | None = None
) -> Response:
    hr = request.url.path == "/hr" or request.url.path.startswith("/hr/")
    return page(
        "problem.html.j2",
        status,
        title=heading,
        heading=heading,
        message=message,
        problems=problems or [],
        hr_nav=hr,
        current="",
    )


def problems_json(problems: list[Problem], status: int = 422) -> JSONResponse:
    """The API's answer for a document it cannot use: every problem, with file and line."""
    return JSONResponse(
        {
            "message": "\n".join(str(p) for p in problems),
            "problems": [{"file": p.file, "line": p.line, "message": p.message} for p in problems],
        },
        status_code=status,
    )


async def not_found(request: Request, exc: Exception) -> Response:
    message = exc.message if isinstance(exc, NotFound) else NOT_FOUND
    if _api(request):
        return JSONResponse({"message": message, "problems": []}, status_code=404)
    return page("notfound.html.j2", status_code=404, title="Not found", message=message)


async def bad_request(request: Request, exc: Exception) -> Response:
    message = exc.message if isinstance(exc, BadRequest) else str(exc)
    if _api(request):
        return JSONResponse({"message": message, "problems": []}, status_code=400)
    return _problem_page(request, 400, "This request cannot be answered", message)


async def too_large(request: Request, exc: Exception) -> Response:
    limit = exc.limit if isinstance(exc, BodyTooLarge) else MAX_BYTES
    message = (
        f"the body is over {limit:,} bytes and is refused; an assessment may have up to"
        f" {MAX_BYTES:,} bytes, as in the CLI"
    )
    return JSONResponse({"message": message, "problems": []}, status_code=413)


async def input_problems(request: Request, exc: Exception) -> Response:
    """A document that cannot be used: 422 with every problem (JSON for the API)."""
    assert isinstance(exc, InputFileError)
    if _api(request):
        return problems_json(exc.problems)
    shown = [str(p) for p in exc.problems]
    return _problem_page(request, 400, "This request cannot be answered", shown[0], shown[1:])


def said(exc: Exception) -> str:
    """What a web page says of a failure: its sentence without where the store is or the
    driver's text (the whole message goes to the server's log for the administrator)."""
    reason = getattr(exc, "reason", None)
    if reason is None:
        return str(exc)
    log.warning("store: %s", exc)
    return str(reason)


async def store_problem(request: Request, exc: Exception) -> Response:
    """The store refused what was asked: its sentence, as `said` gives it."""
    sentence = said(exc)
    if _api(request):
        return JSONResponse({"message": sentence, "problems": []}, status_code=500)
    return _problem_page(request, 500, "The history store cannot be read", sentence)


async def unavailable(request: Request, exc: Exception) -> Response:
    """The store cannot be used just now: its own sentence when it has one a reader can act on
    (a full or read-only disk, a newer store, a long lock), else that the database is down;
    never the driver's text or where the store is. The next request tries again."""
    headers = {"Retry-After": "5", "Cache-Control": "no-store"}
    reason = getattr(exc, "reason", None)
    sentence = f"The store cannot be used just now: {reason}." if reason else UNAVAILABLE
    if _api(request):
        body = {"message": sentence, "problems": []}
        return JSONResponse(body, status_code=503, headers=headers)
    try:
        answer = _problem_page(request, 503, "The database is unavailable", sentence)
    except Exception:  # the page itself could not be made: the sentence still goes out
        return PlainTextResponse(sentence, status_code=503, headers=headers)
    answer.headers.update(headers)
    return answer


async def report_too_large(request: Request, exc: Exception) -> Response:
    message = str(exc)
    sentence = message[:1].upper() + message[1:] + "."
    if _api(request):
        return JSONResponse({"message": sentence, "problems": []}, status_code=422)
    return _problem_page(request, 422, "This report could not be made", sentence)


async def cross_site(request: Request, exc: Exception) -> Response:
    message = (
        "This download was asked for by another web site, so it was not made. Download it"
        " from the app's own page."
    )
    return _problem_page(request, 403, "Refused", message)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return await not_found(request, NotFound())
    return PlainTextResponse(str(exc.detail), status_code=exc.status_code, headers=exc.headers)


HANDLERS: Mapping[Any, Any] = {
    HTTPException: http_error,
    NotFound: not_found,
    BadRequest: bad_request,
    BodyTooLarge: too_large,
    CrossSite: cross_site,
    PdfTooLarge: report_too_large,
    InputFileError: input_problems,
    StoreUnavailable: unavailable,
    StoreError: store_problem,
    SfiaAssessError: bad_request,
}


class AnswerUnavailable:
    """The same 503 for a database that is down when a middleware (the sign-in check) meets it,
    before any route and its exception handlers: no traceback, no driver text."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except StoreUnavailable as exc:
            if started:
                raise
            answer = await unavailable(Request(scope), exc)
            await answer(scope, receive, send)

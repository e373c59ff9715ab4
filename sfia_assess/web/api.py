"""The JSON API: the same answers as `assess --format json` and `review --format json`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..core.assessment import LoadedAssessment, check_document, parse_assessment
from ..core.catalog import Catalog
from ..errors import InputFileError, Problem, SfiaAssessError
from ..files.numbers import whole_number
from ..files.yamlfile import MAX_BYTES, YamlDocument, parse_yaml
from ..reports import Format, Options
from ..reports.build import gap_report, review_report
from ..reports.gap import render
from ..reports.review import render_json
from .errorpages import BadRequest, BodyTooLarge, said
from .services import services


async def body_within(request: Request, limit: int) -> bytes:
    """The request body, refused (413) past `limit` bytes before it is all read."""
    declared = request.headers.get("content-length", "")
    size = whole_number(declared)
    if size is None and declared.strip():
        raise BadRequest("the Content-Length header is not a number of bytes")
    if size is not None and size > limit:
        raise BodyTooLarge(limit)
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


@contextmanager
def named(name: str) -> Iterator[None]:
    """Any other refusal is a problem with the document `name`, as the CLI reports it; the
    error handler answers every problem as JSON (422)."""
    try:
        yield
    except InputFileError:
        raise
    except SfiaAssessError as exc:
        raise InputFileError([Problem(name, None, said(exc))]) from None


def _target(request: Request) -> int | None:
    value = request.query_params.get("target", "")
    level = whole_number(value)
    return level if level is not None and 1 <= level <= 7 else None


async def assess(request: Request) -> Response:
    """POST an assessment (YAML or JSON): the JSON `sfia-assess assess --format json` prints.

    `?file=NAME` names the document in messages and in `source` (default `body`).
    """
    shared = services(request)
    body = await body_within(request, MAX_BYTES)
    name = request.query_params.get("file") or "body"
    target = _target(request)

    def work() -> Response:  # parsing, scoring and the JSON are CPU work: off the event loop
        with named(name):
            loaded = parse_assessment(body, name, shared.catalog)
            report = gap_report(
                loaded, shared.catalog, shared.policy, today=shared.today(), target=target
            )
        return Response(render(report, Format.JSON), media_type="application/json")

    return await run_in_threadpool(work)


def _side(document: YamlDocument, key: str, name: str, catalog: Catalog) -> LoadedAssessment:
    """One side of a review body: a mapping in the body, or a string holding a YAML file
    (then called `name` in messages and in `source`)."""
    value = document.data.get(key)
    if isinstance(value, str):
        return parse_assessment(value, name, catalog)
    lines = {loc[1:]: line for loc, line in document.lines.items() if loc[:1] == (key,)}
    loaded = check_document(YamlDocument(document.file, value, lines), catalog)
    return loaded.model_copy(update={"source": name})


async def review(request: Request) -> Response:
    """POST `{self: ..., manager: ...}` (YAML or JSON; each an assessment or its YAML text):
    the JSON `sfia-assess review --format json` prints for the two files.

    `?self=NAME&manager=NAME` name the two files (default `self` and `manager`).
    """
    shared = services(request)
    body = await body_within(request, 2 * MAX_BYTES)
    name = request.query_params.get("file") or "body"
    with named(name):
        document = parse_yaml(body, name)
        if not isinstance(document.data, dict):
            raise InputFileError.single(
                name, "must be a mapping with self and manager assessments", line=1
            )
        missing = [key for key in ("self", "manager") if document.data.get(key) is None]
        if missing:
            raise InputFileError(
                [
                    Problem(name, 1, f"{key} is missing; give it as a mapping or as YAML text")
                    for key in missing
                ]
            )
        params = request.query_params
        own = _side(document, "self", params.get("self") or "self", shared.catalog)
        manager = _side(document, "manager", params.get("manager") or "manager", shared.catalog)
        report = review_report(
            own,
            manager,
            shared.catalog,
            shared.policy,
            today=shared.today(),
            target=_target(request),
        )
    return Response(render_json(report, Options()), media_type="application/json")

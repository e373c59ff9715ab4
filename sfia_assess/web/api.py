"""The JSON API: the same answers as `assess --format json` and `review --format json`."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..core.assessment import LoadedAssessment, check_document, parse_assessment
from ..core.catalog import Catalog
from ..errors import InputFileError, Problem, SfiaAssessError
from ..files.yamlfile import MAX_BYTES, YamlDocument, parse_yaml
from ..reports import Format, Options
from ..reports.build import gap_report, review_report
from ..reports.gap import render
from ..reports.review import render_json
from .app import services


class BodyTooLarge(Exception):
    pass


async def body_within(request: Request, limit: int) -> bytes:
    """The request body, refused (413) past `limit` bytes before it is all read."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> JSONResponse:
    message = (
        f"the body is over {limit:,} bytes and is refused; an assessment may have up to"
        f" {MAX_BYTES:,} bytes, as in the CLI"
    )
    return JSONResponse({"message": message, "problems": []}, status_code=413)


def problems_response(problems: list[Problem]) -> JSONResponse:
    return JSONResponse(
        {
            "message": "\n".join(str(p) for p in problems),
            "problems": [{"file": p.file, "line": p.line, "message": p.message} for p in problems],
        },
        status_code=422,
    )


def _target(request: Request) -> int | None:
    value = request.query_params.get("target", "")
    return int(value) if value.isdigit() and 1 <= int(value) <= 7 else None


async def assess(request: Request) -> Response:
    """POST an assessment (YAML or JSON): the JSON `sfia-assess assess --format json` prints.

    `?file=NAME` names the document in messages and in `source` (default `body`).
    """
    shared = services(request)
    try:
        body = await body_within(request, MAX_BYTES)
    except BodyTooLarge:
        return _too_large(MAX_BYTES)
    name = request.query_params.get("file") or "body"
    target = _target(request)

    def work() -> Response:  # parsing, scoring and the JSON are CPU work: off the event loop
        try:
            loaded = parse_assessment(body, name, shared.catalog)
            report = gap_report(
                loaded, shared.catalog, shared.policy, today=shared.today(), target=target
            )
        except InputFileError as exc:
            return problems_response(exc.problems)
        except SfiaAssessError as exc:
            return problems_response([Problem(name, None, str(exc))])
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
    limit = 2 * MAX_BYTES
    try:
        body = await body_within(request, limit)
    except BodyTooLarge:
        return _too_large(limit)
    name = request.query_params.get("file") or "body"
    try:
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
    except InputFileError as exc:
        return problems_response(exc.problems)
    except SfiaAssessError as exc:
        return problems_response([Problem(name, None, str(exc))])
    return Response(render_json(report, Options()), media_type="application/json")

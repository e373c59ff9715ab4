"""The practitioner's own page: every assessment and version, where each stands, what the manager
agreed and said, the level over time; and the files kept for an evidence item (added from the
browser with the same checks as `attach`, handed out as downloads only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..core.history import Step
from ..errors import SfiaAssessError, StoreUnavailable
from .access import Access, may, own_people
from .audit import audit_as
from .bodylimit import UPLOAD_BYTES
from .downloads import content_disposition
from .errorpages import NotFound, missing_as_not_found
from .paging import pager
from .services import page, services


def when(moment: dt.datetime) -> str:
    """`4 December 2026`: a day as people write it."""
    return f"{moment.day} {moment:%B %Y}"


def status_words(status: str, steps: tuple[Step, ...]) -> str:
    """Where a version stands, in a sentence: who has it, since when."""
    last = steps[-1] if steps else None
    if last is None or status == "recorded":
        return "Recorded, not sent for review."
    day = when(last.at)
    if status == "submitted":
        return f"Sent to {last.recipient} on {day}; waiting for their review."
    if status == "returned":
        return f"Sent back to you by {last.actor} on {day}, to change and send again."
    if status == "signed-off":
        return f"Signed off by {last.actor} on {day}."
    if status == "drafted":
        return f"Draft saved on {day}; not sent for review yet."
    from ..reports.review import step_words

    return f"{step_words(last)} on {day}."


def level_words(level: int | None, names: dict[int, str]) -> str:
    if level is None:
        return "no level reached"
    return f"level {level} \N{EM DASH} {names[level]}" if level in names else f"level {level}"


@dataclass(frozen=True)
class Shown:
    """One version as the page shows it."""

    item: Any  # store.mine.OwnVersion
    status: str
    own: str
    agreed: str
    returned: Step | None


def _shown(item: Any, names: dict[int, str]) -> Shown:
    returned = [s for s in item.steps if s.kind == "returned"]
    return Shown(
        item,
        status_words(item.status, item.steps),
        level_words(item.own_level, names),
        level_words(item.agreed_level, names) if item.reviewed_by else "",
        returned[-1] if returned and item.status == "returned" else None,
    )


async def my_page(request: Request) -> Response:
    """Every version of the reader's own self-assessments (everyone's in single-user mode),
    newest first, a page at a time, with the level over time."""
    from ..store.mine import count_own, own_versions

    shared = services(request)
    people = own_people(request)

    def work(session: Any) -> tuple[Any, list[Any], list[Any]]:
        from ..store.history import person_history

        shown = pager(request, count_own(session, people), size=20)
        found = own_versions(session, people, shown.size, shown.start)
        histories = [
            person_history(session, name) for name in dict.fromkeys(v.person for v in found)
        ]
        return shown, found, histories[:10]

    try:
        shown, found, histories = await shared.read(work)
    except StoreUnavailable:
        raise
    except SfiaAssessError as exc:  # the page still opens, saying why the list is empty
        shown, found, histories, problem = pager(request, 0), [], [], str(exc)
    else:
        problem = ""
    names = {n: shared.catalog.responsibility(9).level(n).name for n in range(1, 8)}
    return page(
        "me.html.j2",
        title="My assessments",
        versions=[_shown(item, names) for item in found],
        charts=_charts(histories, shared.catalog),
        store_problem=problem,
        pager=shown,
        pager_label="Pages of your assessments",
        single_user=current_is_single_user(request),
        when=when,
    )


def current_is_single_user(request: Request) -> bool:
    return not request.app.state.shared


def _charts(histories: list[Any], catalog: Any) -> list[tuple[str, Any]]:
    """One chart per person and skill: the own (self) level and the agreed level over time."""
    from ..reports.history import level_chart

    charts = []
    for history in histories:
        by_skill: dict[tuple[str, int], list[Any]] = {}
        for row in history.current:
            by_skill.setdefault((row.skill, row.sfia_version), []).append(row)
        for (code, version), rows in sorted(by_skill.items()):
            try:
                label = f"{catalog.skill(code, version).name} ({code}), SFIA {version}"
            except SfiaAssessError:
                label = f"{code}, SFIA {version}"
            charts.append((f"{history.person}: {label}", level_chart(rows, label)))
    return charts


# -- files kept for an evidence item ------------------------------------------------------------


def _record_and_files(assessment_id: int) -> Any:
    def work(session: Any) -> tuple[Any, list[Any], str, str]:
        from ..store.mine import files_of
        from ..store.workflow import get, status

        record = get(session, assessment_id)
        if record.relation != "self":
            raise NotFound()
        evidence = [
            (str(item.get("id")), str(item.get("summary", "")))
            for item in record.parsed.get("evidence", [])
        ]
        return (
            evidence,
            files_of(session, assessment_id),
            status(session, assessment_id),
            (
                f"{record.person.name}: {record.skill}, SFIA {record.sfia_version}, assessment of"
                f" {record.assessed_on:%d %B %Y}, version {record.version}"
            ),
        )

    return work


async def files_page(
    request: Request, *, problem: str = "", done: str = "", status_code: int = 200
) -> Response:
    """The files kept for this version's evidence, as downloads; the person adds more here."""
    shared = services(request)
    assessment_id = int(request.path_params["assessment_id"])
    with missing_as_not_found():
        evidence, files, state, what = await shared.read(_record_and_files(assessment_id))
    mine = await may(request, Access.OWN)
    return page(
        "files.html.j2",
        status_code,
        title="Files for the evidence",
        what=what,
        evidence=evidence,
        files=files,
        assessment_id=assessment_id,
        may_add=mine and state != "signed-off" and bool(evidence),
        signed=state == "signed-off",
        mine=mine,
        problem=problem,
        done=done or _done_message(request),
        limit_mb=UPLOAD_BYTES // (1024 * 1024),
    )


def _done_message(request: Request) -> str:
    name = request.query_params.get("added", "")
    return f"{name[:255]} is kept with your evidence." if name else ""


async def add_file(request: Request) -> Response:
    """A file from the browser for one evidence item: the checks of `attach` (size, type read
    from the content, programs refused), then kept in the store."""
    from ..store.attachments import MAX_BYTES, attach
    from ..store.workflow import get, status

    shared = services(request)
    assessment_id = int(request.path_params["assessment_id"])
    async with request.form(max_files=1, max_fields=20, max_part_size=64 * 1024) as form:
        evidence_id = str(form.get("evidence_id", ""))
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            return await files_page(request, problem="choose a file to add", status_code=422)
        name = file.filename
        content = await file.read(MAX_BYTES + 1)

    def work(session: Any) -> str:
        record = get(session, assessment_id)
        if status(session, assessment_id) == "signed-off":
            raise SfiaAssessError(
                "this version is signed off and stays as it was; save a new version to add files"
            )
        done = attach(session, record, evidence_id, name, content)
        return done.attachment.file_name

    try:
        kept = await shared.write(work)
    except StoreUnavailable:
        raise
    except SfiaAssessError as exc:  # shown on the page, above the form
        return await files_page(request, problem=_plain(str(exc)), status_code=422)
    audit_as(request, f"/assessments/{assessment_id}/files")
    from urllib.parse import urlencode

    return RedirectResponse(
        f"/assessments/{assessment_id}/files?{urlencode({'added': kept})}", status_code=303
    )


def _plain(message: str) -> str:
    """The store's sentence, as the person at the browser reads it (no file names of ours)."""
    if "has no evidence item" in message:
        return "this version has no such evidence item; choose one from the list"
    return message.replace("attachments over", "files over").replace(
        "attach documents, images or text", "add documents, images or text"
    )


async def download_file(request: Request) -> Response:
    """A kept file, always as a download (never shown in the browser as a page)."""
    from ..store.mine import kept_file

    shared = services(request)
    assessment_id = int(request.path_params["assessment_id"])
    attachment_id = int(request.path_params["attachment_id"])

    def work(session: Any) -> tuple[bytes, str, str] | None:
        found = kept_file(session, assessment_id, attachment_id)
        return None if found is None else (found.content, found.file_name, found.media_type)

    kept = await shared.read(work)
    if kept is None:
        raise NotFound()
    content, name, media_type = kept
    return Response(
        content,
        media_type=media_type if not media_type.startswith("text/") else "text/plain",
        # (X-Content-Type-Options: nosniff is on every answer: guard.py)
        headers={"Content-Disposition": content_disposition(name)},
    )

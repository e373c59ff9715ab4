"""Practitioner pages: start or upload a self-assessment, rate, add evidence, see the result."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Literal

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..core.assessment import parse_assessment
from ..core.catalog import SkillVersion
from ..core.identity import key_of, person_key, same_person
from ..errors import (
    InputFileError,
    Problem,
    SfiaAssessError,
    StoreUnavailable,
    UnknownSkillError,
)
from ..files.numbers import whole_number
from ..files.yamlfile import MAX_BYTES
from ..reports.chart import coverage_svg
from ..reports.gap.model import REASON_LABELS, level_label, summary_sentence
from . import drafts
from .access import Access, not_your_self_assessment, only_visible, readable_people
from .audit import audit_as
from .auth import User, current_user
from .checking import GENERAL, Checked, check
from .downloads import attachment
from .errorpages import missing_as_not_found, said
from .forms import KINDS, RATINGS, Draft, focus_after, from_assessment, from_form, to_yaml
from .notify import notify_submitted
from .paging import Pager, pager
from .pdfpool import gap_report_pdf
from .services import Services, page, services
from .wording import plain

# What the practitioner's own draft is called in messages (the CLI would name the file).
DRAFT_NAME = "your assessment"
START_FIELDS = frozenset({"name", "role", "assessed_on", "target_level"})
# Why a statement does not count yet, said to the person who rated it.
PLAIN_REASONS = {
    "not-rated": "not rated yet",
    "rated-below-threshold": "you rated it below usually",
    "no-evidence": "no evidence ticks it yet",
    "evidence-too-old": "its evidence is too old to count",
    "not-enough-evidence": "not enough evidence yet",
}


def _skills(shared: Services) -> list[SkillVersion]:
    """Every skill the server assesses, by category, then name, newest SFIA version first (the
    page groups them by category: a hundred imported skills stay findable)."""
    return sorted(
        shared.catalog.all_skills(), key=lambda s: (s.category, s.name, s.code, -s.sfia_version)
    )


def _skill_of(shared: Services, draft: Draft) -> SkillVersion:
    """The skill version the form names (the newest when it names none)."""
    version = whole_number(draft.sfia_version)
    if version is None and draft.sfia_version.strip():
        known = ", ".join(
            str(v) for v in shared.catalog.versions(shared.catalog.check_code(draft.skill))
        )
        raise UnknownSkillError(
            f"the SFIA version must be a number, not {draft.sfia_version[:40]!r};"
            f" available versions: {known}"
        )
    return shared.catalog.skill(draft.skill, version)


async def home(request: Request, problems: list[Problem] | None = None) -> HTMLResponse:
    """Start a self-assessment or open a file; the saved ones are listed below (htmx)."""
    shared = services(request)
    return page(
        "home.html.j2",
        status_code=422 if problems else 200,
        title="Assess yourself",
        skills=_skills(shared),
        today=shared.today().isoformat(),
        problems=problems or [],
        drafts=await drafts.listed(request),
    )


async def start(request: Request) -> Response:
    shared = services(request)
    async with request.form(max_files=1, max_fields=5_000, max_part_size=MAX_BYTES) as form:
        chosen = str(form.get("skill_version", ""))
        code, _, version = chosen.partition(":")
        draft = Draft(
            skill=code,
            sfia_version=version,
            name=str(form.get("name", "")),
            role=str(form.get("role", "")),
            assessed_on=str(form.get("assessed_on", "")),
            target_level=str(form.get("target_level", "")),
            touched=START_FIELDS,  # filled in on the start page: left already
        )
        discarding = bool(form.get("discard"))
    try:
        skill = _skill_of(shared, draft)
    except SfiaAssessError as exc:  # shown on the start page, beside the form
        return await home(request, [Problem("the start form", None, said(exc))])
    draft = _as_account(request, draft, loaded=True)
    kept_as = drafts.slot(skill.code, skill.sfia_version)
    if discarding:
        await drafts.discard(request, kept_as)
        return await editor(
            request, draft, notice="Your draft was discarded.", draft_dropped=kept_as
        )
    kept = await drafts.restored(request, kept_as)
    if kept is not None:
        return await editor(
            request,
            _as_account(request, kept.draft, loaded=True),
            restored=kept,
            started=draft,  # "start again" starts with what was just typed, not the draft's
            saved_at=kept.saved_at,
            restore=True,
        )
    return await editor(request, draft, restore=True)


async def upload(request: Request) -> Response:
    """A YAML file written by hand (or downloaded earlier), opened in the form."""
    shared = services(request)
    async with request.form(max_files=1, max_fields=5_000, max_part_size=MAX_BYTES) as form:
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            return await home(request, [Problem("upload", None, "choose a YAML file to upload")])
        name = _safe_name(file.filename)
        if file.size is not None and file.size > MAX_BYTES:
            too_big = f"is {file.size:,} bytes; files over {MAX_BYTES:,} bytes are refused"
            return await home(request, [Problem(name, None, too_big)])
        data = await file.read(MAX_BYTES + 1)
    try:
        loaded = parse_assessment(data, name, shared.catalog)
    except InputFileError as exc:
        return await home(request, exc.problems)
    return await editor(request, _as_account(request, from_assessment(loaded.assessment), True))


def _safe_name(filename: str) -> str:
    """The uploaded file's own name, without any folder, for messages."""
    base = re.split(r"[\\/]", filename)[-1]
    return "".join(c for c in base if c.isprintable())[:120] or "upload.yaml"


def account_id(login: str, name: str) -> str:
    """The id to write in a file for an account: its login, unless the login is the name (an
    account made before ids), which says nothing more."""
    return "" if person_key(login) == person_key(name) else login


def _as_account(request: Request, draft: Draft, loaded: bool = False) -> Draft:
    """In a shared deployment the person is the signed-in account: its name and id, not what
    the form says. A posted name that is someone else's is kept, to be refused where the form
    is stored; a form started or opened (`loaded`) becomes the account's own."""
    user = current_user(request)
    if user is None:
        return draft
    if loaded or not draft.name.strip() or same_person(draft.name, user.name):
        return replace(draft, name=user.name, id=account_id(user.login, user.name))
    return replace(draft, id="")


async def _draft(request: Request) -> tuple[Draft, str, str]:
    """The draft in the posted form, the button pressed, and the manager's name typed (in a
    shared deployment: none, the account's manager is who it goes to)."""
    async with request.form(max_files=1, max_fields=5_000, max_part_size=MAX_BYTES) as form:
        manager = " ".join(str(form.get("manager", "")).split())
        draft = _as_account(request, from_form(form, form.getlist))
        return draft, str(form.get("action", "")), manager


def _checked(shared: Services, draft: Draft) -> Checked:
    skill = _skill_of(shared, draft)
    return check(draft, skill, shared.catalog, shared.policy, shared.today(), DRAFT_NAME)


def _attributes(shared: Services, skill: SkillVersion) -> list[Any]:
    """The generic attributes (Autonomy, Influence, ...) of the skill's SFIA version, for the
    form's optional part; none when that version has no attributes file."""
    try:
        found = shared.catalog.attributes(skill.sfia_version)
    except UnknownSkillError:
        return []
    return [a for a in found.attributes if a.kind == "attribute"]


def _context(shared: Services, checked: Checked, **more: Any) -> dict[str, Any]:
    report = checked.report or checked.partial
    context: dict[str, Any] = {
        "draft": checked.draft,
        "checked": checked,
        "skill": checked.skill,
        "responsibility": shared.catalog.responsibility(checked.skill.sfia_version),
        "ratings": RATINGS,
        "kinds": KINDS,
        "general": GENERAL,
        "edit_url": "/assessment/edit",
        "reason_labels": {**{k.value: v for k, v in REASON_LABELS.items()}, **PLAIN_REASONS},
        "report": report,
        "recommended_label": level_label(report.result.recommended_level, report) if report else "",
        "target_label": level_label(report.result.target_level, report) if report else "",
        "summary": summary_sentence(report) if report else "",
        "chart": coverage_svg(report.result) if report else "",
        "field_ids": _FIELD_IDS,
        "attributes": _attributes(shared, checked.skill),
        "notes": [plain(note) for note in report.result.warnings] if report else [],
    }
    context.update(more)
    return context


@dataclass(frozen=True)
class Route:
    """Where the signed-in person's assessment goes (shared mode): their manager, or whom to
    ask to set one; `own` is False on someone else's record (a manager opening a report's)."""

    own: bool
    manager: str
    ask: str


async def _route(request: Request, draft: Draft) -> Route | None:
    from ..store.workflow import submission_route

    user = current_user(request)
    if user is None:
        return None
    if not _own(user, draft):
        return Route(False, "", "")
    manager, ask = await services(request).read(lambda s: submission_route(s, user.key))
    return Route(True, manager, ask)


def _own(user: User, draft: Draft) -> bool:
    """Is this the signed-in person's own record (a manager may open a report's)?"""
    return key_of(draft.name, draft.id or None) == user.key or not draft.name.strip()


async def editor(
    request: Request,
    draft: Draft,
    *,
    status_code: int = 200,
    route: Route | Literal["ask"] | None = "ask",
    **more: Any,
) -> Response:
    """The form and its result. `route`: where it goes, when the caller read it already in its
    own transaction (one trip to the store fewer); else it is asked for here."""
    shared = services(request)
    if route == "ask":
        route = await _route(request, draft)
    if status_code == 422:  # refused: every problem is shown, left or not
        draft = replace(draft, touched=None)
    checked = _checked(shared, draft)
    shared.pdfs.warm()
    template = "_workspace.html.j2" if request.headers.get("hx-request") else "editor.html.j2"
    title = f"Self-assessment: {checked.skill.label}"
    more = {
        "notice": "",
        "store_problem": "",
        "manager": "",
        "manager_problem": "",
        "focus": "",
        "route": route,
        "withdraw": None,
        "verdict": None,
        "restored": None,
        "started": None,
        "draft_dropped": "",
        "refused": status_code == 422,
        "browser_copy": drafts.browser_copy(
            request,
            drafts.slot(checked.skill.code, checked.skill.sfia_version),
            more.pop("saved_at", None),
            more.pop("restore", False),
        ),
        **more,
    }
    if more["refused"]:
        more["error_summary"] = error_summary(checked, more["manager_problem"])
    return page(template, status_code, title=title, **_context(shared, checked, **more))


# Where a problem's link in the summary takes the eye (else the field's own id).
_FIELD_IDS = {
    "name": "f-name",
    "assessor": "f-name",
    "role": "f-role",
    "assessed_on": "f-assessed_on",
    "target_level": "f-target_level",
    GENERAL: "assessment",
}


def error_summary(checked: Checked, manager_problem: str = "") -> list[tuple[str, str]]:
    """(the id of the field, the problem) for each problem of a refused form, in order."""
    found = [(_FIELD_IDS.get(name, name), message) for name, message in checked.listed()]
    if manager_problem:
        found.append(("f-manager", manager_problem))
    return found


async def edit(request: Request) -> Response:
    """A button in the form: add or remove evidence, take a suggestion. Answers the new form."""
    shared = services(request)
    draft, action, manager = await _draft(request)
    skill = _skill_of(shared, draft)
    after = draft.with_action(action, skill.statements_by_id)
    verdict = verdict_from(await request.form())  # (the form read just above, kept by Starlette)
    return await editor(
        request, after, manager=manager, focus=focus_after(action, after), verdict=verdict
    )


async def live_result(request: Request) -> Response:
    """The result panel and every field's problems, after each change (htmx)."""
    shared = services(request)
    draft, _, _ = await _draft(request)
    verdict = verdict_from(await request.form())  # (the form read just above, kept by Starlette)

    def work() -> Response:  # scoring and the page are CPU work: off the event loop
        return page("_live.html.j2", **_context(shared, _checked(shared, draft), verdict=verdict))

    return await run_in_threadpool(work)


def download_name(draft: Draft, extension: str) -> str:
    """`sam-lee-usup-2026-10-01.yaml`: letters, digits and hyphens only."""
    words = f"{draft.name} {draft.skill} {draft.assessed_on}".lower()
    stem = re.sub(r"[^a-z0-9]+", "-", words).strip("-")[:80] or "assessment"
    return f"{stem}.{extension}"


async def download_yaml(request: Request) -> Response:
    draft, _, _ = await _draft(request)
    shared = services(request)
    checked = _checked(shared, draft)
    if checked.problems:
        return await editor(request, draft, status_code=422)
    return attachment(checked.text, download_name(draft, "yaml"), "application/yaml")


async def download_pdf(request: Request) -> Response:
    """The PDF gap report: loaded, scored and laid out in a worker process."""
    draft, _, _ = await _draft(request)
    shared = services(request)
    skill = _skill_of(shared, draft)
    text = to_yaml(draft, skill.statements_by_id)
    try:
        pdf = await shared.pdfs.render(gap_report_pdf, text, DRAFT_NAME, shared.today())
    except InputFileError:  # the form's problems, shown beside its fields
        return await editor(request, draft, status_code=422)
    return attachment(pdf, download_name(draft, "pdf"), "application/pdf")


# -- with the history store -------------------------------------------------------------------


def _source_name(draft: Draft) -> str:
    return download_name(draft, "yaml")


async def _to_store(
    request: Request, shared: Services, draft: Draft, **shown: Any
) -> bytes | Response:
    """The file to store for this form, or the page saying why it cannot be stored: a bad
    request, the file's problems, or (shared mode) a form that is not the signed-in person's own
    self-assessment."""
    checked = _checked(shared, draft)
    if checked.problems:
        return await editor(request, draft, status_code=422, **shown)
    user = current_user(request)
    forged = not_your_self_assessment(user, draft.name, draft.relation, draft.assessor_name)
    if forged:
        return await editor(request, draft, status_code=422, store_problem=forged, **shown)
    return checked.text.encode("utf-8")


async def save(request: Request) -> Response:
    """Save the form as a new version of the draft in the store, then show it at its address."""
    from ..store.workflow import save_draft

    shared = services(request)
    draft, _, _ = await _draft(request)
    content = await _to_store(request, shared, draft)
    if isinstance(content, Response):
        return content
    forget = drafts.dropping(request, drafts.slot(draft.skill, draft.sfia_version))

    def work(session: Any) -> int:
        record = save_draft(
            session, content, _source_name(draft), shared.catalog, shared.policy, actor=draft.name
        )
        forget(session)
        return record.id

    try:
        saved_id = await shared.write(work)
    except StoreUnavailable:
        raise
    except SfiaAssessError as exc:  # shown in the form, which keeps what was typed
        return await editor(request, draft, status_code=422, store_problem=said(exc))
    audit_as(request, f"/assessments/{saved_id}")
    return RedirectResponse(f"/assessments/{saved_id}?saved=1", status_code=303)


async def submit_to_manager(request: Request) -> Response:
    """Save the form (if it changed) and send that version to the manager: in a shared
    deployment the account's manager (nothing typed is read), else the manager named."""
    from ..store.workflow import save_draft, submit

    shared = services(request)
    draft, _, manager = await _draft(request)
    user = current_user(request)
    if user is not None:
        manager = user.manager or ""
        if not manager:
            route = await _route(request, draft)
            ask = route.ask if route is not None else "HR"
            problem = f"no manager is set for your account: ask {ask} to set one"
            return await editor(request, draft, status_code=422, store_problem=problem)
    if not manager:  # (editor answers 400 itself for a request that is not a form of ours)
        return await editor(
            request,
            draft,
            status_code=422,
            manager_problem="give your manager's name: the assessment goes to them",
        )
    content = await _to_store(request, shared, draft, manager=manager)
    if isinstance(content, Response):
        return content

    def work(session: Any) -> tuple[int, int, str]:
        record = save_draft(
            session, content, _source_name(draft), shared.catalog, shared.policy, actor=draft.name
        )
        step = submit(session, record.id, actor=draft.name, manager=manager)
        forget(session)
        return record.id, record.version, step.recipient or manager

    forget = drafts.dropping(request, drafts.slot(draft.skill, draft.sfia_version))

    try:
        saved_id, version, sent_to = await shared.write(work)
    except StoreUnavailable:
        raise
    except SfiaAssessError as exc:  # shown in the form, which keeps what was typed
        return await editor(
            request, draft, status_code=422, manager=manager, store_problem=said(exc)
        )
    audit_as(request, f"/assessments/{saved_id}")
    notify_submitted(request, saved_id)  # after the commit, in the mail thread
    return page(
        "submitted.html.j2",
        title="Sent for review",
        draft=draft,
        manager=sent_to,
        assessment_id=saved_id,
        version=version,
        draft_dropped=drafts.slot(draft.skill, draft.sfia_version),
        browser_copy=drafts.browser_copy(
            request, drafts.slot(draft.skill, draft.sfia_version), None, False
        ),
    )


async def withdraw(request: Request) -> Response:
    """The person takes back a submission still waiting for review (it leaves the manager's
    queue); she can edit it and submit it again."""
    from ..store.workflow import get
    from ..store.workflow import withdraw as take_back

    user = current_user(request)
    assessment_id = int(request.path_params["assessment_id"])

    def work(session: Any) -> None:
        owner = get(session, assessment_id).person  # single-user mode: the person at this machine
        who = (user.name, user.key) if user is not None else (owner.name, owner.key)
        take_back(session, assessment_id, actor=who[0], actor_key=who[1])

    with missing_as_not_found():
        try:
            await services(request).write(work)
        except StoreUnavailable:
            raise
        except SfiaAssessError as exc:
            if "no recorded assessment" in str(exc):
                raise
            audit_as(request, None)  # nothing was withdrawn
            return RedirectResponse(f"/assessments/{assessment_id}?kept=1", status_code=303)
    audit_as(request, f"/assessments/{assessment_id}")
    return RedirectResponse(f"/assessments/{assessment_id}?withdrawn=1", status_code=303)


async def saved_list(request: Request) -> Response:
    """The saved self-assessments the reader may open, newest first, a page at a time (a
    fragment the home page loads, or a page of its own)."""
    from ..store.recent import count_self_assessments, recent_self_assessments

    shared = services(request)
    people = await readable_people(request, Access.RECORD)

    def work(session: Any) -> tuple[Pager, list[Any]]:
        shown = pager(request, count_self_assessments(session, people), base="/assessments")
        found = recent_self_assessments(session, shown.size, people=people, offset=shown.start)
        return shown, found

    try:
        shown, found = await shared.read(work)
    except StoreUnavailable:
        raise
    except SfiaAssessError as exc:  # the page still opens, saying why the list is empty
        shown, found, problem = pager(request, 0), [], said(exc)
    else:
        problem = ""
    found = await only_visible(request, found, lambda s: s.person_key, Access.RECORD)
    template = "_saved.html.j2" if request.headers.get("hx-request") else "saved.html.j2"
    return page(
        template,
        title="Saved self-assessments",
        saved=found,
        store_problem=problem,
        pager=shown,
        pager_label="Pages of saved self-assessments",
    )


async def open_saved(request: Request) -> Response:
    """A saved version opened in the form; saving again makes a new version. Once reviewed, the
    banner and the result panel give one verdict: the agreed level, her own beside it."""
    from ..store.workflow import get, status, submission_route, trail, waiting_for

    shared = services(request)
    assessment_id = int(request.path_params["assessment_id"])
    user = current_user(request)

    def work(
        session: Any,
    ) -> tuple[bytes, str, str, int, Verdict | None, Any, str, str, str | None, Any]:
        record = get(session, assessment_id)
        route = submission_route(session, user.key) if user is not None else None
        state = status(session, record.id)
        steps = trail(session, record.id)
        waiting = waiting_for(session, record.id)
        return (
            record.content,
            record.source_name,
            state,
            record.version,
            _verdict(session, record.id, shared.catalog.responsibility(record.sfia_version)),
            (steps[-1].actor, steps[-1].note or "") if steps else None,
            waiting,
            record.person.key,
            record.person.login,
            route,
        )

    with missing_as_not_found():
        found = await shared.read(work)
        content, name, state, version, verdict, last, waiting, owner, login, to = found
        loaded = parse_assessment(content, name, shared.catalog)
    notice = f"Version {version} of this assessment, {_state_words(state)}."
    if verdict is not None:
        notice = (
            f"Version {version} of this assessment, signed off by {verdict.by} on {verdict.on}:"
            f" agreed level {verdict.agreed}."
        )
    if state == "returned" and last is not None:
        notice = (
            f"Version {version} of this assessment was sent back to you by {last[0]}:"
            f" \u201c{last[1]}\u201d Change what is asked, then send it again below."
        )
    dropped = ""
    if request.query_params.get("saved"):
        notice = f"Saved as version {version}."
        dropped = drafts.slot(loaded.assessment.skill, loaded.assessment.sfia_version)
    if request.query_params.get("kept"):
        notice = (
            f"Version {version} was not withdrawn: only its author can withdraw a submission,"
            " while it waits for review."
        )
    if request.query_params.get("withdrawn"):
        notice = f"Version {version} was withdrawn: it is no longer waiting for review."
    if waiting:
        notice += (
            f" It is waiting for {waiting}'s review; what you save now is a new version,"
            " or withdraw it to change it and send it again."
        )
    mine = user is None or user.key == owner
    draft = from_assessment(loaded.assessment)
    if login and not draft.id:  # recorded by name: the store knows whose account it is
        draft = replace(draft, id=account_id(login, draft.name))
    route = None
    if user is not None:
        route = Route(True, *to) if _own(user, draft) else Route(False, "", "")
    return await editor(
        request,
        draft,
        route=route,
        notice=notice,
        withdraw=assessment_id if waiting and mine else None,
        verdict=verdict,
        draft_dropped=dropped,
    )


def _state_words(state: str) -> str:
    return {
        "drafted": "a draft not sent yet",
        "submitted": "sent for review",
        "reassigned": "sent for review",
        "withdrawn": "withdrawn from review",
        "returned": "sent back to you",
        "recorded": "recorded",
        "migrated": "moved from an older SFIA version",
    }.get(state, state)


@dataclass(frozen=True)
class Verdict:
    """The signed-off outcome of a version, as the practitioner's page says it."""

    agreed: str  # `3 — Apply`, or `none`
    by: str
    on: str  # `4 December 2026`
    record: int  # the self-assessment's id: its review record is at /assessments/N/record


def _verdict(session: Any, assessment_id: int, responsibility: Any) -> Verdict | None:
    """The signed-off outcome of a version, else None."""
    from ..store.workflow import SIGNED_OFF, latest_review, trail

    steps = [step for step in trail(session, assessment_id) if step.kind == SIGNED_OFF]
    found = latest_review(session, assessment_id)
    if not steps or found is None:
        return None
    level = found.agreed_level
    named = f"{level} \N{EM DASH} {responsibility.level(level).name}" if level else "none"
    at = steps[-1].at
    return Verdict(named, steps[-1].actor, f"{at.day} {at:%B %Y}", assessment_id)


def verdict_from(form: Any) -> Verdict | None:
    """The verdict the opened version's form carries (hidden fields), so that the live result
    keeps saying it while she changes things; it is only ever shown back to her."""
    agreed, by = str(form.get("verdict_agreed", "")), str(form.get("verdict_by", ""))
    record = whole_number(str(form.get("verdict_record", "")))
    if not agreed or not by or record is None:
        return None
    return Verdict(agreed[:80], by[:200], str(form.get("verdict_on", ""))[:40], record)

"""Manager pages: the queue of submitted assessments, the side-by-side review, the sign-off."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..core.assessment import LoadedAssessment, Rating, parse_assessment
from ..core.identity import person_key, same_person, shown_names
from ..core.review import StatementComparison
from ..errors import SfiaAssessError, StoreUnavailable
from ..files.yamlfile import MAX_BYTES
from ..reports.chart import coverage_svg
from ..reports.gap.model import REASON_LABELS
from .access import Access, may, not_your_name, only_visible, readable_people
from .auth import current_user
from .checking import GENERAL, CheckedReview, check_review
from .downloads import attachment
from .errorpages import NotFound, missing_as_not_found, said
from .forms import KINDS, RATINGS, Draft, focus_after, from_form
from .notify import notify_returned, notify_signed_off
from .paging import Pager, pager
from .pdfpool import review_record_pdf
from .services import Services, page, services

REVIEW_NAME = "your review"


@dataclass(frozen=True)
class SelfRecord:
    """The self-assessment under review, as stored, and who it was sent to."""

    assessment_id: int
    content: bytes
    source_name: str
    status: str
    sent_to: str
    person: str = ""
    files: tuple[Any, ...] = ()


def _self_record(assessment_id: int) -> Any:
    def work(session: Any) -> SelfRecord:
        from ..store.mine import files_of
        from ..store.workflow import get, status, trail

        record = get(session, assessment_id)
        if record.relation != "self":
            raise SfiaAssessError(f"assessment {assessment_id} is not a self-assessment")
        sent = [e.recipient for e in trail(session, record.id) if e.kind == "submitted"]
        return SelfRecord(
            record.id,
            record.content,
            record.source_name,
            status(session, record.id),
            (sent[-1] or "") if sent else "",
            record.person.name,
            tuple(files_of(session, record.id)),
        )

    return work


async def _own(request: Request) -> tuple[SelfRecord, LoadedAssessment]:
    """The self-assessment under review; the 404 page when there is none at this id."""
    shared = services(request)
    with missing_as_not_found():
        found = await shared.read(_self_record(int(request.path_params["assessment_id"])))
        return found, parse_assessment(found.content, found.source_name, shared.catalog)


async def queue(request: Request) -> Response:
    """Assessments submitted and waiting for review (for the manager named, or everyone), and
    the signed-off ones the reader may open, newest first, a page at a time."""
    from ..store.recent import count_self_assessments, recent_self_assessments
    from ..store.workflow import SIGNED_OFF, submitted

    shared = services(request)
    manager = " ".join(request.query_params.get("manager", "").split())
    people = await readable_people(request, Access.REVIEW)
    user = current_user(request)
    # A manager's queue is what they can act on: what waits for them, by their account's key.
    mine = user.key if user is not None and user.role == "manager" else None

    def work(session: Any) -> tuple[list[Any], list[Any], Pager]:
        if mine is not None:
            waiting = submitted(session, manager_key=mine)
        else:
            waiting = submitted(session, manager or None)
        total = count_self_assessments(session, people, SIGNED_OFF)
        shown = pager(request, total, [("manager", manager)])
        signed = recent_self_assessments(
            session, shown.size, people=people, status=SIGNED_OFF, offset=shown.start
        )
        return waiting, signed, shown

    try:
        waiting, signed, shown = await shared.read(work)
    except StoreUnavailable:
        raise
    except SfiaAssessError as exc:  # the page still opens, saying why the lists are empty
        waiting, signed, shown, problem = [], [], pager(request, 0), said(exc)
    else:
        problem = ""
    waiting = await only_visible(request, waiting, lambda w: w.person_key, Access.REVIEW)
    told = shown_names((w.person, w.person_id) for w in waiting)  # two Sam Lees: with ids
    waiting = [replace(w, person=told[(w.person, w.person_id)]) for w in waiting]
    signed = await only_visible(request, signed, lambda w: w.person_key, Access.REVIEW)
    now = dt.datetime.now(dt.UTC)
    sent_back = request.query_params.get("returned", "")
    return page(
        "queue.html.j2",
        title="Assessments waiting for review",
        waiting=[(w, waiting_for(now - w.submitted_at)) for w in waiting],
        notice=f"Sent back to {sent_back[:200]} with your comment." if sent_back else "",
        signed=signed,
        manager=manager,
        mine=mine is not None,
        store_problem=problem,
        pager=shown,
        pager_label="Pages of signed-off assessments",
    )


def waiting_for(age: dt.timedelta) -> str:
    """`waiting 3 days`, `waiting since today`: how long a submission has waited."""
    days = age.days
    if days < 1:
        hours = age.seconds // 3600
        return "sent today" if hours < 1 else f"waiting {hours} hour{'s' if hours != 1 else ''}"
    return f"waiting {days} day{'s' if days != 1 else ''}"


def _first_draft(found: SelfRecord, own: LoadedAssessment, shared: Services) -> Draft:
    first = Draft(
        skill=own.skill.code,
        sfia_version=str(own.skill.sfia_version),
        assessor_name=found.sent_to,
        assessed_on=shared.today().isoformat(),
    )
    return _review_of(own, first)


def _render(
    request: Request,
    found: SelfRecord,
    result: CheckedReview,
    *,
    status_code: int = 200,
    store_problem: str = "",
    focus: str = "",
    return_problem: str = "",
    return_note: str = "",
    reviewing: bool = True,
) -> Response:
    shared = services(request)
    own = result.own
    evidence_by_statement: dict[str, list[Any]] = {}
    for item in own.assessment.evidence:
        for statement_id in item.supports:
            evidence_by_statement.setdefault(statement_id, []).append(item)
    context = {
        **_live_context(found, result),
        "title": f"Review: {own.assessment.subject.name}, {own.skill.label}",
        "found": found,
        "own": own.assessment,
        "responsibility": shared.catalog.responsibility(own.skill.sfia_version),
        "evidence_by_statement": evidence_by_statement,
        "ratings": RATINGS,
        "kinds": KINDS,
        "reason_labels": {k.value: v for k, v in REASON_LABELS.items()},
        "base_url": f"/manager/review/{found.assessment_id}",
        "store_problem": store_problem,
        "focus": focus,
        "return_problem": return_problem,
        "return_note": return_note,
        "may_return": reviewing and found.status == "submitted",
        "reviewing": reviewing,
        "evidence_heading": "Your own evidence",
        "evidence_hint": (
            "What you saw yourself: observations, feedback, records. It counts with the"
            " person's evidence."
        ),
    }
    if request.headers.get("hx-request"):
        return page("_review_workspace.html.j2", status_code, **context)
    return page("review.html.j2", status_code, **context)


def _agreement(report: Any, person: str) -> str:
    """How far the manager's ratings and the person's own agree, in the manager's words (the
    CLI's review report gives the statistics: shares, kept ratings, weighted kappa)."""
    agreement = report.review.agreement
    only = sum(1 for s in report.review.statements if s.self_rating is None and s.manager_rating)
    extra = f" You also rated {_statements(only)} {person} left unrated." if only else ""
    if agreement.share_same is None:
        return f"{person} rated no statements yet.{extra}"
    changed = agreement.both_rated - agreement.same
    text = (
        f"You and {person} agree on {agreement.same + agreement.kept} of the"
        f" {_statements(agreement.self_rated)} {person} rated ({agreement.share_same:.0%})."
    )
    if changed:
        text += f" You rated {_statements(changed)} differently."
    else:
        text += " You changed none of their ratings."
    return text + extra


def _difference(row: StatementComparison, person: str) -> str:
    """Where the review changes what a statement counts for, in the manager's words (the CLI's
    review report says it with arrows and "the agreed view")."""
    mine, theirs = row.manager_rating, row.self_rating
    if theirs is None:
        text = f"{person} did not rate it; you rated it {mine}."
    elif mine is None or mine == theirs:
        text = f"You and {person}: {theirs}."
    else:
        text = f"{person}: {theirs}; you: {mine}."
    if row.agreed_demonstrated and not row.self_demonstrated:
        return text + " With your review it counts towards the level."
    if row.self_demonstrated and not row.agreed_demonstrated:
        return text + " With your review it no longer counts towards the level."
    if theirs is not None and mine is not None and mine != theirs:
        steps = abs(Rating(theirs).rank - Rating(mine).rank)
        return text + (" One step apart." if steps == 1 else f" {steps} steps apart.")
    return text


def _statements(count: int) -> str:
    return f"{count} statement{'' if count == 1 else 's'}"


def _check(request: Request, own: LoadedAssessment, draft: Draft) -> CheckedReview:
    shared = services(request)
    return check_review(own, draft, shared.catalog, shared.policy, shared.today(), REVIEW_NAME)


def _as_reviewer(request: Request, draft: Draft) -> Draft:
    """In a shared deployment the reviewer is the signed-in account (its name and id)."""
    user = current_user(request)
    if user is None:
        return draft
    named = not draft.assessor_name.strip() or same_person(draft.assessor_name, user.name)
    if not named:
        return replace(draft, assessor_id="")  # someone else's name: refused when signing
    login = "" if person_key(user.login) == person_key(user.name) else user.login
    return replace(draft, assessor_name=user.name, assessor_id=login)


async def review_page(request: Request) -> Response:
    """The review form for the person's manager; for HR and admin looking at someone else's
    report, the same page to read, with nothing to change or sign (that is the manager's)."""
    found, own = await _own(request)
    draft = _as_reviewer(request, _first_draft(found, own, services(request)))
    reviewing = await may(request, Access.REVIEWING)
    return _render(request, found, _check(request, own, draft), reviewing=reviewing)


async def _posted(request: Request) -> tuple[Draft, str]:
    async with request.form(max_files=1, max_fields=5_000, max_part_size=MAX_BYTES) as form:
        draft = _as_reviewer(request, from_form(form, form.getlist))
        return draft, str(form.get("action", ""))


async def live_result(request: Request) -> Response:
    """The agreed level and the differences, after each change (htmx)."""
    found, own = await _own(request)
    draft, _ = await _posted(request)
    result = _check(request, own, _with_self(draft, own))
    return page("_review_live.html.j2", **_live_context(found, result))


def _live_context(found: SelfRecord, result: CheckedReview) -> dict[str, Any]:
    """What the review page and its live result panel both show."""
    report = result.report
    return {
        "checked": result.checked,
        "draft": result.draft,
        "review": report.review if report else None,
        "report": report,
        "chart": coverage_svg(report.review.agreed) if report else "",
        "agreement_line": _agreement(report, result.own.assessment.subject.name) if report else "",
        "difference": partial(_difference, person=result.own.assessment.subject.name),
        "general": GENERAL,
        "skill": result.own.skill,
        "edit_url": f"/manager/review/{found.assessment_id}/edit",
    }


def _with_self(draft: Draft, own: LoadedAssessment) -> Draft:
    """The fields a manager does not edit come from the self-assessment, not the browser."""
    return _review_of(own, draft)


def _review_of(own: LoadedAssessment, draft: Draft) -> Draft:
    """A manager's review of `own`: who, when and the ratings, evidence and comments from
    `draft`; the skill, the person and the target from the self-assessment."""
    a = own.assessment
    return Draft(
        skill=own.skill.code,
        sfia_version=str(own.skill.sfia_version),
        name=a.subject.name,
        id=a.subject.id or "",
        role=a.subject.role or "",
        assessor_name=" ".join(draft.assessor_name.split()),
        assessor_id=draft.assessor_id,
        relation="manager",
        assessed_on=draft.assessed_on,
        target_level=str(a.target_level) if a.target_level is not None else "",
        ratings=draft.ratings,
        evidence=draft.evidence,
        comments=draft.comments,
    )


async def edit(request: Request) -> Response:
    """A button in the review form: add or remove the manager's evidence, take a suggestion."""
    found, own = await _own(request)
    draft, action = await _posted(request)
    draft = _with_self(draft, own).with_action(action, own.skill.statements_by_id, prefix="m")
    return _render(request, found, _check(request, own, draft), focus=focus_after(action, draft))


async def sign(request: Request) -> Response:
    """Record the review, the agreed level and the sign-off (who, when) in the store's trail."""
    from ..store.workflow import record_review, sign_off

    shared = services(request)
    found, own = await _own(request)
    draft, _ = await _posted(request)
    result = _check(request, own, _with_self(draft, own))
    if result.report is None:
        return _render(request, found, result, status_code=422)
    manager = result.draft.assessor_name
    user = current_user(request)
    forged = not_your_name(user, manager)
    if forged:
        return _render(request, found, result, status_code=422, store_problem=forged)
    content = result.checked.text.encode("utf-8")
    source = found.source_name.removesuffix(".yaml") + "-review.yaml"

    def work(session: Any) -> None:
        record_review(
            session,
            found.assessment_id,
            content,
            source,
            shared.catalog,
            shared.policy,
            actor=manager,
        )
        sign_off(
            session,
            found.assessment_id,
            actor=manager,
            actor_key=user.key if user is not None else None,
        )

    try:
        await shared.write(work)
    except StoreUnavailable:
        raise
    except SfiaAssessError as exc:  # shown in the review form, which keeps what was typed
        return _render(request, found, result, status_code=422, store_problem=said(exc))
    notify_signed_off(request, found.assessment_id)  # after the commit, in the mail thread
    return RedirectResponse(f"/manager/review/{found.assessment_id}/signed", status_code=303)


async def send_back(request: Request) -> Response:
    """Return the assessment to its author with the manager's comment (what to change or
    bring); it leaves the queue until they send it again."""
    from ..store.workflow import return_to_person

    shared = services(request)
    found, own = await _own(request)
    async with request.form(max_files=0, max_fields=10, max_part_size=MAX_BYTES) as form:
        note = str(form.get("return_note", ""))[:4000]
    user = current_user(request)
    manager = user.name if user is not None else found.sent_to

    def work(session: Any) -> None:
        key = user.key if user is not None else None
        return_to_person(session, found.assessment_id, actor=manager, note=note, actor_key=key)

    try:
        await shared.write(work)
    except StoreUnavailable:
        raise
    except SfiaAssessError as exc:  # shown on the review page, the comment kept
        result = _check(request, own, _first_draft(found, own, shared))
        return _render(
            request, found, result, status_code=422, return_problem=said(exc), return_note=note
        )
    notify_returned(request, found.assessment_id)  # after the commit, in the mail thread
    from urllib.parse import urlencode

    return RedirectResponse(f"/manager?{urlencode({'returned': found.person})}", status_code=303)


async def signed(request: Request) -> Response:
    """The agreed level as signed off, the trail of who did what and when, the record as PDF.
    The person opens it from their own page (at /assessments/N/record), the manager from the
    queue."""
    from ..reports.review import moment_words, step_words
    from ..store.mine import comments_of, files_of
    from ..store.workflow import latest_review, trail

    shared = services(request)
    assessment_id = int(request.path_params["assessment_id"])
    by_person = request.url.path.startswith("/assessments/")

    def work(session: Any) -> tuple[Any, list[Any], list[Any], list[Any]]:
        from ..store.workflow import get

        found = latest_review(session, assessment_id)
        steps = trail(session, assessment_id)
        if found is None:
            return None, steps, [], []
        mine, theirs = get(session, found.self_id).parsed, get(session, found.manager_id).parsed
        return (
            (found.agreed_level, found.self_level, found.manager_level),
            [_step(e) for e in steps],
            list(comments_of(mine, theirs)),
            files_of(session, assessment_id),
        )

    with missing_as_not_found():
        levels, steps, recorded, files = await shared.read(work)
    _, own = await _own(request)
    if levels is None:
        if by_person:
            raise NotFound("this assessment has no review recorded yet")
        return RedirectResponse(f"/manager/review/{assessment_id}", status_code=303)
    agreed, self_level, _ = levels
    order = {sid: i for i, sid in enumerate(own.skill.statements_by_id)}
    recorded.sort(key=lambda row: order.get(row.statement, len(order)))
    signed_steps = [step for step in steps if step.kind == "signed-off"]
    base = f"/assessments/{assessment_id}" if by_person else f"/manager/review/{assessment_id}"
    return page(
        "signed.html.j2",
        title=(
            f"Signed off: {own.assessment.subject.name}"
            if signed_steps
            else f"Review record: {own.assessment.subject.name}"
        ),
        own=own.assessment,
        skill=own.skill,
        responsibility=shared.catalog.responsibility(own.skill.sfia_version),
        agreed=agreed,
        self_level=self_level,
        steps=[
            (step_words(step), step.actor, moment_words(step.at))
            for step in steps
            if step.kind != "drafted"
        ],
        signed=signed_steps[-1] if signed_steps else None,
        signed_when=moment_words(signed_steps[-1].at) if signed_steps else "",
        recorded=recorded,
        files=files,
        assessment_id=assessment_id,
        pdf_url=f"{base}/record.pdf",
        by_person=by_person,
    )


def _step(event: Any) -> Any:
    from ..core.history import Step
    from ..store.history import aware

    return Step(event.kind, event.actor, aware(event.at), event.recipient, event.note)


async def record_pdf(request: Request) -> Response:
    """The review record as PDF, made in a worker from the two files as recorded, with the
    trail (the electronic sign-off, once signed) and the files kept for the evidence."""
    from ..reports.review import RecordTrail
    from ..store.mine import files_of
    from ..store.workflow import get, latest_review, trail

    shared = services(request)
    assessment_id = int(request.path_params["assessment_id"])

    def work(session: Any) -> tuple[tuple[str, str], tuple[str, str], RecordTrail] | None:
        found = latest_review(session, assessment_id)
        if found is None:
            return None
        mine, theirs = get(session, found.self_id), get(session, found.manager_id)
        kept = RecordTrail(
            tuple(_step(e) for e in trail(session, assessment_id)),
            tuple((f.evidence_id, f.file_name, f.size) for f in files_of(session, assessment_id)),
        )
        return (
            (mine.content.decode("utf-8"), mine.source_name),
            (theirs.content.decode("utf-8"), theirs.source_name),
            kept,
        )

    with missing_as_not_found():
        pair = await shared.read(work)
    if pair is None:
        raise NotFound("this assessment has no review recorded yet")
    pdf = await shared.pdfs.render(review_record_pdf, pair[0], pair[1], shared.today(), pair[2])
    name = pair[0][1].removesuffix(".yaml") + "-review-record.pdf"
    return attachment(pdf, name, "application/pdf")

"""Drafts saved as the practitioner types (static/drafts.js posts the form a moment after each
change): one per person and skill, handed back when she starts that skill again, dropped when
the assessment is saved for real. Nothing typed is lost to a restart, an ended session or a
lost network: the browser keeps a copy too, and puts it back when it is the newer one."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..core.identity import person_key
from ..errors import SfiaAssessError
from .auth import CSRF_FIELD, current_user, read_body
from .bodylimit import FORM_BYTES
from .errorpages import BadRequest
from .forms import Draft, from_form
from .services import services

# Single-user mode has no accounts: its drafts are all this one person's.
SINGLE_USER = person_key("(this computer)")


def account_key(request: Request) -> str:
    user = current_user(request)
    return user.key if user is not None else SINGLE_USER


@dataclass(frozen=True)
class Restored:
    """A draft handed back: the form it holds and when it was saved (seconds since the epoch)."""

    draft: Draft
    saved_at: float

    @property
    def saved_iso(self) -> str:
        return dt.datetime.fromtimestamp(self.saved_at, dt.UTC).isoformat(timespec="seconds")

    @property
    def saved_words(self) -> str:
        """`4 December 2026, 18:32 UTC` (the page's script shows it in the reader's own time)."""
        when = dt.datetime.fromtimestamp(self.saved_at, dt.UTC)
        return f"{when.day} {when:%B %Y, %H:%M} UTC"


def parsed(content: bytes) -> FormData:
    fields: list[tuple[str, str | UploadFile]] = []
    fields.extend(parse_qsl(content.decode("utf-8", "replace"), keep_blank_values=True))
    return FormData(fields)


def draft_from(content: bytes) -> Draft:
    form = parsed(content)
    return from_form(form, form.getlist)


def _skill_code(request: Request, code: str) -> str:
    """The skill's code as the catalog spells it; a form for no known skill is not kept."""
    try:
        return services(request).catalog.check_code(code)
    except SfiaAssessError as exc:
        raise BadRequest(str(exc)) from None


def slot(code: str, version: object) -> str:
    """Where a draft is kept: one per skill and SFIA version (`USUP:9`), so that a form of
    SFIA 8 and one of SFIA 9 of the same skill never overwrite each other."""
    text = str(version)
    return f"{code}:{text}" if text.isascii() and text.isdigit() and len(text) <= 2 else code


async def save(request: Request) -> Response:
    """Keep the posted form as this person's draft of its skill (the script's autosave)."""
    from ..store.drafts import keep_draft

    body = await read_body(request.receive, FORM_BYTES)
    if body is None:
        raise BadRequest("this draft is larger than any form here makes")
    pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    body = urlencode([(k, v) for k, v in pairs if k != CSRF_FIELD]).encode()  # not kept
    draft = draft_from(body)
    skill = slot(_skill_code(request, draft.skill), draft.sfia_version)
    key = account_key(request)
    now = time.time()
    await services(request).write(lambda s: keep_draft(s, key, skill, body, now))
    return JSONResponse({"saved_at": int(now * 1000)}, headers={"Cache-Control": "no-store"})


async def restored(request: Request, skill: str) -> Restored | None:
    """This person's saved draft of `skill`, if there is one (and it still reads as a form)."""
    from ..store.drafts import draft_of

    key = account_key(request)
    found = await services(request).read(lambda s: draft_of(s, key, skill))
    if found is None:
        return None
    return Restored(draft_from(found.content), found.saved_at)


async def discard(request: Request, skill: str) -> None:
    from ..store.drafts import drop_draft

    key = account_key(request)
    await services(request).write(lambda s: drop_draft(s, key, skill))


def dropping(request: Request, skill: str) -> Any:
    """What a real save does in its own transaction: forget the draft of that skill."""
    from ..store.drafts import drop_draft

    key = account_key(request)
    return lambda session: drop_draft(session, key, skill)


async def listed(request: Request) -> list[Restored]:
    """This person's drafts, newest first, for the start page (none when the store is down:
    the page still opens)."""
    from ..store.drafts import drafts_of

    key = account_key(request)
    try:
        found = await services(request).read(lambda s: drafts_of(s, key))
    except SfiaAssessError:
        return []
    return [Restored(draft_from(d.content), d.saved_at) for d in found]


def browser_copy(
    request: Request, skill: str, saved_at: float | None, restore: bool
) -> dict[str, Any]:
    """What the form tells its script: where to save, whose copy in this browser to keep, and
    whether a newer copy kept in this browser may be put back in the form."""
    return {
        "url": "/assessment/draft",
        "owner": account_key(request),
        "skill": skill,
        "saved_ms": int(saved_at * 1000) if saved_at else 0,
        "restore": restore,
    }

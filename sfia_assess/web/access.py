"""Who may see what in a shared deployment: ONE rule (`allowed`) that every page and API call
goes through (the `AccessRules` middleware), so a route cannot forget it.

practitioner: their own records; manager: their own and their reports' (and reviews those);
hr and admin: everyone's; only admin manages accounts. Anything else is answered 404, as if the
record did not exist, so a URL does not tell who has records.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..core.identity import person_key, same_person
from .auth import User

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session
    from starlette.requests import Request

T = TypeVar("T")

_RECORD = re.compile(r"^/(?:assessments|manager/review)/(\d+)(?:/|$)")
_MANAGER_PAGES = ("/manager",)
_ADMIN_PAGES = ("/admin",)
_HR_PAGES = "/hr"  # the team dashboard, progress, downloads, profiles, pathways, migration


def not_your_name(user: User | None, name: str) -> str | None:
    """In a shared deployment, everyone writes under their own name only (a practitioner's
    self-assessment, a manager's review): the sentence to show when `name` is someone else's,
    else None. Single-user mode (no account) has no one to check against."""
    if user is None or same_person(name, user.name):
        return None
    return (
        f"you are signed in as {user.name}: an assessment or review is saved under your own"
        f" name only (the form says {name!r})"
    )


def not_your_self_assessment(
    user: User | None, name: str, relation: str, assessor: str
) -> str | None:
    """In a shared deployment the practitioner's page saves the signed-in person's own
    self-assessment only: the sentence to show when the form says otherwise, else None. (A
    review is made from the manager's page, never by naming another assessor here.)"""
    if user is None:
        return None
    if relation != "self" or not_your_name(user, assessor or user.name) is not None:
        return "this page saves your own self-assessment; a review is made from the manager's page"
    return not_your_name(user, name)


@dataclass(frozen=True)
class Owner:
    """Whose record it is: their name key, and their manager's (from their account)."""

    person: str
    manager: str | None


def allowed(user: User, path: str, owner: Owner | None, method: str = "GET") -> bool:
    """May `user` open `path`, whose record (if any) belongs to `owner`?"""

    me = person_key(user.name)
    if path.startswith(_ADMIN_PAGES):
        return user.role == "admin"
    if path == _HR_PAGES or path.startswith(_HR_PAGES + "/"):
        return user.role in ("hr", "admin")
    if path.startswith(_MANAGER_PAGES) and user.role == "practitioner":
        return False
    if owner is None:
        return True
    changes_a_review = path.startswith("/manager/review/") and method not in ("GET", "HEAD")
    if changes_a_review and (user.role != "manager" or owner.person == me):
        return False  # hr and admin see everyone's records; only the person's manager reviews
    if user.role in ("hr", "admin"):
        return True
    if user.role == "manager":
        mine = owner.person == me
        report = owner.manager == me
        # A manager reviews their reports, not their own assessment.
        return report if path.startswith("/manager/review/") else mine or report
    return owner.person == me


def record_id(path: str) -> int | None:
    found = _RECORD.match(path)
    return int(found.group(1)) if found else None


def _owner(engine: Engine, assessment_id: int) -> Owner | None:
    from sqlalchemy import select

    from ..store.database import reading
    from ..store.models import Account, AssessmentRecord, Person

    with reading(engine) as session:
        person = session.execute(
            select(Person.key)
            .join(AssessmentRecord, AssessmentRecord.person_id == Person.id)
            .where(AssessmentRecord.id == assessment_id)
        ).scalar_one_or_none()
        if person is None:
            return None
        manager = session.execute(
            select(Account.manager_key).where(Account.key == person)
        ).scalar_one_or_none()
        return Owner(person, manager)


class AccessRules:
    """Runs `allowed` for every request of a signed-in user; refusals are 404. What a request
    did goes to the audit log once its answer says it did it (2xx or 3xx), just before the
    answer's last part is sent: a refused sign-off is not "signed"."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        user = scope.get("state", {}).get("user") if scope["type"] == "http" else None
        if not isinstance(user, User):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        owner = None
        found = record_id(path)
        if found is not None:
            services = scope["app"].state.services
            owner = await run_in_threadpool(lambda: _owner(services.engine(), found))
            if owner is None:
                owner = Owner("", None)  # no such record: nobody but hr/admin "owns" it
        if not allowed(user, path, owner, scope["method"]):
            await _not_found(path)(scope, receive, send)
            return
        action = audited_action(scope["method"], path)
        if action is None:
            await self.app(scope, receive, send)
            return
        answered: dict[str, str] = {}

        async def send_then_audit(message: Message) -> None:
            if message["type"] == "http.response.start":
                answered.update(_answer(message))
            elif _last_part(message) and answered.get("status", "500")[0] in "23":
                target = str(
                    scope["state"].get(AUDIT_TARGET)
                    or (path if found is not None else answered.get("file", path))
                )
                await _audit(scope, user, action, target)
            await send(message)

        await self.app(scope, receive, send_then_audit)


def _not_found(path: str) -> Response:
    """The same answer as for a record that does not exist: the 404 page (plain for the API)."""
    if path.startswith("/api/"):
        return PlainTextResponse("Not found", status_code=404)
    from .app import page

    message = "There is nothing at this address that you can open."
    return page("notfound.html.j2", status_code=404, title="Not found", message=message)


AUDIT_TARGET = "audit_target"  # a handler may name what it changed: request.state.audit_target
_FILE_NAME = re.compile(r'filename="([^"]+)"')


def _last_part(message: Message) -> bool:
    return message["type"] == "http.response.body" and not message.get("more_body", False)


def _answer(start: Message) -> dict[str, str]:
    """The status of an answer, and the name of the file it downloads, if any."""
    found = {"status": str(start["status"])}
    for name, value in start.get("headers", []):
        if name.lower() == b"content-disposition":
            named = _FILE_NAME.search(value.decode("latin-1"))
            if named:
                found["file"] = named.group(1)
    return found


def _managers(session: Session) -> dict[str, str | None]:
    from sqlalchemy import select

    from ..store.models import Account

    rows = session.execute(select(Account.key, Account.manager_key))
    return {str(key): manager for key, manager in rows}


async def only_visible(
    request: Request, items: list[T], person: Callable[[T], str], path: str
) -> list[T]:
    """The items (each one person's record, opened at `path`) that `allowed` lets the signed-in
    user see; all of them when the app is single-user."""
    from .app import services
    from .auth import current_user

    user = current_user(request)
    if user is None:
        return items
    managers = await services(request).read(_managers)
    shown = []
    for item in items:
        key = person_key(person(item))
        if allowed(user, path, Owner(key, managers.get(key))):
            shown.append(item)
    return shown


_READ_ONLY_POSTS = ("/check", "/edit", "/assessment/start", "/assessment/upload")
_ACTIONS = {
    "/assessment/save": "saved",
    "/assessment/submit": "submitted",
    "/assessment/download.yaml": "exported",
    "/assessment/report.pdf": "exported",
}


def audited_action(method: str, path: str) -> str | None:
    """What a request does, in the audit log's words; None for what changes and shows no
    record (a live preview, a form's add/remove buttons, the API's checks, lists)."""
    if path in _ACTIONS and method == "POST":
        return _ACTIONS[path]
    if record_id(path) is None or path.endswith(_READ_ONLY_POSTS):
        return None
    if path.endswith("/sign") and method == "POST":
        return "signed"
    if path.endswith(".pdf"):
        return "exported"
    return "viewed" if method in ("GET", "HEAD") else "changed"


async def _audit(scope: Scope, user: User, action: str, target: str) -> None:
    from ..store.accounts import audit

    client = scope.get("client")
    address = client[0] if client else None
    services = scope["app"].state.services
    await services.write(lambda s: audit(s, user.name, action, target, address))

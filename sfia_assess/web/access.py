"""Who may see what in a shared deployment, declared at each route.

Every route of the app is a `Page`: its path, its handler, WHO may open it (an `Access` rule)
and WHAT the audit log says it did (an `Audit`, or none). `allowed` is the one rule every page
and API call goes through; a refusal is answered 404, as for a record that does not exist, so a
URL does not tell who has records.

practitioner: their own records, and what became of them (the review record and its PDF, the
files kept for their evidence); manager: their own and their reports' (and reviews those);
hr and admin: everyone's; only admin manages accounts. Only the person adds files to their own
record.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import wraps
from typing import TYPE_CHECKING, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..core.identity import same_person
from .audit import Audit, audit_request
from .auth import User, current_user
from .errorpages import CrossSite, NotFound
from .services import services

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

T = TypeVar("T")
Handler = Callable[[Request], Awaitable[Response]]


class Access(Enum):
    """Who may open a route (in a shared deployment; single-user mode opens everything)."""

    OPEN = "anyone, signed in or not: the sign-in page"
    SIGNED_IN = "anyone signed in"
    REVIEWERS = "managers, hr and admin"
    RECORD = "the person, their manager, hr and admin"
    OWN = "the person only (adding to their own record)"
    REVIEW = "the person's manager, hr and admin"
    REVIEWING = "the person's manager only, never the person"
    PERSON = "the person (by {person_id} or {person} in the path), their manager, hr and admin"
    HR = "hr and admin"
    ADMIN = "admin only"


# The rules that concern one person's record: the route has an {assessment_id}.
RECORD_RULES = frozenset({Access.RECORD, Access.OWN, Access.REVIEW, Access.REVIEWING})


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


NOBODY = Owner("", None)  # a record that does not exist: nobody but hr/admin "owns" it


def allowed(user: User, rule: Access, owner: Owner | None = None) -> bool:
    """May `user` open a route under `rule`, for the record (if any) belonging to `owner`?"""
    role = user.role
    if rule in (Access.OPEN, Access.SIGNED_IN):
        return True
    if rule is Access.ADMIN:
        return role == "admin"
    if rule is Access.HR:
        return role in ("hr", "admin")
    if rule is Access.REVIEWERS:
        return role != "practitioner"
    me = user.key
    owner = owner or NOBODY
    mine, report = owner.person == me, owner.manager == me
    if rule is Access.REVIEWING:
        # hr and admin see everyone's records; only the person's manager reviews them (an HR
        # lead or an admin with reports of their own reviews those, as any manager does).
        return role != "practitioner" and report and not mine
    if rule is Access.OWN:
        return mine
    if role in ("hr", "admin"):
        return True
    if role == "manager":
        # A manager reviews their reports, not their own assessment.
        return report if rule is Access.REVIEW else mine or report
    return rule in (Access.RECORD, Access.PERSON) and mine


def landing(role: str) -> str:
    """Where someone lands after signing in: HR and admin on the team dashboard, everyone
    else on their own self-assessment form."""
    return "/hr" if role in ("hr", "admin") else "/"


def visible_people(
    user: User | None, rule: Access, managers: dict[str, str | None]
) -> set[str] | None:
    """The person keys whose records `allowed` lets `user` open under `rule` (RECORD or
    REVIEW), for a list to choose in the store before it is paged; None: everyone (hr, admin,
    or single-user mode). `managers` maps each account's key to its manager's."""
    if user is None or user.role in ("hr", "admin"):
        return None
    me = user.key
    reports = {key for key, manager in managers.items() if manager == me and key != me}
    candidates = {me} | reports
    return {key for key in candidates if allowed(user, rule, Owner(key, managers.get(key)))}


def _person_owner(engine: Engine, person_id: int) -> Owner:
    from ..store.database import reading
    from ..store.directory import person_owner

    with reading(engine) as session:
        found = person_owner(session, person_id)
    return Owner(*found) if found is not None else NOBODY


def _owner(engine: Engine, assessment_id: int) -> Owner:
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
            return NOBODY
        manager = session.execute(
            select(Account.manager_key).where(Account.key == person)
        ).scalar_one_or_none()
        return Owner(person, manager)


def _person_owner_by_key(engine: Engine, key: str) -> Owner:
    """The person named by a page's {person} key (people.key, an account's key) and their
    manager (from their account)."""
    from sqlalchemy import select

    from ..store.database import reading
    from ..store.models import Account

    with reading(engine) as session:
        manager = session.execute(
            select(Account.manager_key).where(Account.key == key)
        ).scalar_one_or_none()
    return Owner(key, manager)


async def _may_open(request: Request, rule: Access) -> bool:
    user = current_user(request)
    if rule is Access.OPEN:
        return True
    if user is None:
        # Single-user mode: the person at this machine. A shared app never gets here without
        # a session (the sign-in middleware answers first), and refuses if it ever did.
        return not request.app.state.shared
    owner = None
    if rule in RECORD_RULES:
        assessment_id = int(request.path_params["assessment_id"])
        engine = services(request).engine
        owner = await run_in_threadpool(lambda: _owner(engine(), assessment_id))
    elif rule is Access.PERSON:
        engine = services(request).engine
        if "person_id" in request.path_params:  # a person's page: /people/{people.id}
            person_id = int(request.path_params["person_id"])
            owner = await run_in_threadpool(lambda: _person_owner(engine(), person_id))
        else:  # their career page: /career/{people.key}
            key = str(request.path_params["person"])
            owner = await run_in_threadpool(lambda: _person_owner_by_key(engine(), key))
    return allowed(user, rule, owner)


async def may(request: Request, rule: Access) -> bool:
    """Could the signed-in user open a route under `rule` for this request's record? (For a
    page that offers more to some of its readers: the person may add files to their own.)"""
    return await _may_open(request, rule)


def own_people(request: Request) -> set[str] | None:
    """The person keys of the signed-in user's own records (their own page lists these);
    None: everyone's, in single-user mode (the person at the machine keeps them all)."""
    user = current_user(request)
    return None if user is None else {user.key}


def _sent_by_another_site(request: Request) -> bool:
    """Did another site's page make the browser send this? A POST is refused for that already
    (guard.py, and its CSRF token); a GET that the audit log records as a download must be too,
    or a link on any page would make the log say someone exported what they never saw. A
    request from a tool (no Sec-Fetch-Site, no Referer) is the person's own doing."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site not in ("same-origin", "none")
    referer = request.headers.get("referer")
    if not referer:
        return False
    origin = f"{request.url.scheme}://{request.headers.get('host', '')}"
    return referer != origin and not referer.startswith(origin + "/")


class Page(Route):
    """A route with its access rule and its audit rule, checked and written around the handler:
    a refusal is the 404 page; an answer that did what it says (2xx, 3xx) is audited."""

    def __init__(
        self,
        path: str,
        endpoint: Handler,
        *,
        access: Access,
        audit: Audit | None = None,
        methods: Sequence[str] | None = None,
    ) -> None:
        self.access = access
        self.audit = audit

        @wraps(endpoint)
        async def guarded(request: Request) -> Response:
            if not await _may_open(request, access):
                raise NotFound()
            if audit is not None and audit.action != "viewed" and _sent_by_another_site(request):
                raise CrossSite()
            response = await endpoint(request)
            if audit is not None and response.status_code < 400:
                await audit_request(request, audit, response)
            return response

        super().__init__(path, guarded, methods=list(methods) if methods else None)


def _managers(session: Session) -> dict[str, str | None]:
    from sqlalchemy import select

    from ..store.models import Account

    rows = session.execute(select(Account.key, Account.manager_key))
    return {str(key): manager for key, manager in rows}


async def readable_people(request: Request, rule: Access) -> set[str] | None:
    """`visible_people` for the signed-in user (None: everyone)."""
    user = current_user(request)
    if user is None or user.role in ("hr", "admin"):
        return None
    return visible_people(user, rule, await services(request).read(_managers))


async def only_visible(
    request: Request, items: list[T], person: Callable[[T], str], rule: Access
) -> list[T]:
    """The items (each one person's record, opened under `rule`) that `allowed` lets the
    signed-in user see; all of them when the app is single-user. `person` gives the record's
    person key as the store keeps it (never a name: two people may share one)."""
    user = current_user(request)
    if user is None:
        return items
    managers = await services(request).read(_managers)
    shown = []
    for item in items:
        key = person(item)
        if allowed(user, rule, Owner(key, managers.get(key))):
            shown.append(item)
    return shown

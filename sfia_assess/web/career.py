"""Career mapping pages over the roles kept on the server: "who is ready for this role" (HR:
everyone ranked by their agreed levels, what each still needs, by team), and for a person "where
can I go from here" (the roles nearest to their levels, with the steps to each) and a map of the
roles by skill and level with their place marked (the person, their manager, HR).

Levels are those `fit` counts: a skill a manager reviewed at its agreed level, else the
person's own (each marked as which). Everyone is ranked from the scores the team view keeps
(store/career.py); only the people a page shows are read in full, for their statements."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote
from weakref import WeakKeyDictionary

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..core.career import (
    Destination,
    PersonLevels,
    Standing,
    career_map,
    nearest,
    who_is_ready,
)
from .auth import current_user
from .errorpages import NotFound
from .paging import Pager, pager
from .services import Services, page, services

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..core.assessment import LoadedAssessment
    from ..core.fit import RoleFit
    from ..core.profiles import RoleProfile
    from ..store.career import KeptLevels
    from ..store.roles import KeptRole
    from ..store.teams import KeptScores

Kept = tuple["KeptRole", "RoleProfile"]
READY_PAGE = 25  # people shown in full on a page of "who is ready"


_KEPT: WeakKeyDictionary[KeptScores, KeptLevels] = WeakKeyDictionary()
_KEPT_LOCK = threading.Lock()


def kept_levels(shared: Services) -> KeptLevels:
    """The levels this process keeps beside the team view's scores (one per app)."""
    from ..store.career import KeptLevels

    scores = shared.scores()
    with _KEPT_LOCK:
        found = _KEPT.get(scores)
        if found is None:
            found = _KEPT[scores] = KeptLevels(scores)
        return found


def person_href(key: str, suffix: str = "") -> str:
    """The address of a person's career page (their key, escaped for a path)."""
    return f"/career/{quote(key, safe='')}{suffix}"


def _fit_of(
    role: RoleProfile, person: PersonLevels, files: dict[int, LoadedAssessment], shared: Services
) -> RoleFit:
    """`fit`'s view of one person against one role, from their records read in full."""
    from ..core.fit import role_fit

    own, reviews = [], {}
    for skill in person.skills.values():
        if skill.own_record in files:
            own.append(files[skill.own_record])
            if skill.review_record in files:
                reviews[skill.code] = files[skill.review_record]
    wanted = {(s.skill.code, s.skill.sfia_version) for s in role.skills}
    own = [f for f in own if (f.skill.code, f.skill.sfia_version) in wanted]
    return role_fit(role, own, shared.policy, reviews)


def _kept_fits(
    session: Session,
    shared: Services,
    content: str,
    role: RoleProfile,
    people: list[PersonLevels],
) -> list[RoleFit]:
    """`fit` of each person against the role, from what this process kept (a person's
    records and a role's text never change) or else read in full from the store."""
    from ..core.fit import RoleFit
    from ..store.career import loaded_records

    keeper = kept_levels(shared)
    codes = sorted({item.skill.code for item in role.skills})

    def key(person: PersonLevels) -> tuple[object, ...]:
        records = tuple(
            (s.own_record, s.review_record) if (s := person.skills.get(code)) else None
            for code in codes
        )
        return (content, records)

    found: dict[str, RoleFit] = {}
    missing = []
    for person in people:
        kept = keeper.kept_fit(key(person))
        if isinstance(kept, RoleFit):
            found[person.key] = kept
        else:
            missing.append(person)
    if missing:
        files = loaded_records(session, shared.catalog, _records_of(missing))
        for person in missing:
            found[person.key] = _fit_of(role, person, files, shared)
            keeper.keep_fit(key(person), found[person.key])
    return [found[person.key] for person in people]


def _records_of(people: list[PersonLevels]) -> set[int]:
    ids: set[int] = set()
    for person in people:
        for skill in person.skills.values():
            ids.update(r for r in (skill.own_record, skill.review_record) if r is not None)
    return ids


@dataclass(frozen=True)
class Ready:
    """One row of "who is ready": the ranking's figures and `fit`'s statements still needed."""

    rank: int
    standing: Standing
    fit: RoleFit


@dataclass(frozen=True)
class ReadyPage:
    role: KeptRole
    profile: RoleProfile
    rows: list[Ready]
    total: int
    ready: int
    managers: dict[str, str]


async def who_is_ready_page(request: Request) -> Response:
    """Everyone assessed in the role's skills, closest first (agreed levels), a page at a time,
    each with the statements they still need; filtered by manager (a team)."""
    from ..store.career import manager_names, managers_by_person
    from ..store.database import StoreError
    from ..store.roles import current_role

    shared = services(request)
    key = str(request.path_params["key"])
    team = request.query_params.get("manager", "").strip()[:200]

    def work(session: Session) -> tuple[ReadyPage, Pager]:
        try:
            kept = current_role(session, key)
        except StoreError:
            raise NotFound() from None
        profile = kept.profile(shared.catalog)
        codes = {item.skill.code for item in profile.skills}
        people = kept_levels(shared).levels(session, codes)
        managers = manager_names(session)
        if team:
            reports = managers_by_person(session)
            people = [p for p in people if reports.get(p.key) == team]
        ranked = who_is_ready(profile, people, shared.policy)
        shown = pager(request, len(ranked), [("manager", team)], size=READY_PAGE)
        chosen = ranked[shown.start : shown.stop]
        fits = _kept_fits(session, shared, kept.content, profile, [s.person for s in chosen])
        rows = [
            Ready(shown.start + n + 1, s, fit)
            for n, (s, fit) in enumerate(zip(chosen, fits, strict=True))
        ]
        ready = sum(1 for s in ranked if s.met)
        return ReadyPage(kept, profile, rows, len(ranked), ready, managers), shown

    found, shown = await shared.read(work)
    return page(
        "career_ready.html.j2",
        title=f"Who is ready: {found.role.title}",
        current="roles",
        found=found,
        team=team,
        team_name=found.managers.get(team, ""),
        pager=shown,
        pager_label="Pages of people",
        person_href=person_href,
    )


@dataclass(frozen=True)
class Place:
    """Where a person stands: their levels, the roles nearest first, the map of the roles."""

    key: str
    name: str
    person: PersonLevels | None
    destinations: list[tuple[KeptRole, Destination]]
    roles: int


def _place(session: Session, shared: Services, key: str) -> Place:
    from ..store.career import loaded_records, people_levels, person_name
    from ..store.roles import role_profiles

    name = person_name(session, key)
    if name is None:
        raise NotFound()
    found = people_levels(session, shared.scores(), None, person=key)
    person = found[0] if found else None
    kept = role_profiles(session, shared.catalog)
    destinations: list[tuple[KeptRole, Destination]] = []
    if person is not None:
        files = loaded_records(session, shared.catalog, _records_of([person]))
        by_key = {}
        for role, profile in kept:
            by_key[role.key] = role
            destinations.append(
                (role, Destination(role.key, _fit_of(profile, person, files, shared)))
            )
        order = nearest([d for _, d in destinations])
        destinations = [(by_key[d.key], d) for d in order]
    return Place(key, name, person, destinations, len(kept))


def _key(request: Request) -> str:
    return str(request.path_params["person"])


async def where_next(request: Request) -> Response:
    """ "Where can I go from here": every role kept, nearest first (roles met last), with the
    statements to show for each and what would help show them."""
    shared = services(request)
    key = _key(request)
    place = await shared.read(lambda s: _place(s, shared, key))
    user = current_user(request)
    mine = user is not None and user.key == key
    return page(
        "career_where.html.j2",
        title="Where can I go from here" if mine else f"Where {place.name} can go from here",
        current="career",
        place=place,
        mine=mine,
        person_href=person_href,
    )


async def career_map_page(request: Request) -> Response:
    """The roles kept, by skill and level, with the person's own level marked in each row."""
    from ..store.roles import role_profiles

    shared = services(request)
    key = _key(request)

    def work(
        session: Session,
    ) -> tuple[str, PersonLevels | None, list[tuple[KeptRole, RoleProfile]]]:
        from ..store.career import people_levels, person_name

        name = person_name(session, key)
        if name is None:
            raise NotFound()
        found = people_levels(session, shared.scores(), None, person=key)
        return name, (found[0] if found else None), role_profiles(session, shared.catalog)

    name, person, kept = await shared.read(work)
    user = current_user(request)
    mine = user is not None and user.key == key
    titles = {role.key: role.title for role, _ in kept}
    return page(
        "career_map.html.j2",
        title="Career map" if mine else f"Career map: {name}",
        current="career",
        key=key,
        name=name,
        mine=mine,
        rows=career_map([(role.key, profile) for role, profile in kept], person),
        titles=titles,
        person_href=person_href,
    )


async def my_career(request: Request) -> Response:
    """The signed-in person's own "where can I go" page (single-user mode: HR's list of roles,
    where each role's "who is ready" leads to everyone's)."""
    user = current_user(request)
    if user is None:
        return RedirectResponse("/hr/roles", status_code=303)
    return RedirectResponse(person_href(user.key), status_code=303)

"""HR pages: the team dashboard (agreed levels), progress by quarter, the team's results as CSV
and XLSX, role profiles and pathways (HTML and PDF). Moving a record to the newest SFIA is
hrmigrate.py.

Who may open them, and what is audited, is declared in routes.py (hr and admin in a shared
deployment; the person at the machine in single-user mode). The scoring and the reports are
the CLI's (`team --db`, `profile`, `pathway`, `migrate`); this module only reads the request
and lays out the page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from ..core.identity import person_key
from ..core.roster import (
    Filters,
    Progress,
    Quarter,
    Roster,
    keeps,
    progress_of_views,
    roster_of_cards,
    spelled_as_known,
)
from ..core.roster import mixed_versions as mixed_of
from ..core.team import TeamView, team_of_cards
from ..errors import SfiaAssessError
from ..files.numbers import whole_number
from ..reports.team import shade
from .audit import audit_as
from .downloads import attachment
from .errorpages import BadRequest, NotFound, said
from .paging import pager
from .services import Services, page, services

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..core.pairing import Card
    from ..core.team_table import Cell

MAX_QUARTERS = 12  # the progress page shows at most the last three years


def _filters(request: Request) -> Filters:
    return Filters.of(request.query_params.get("role"), request.query_params.get("manager"))


def _query(filters: Filters) -> str:
    pairs = [(k, v) for k, v in (("role", filters.role), ("manager", filters.manager)) if v]
    return ("?" + urlencode(pairs)) if pairs else ""


@dataclass(frozen=True)
class Team:
    """The filtered team, scored: `view` is None when nobody is left to show (`empty` says why)."""

    roster: Roster
    view: TeamView | None
    empty: str
    ids: dict[str, int] = field(default_factory=dict)  # person key -> their page's id

    def page_of(self, key: str) -> str | None:
        """The address of the page of the person whose key (core.identity) this is (None: not
        from the store)."""
        found = self.ids.get(key)
        return f"/people/{found}" if found is not None else None


def _team(session: Session, shared: Services, filters: Filters) -> Team:
    from ..store.teams import store_mark

    kept = shared.scores()
    mark = store_mark(session)
    cards = kept.cards(session, mark)
    team = _roster(session, shared, mark, cards)
    if not any(card.relation == "self" for card in cards):
        return Team(team, None, "No assessments are recorded yet.")
    chosen = [c for c in cards if keeps(filters, team, c.key)] if filters.active else cards
    if not any(card.relation == "self" for card in chosen):
        return Team(team, None, "No one recorded matches these filters.")
    ids = kept.kept(("ids", mark), lambda: {c.key: c.person for c in cards if c.person})
    return Team(team, _view(session, shared, mark, chosen), "", ids)


def _roster(session: Session, shared: Services, mark: tuple[int, ...], cards: list[Card]) -> Roster:
    """The roster, kept while neither the records (`mark`) nor the reporting lines change (the
    accounts are read on every request: a manager changes without anything being recorded)."""
    from ..store.teams import account_managers

    managers = account_managers(session)
    key = ("roster", mark, tuple(sorted(managers.items())))
    return shared.scores().kept(key, lambda: roster_of_cards(cards, managers))


def _view(
    session: Session, shared: Services, mark: tuple[int, ...], chosen: list[Card]
) -> TeamView:
    """The team view of these cards at their agreed levels, kept while the store's `mark`
    stays (made again for 5,000 people it costs a few hundred ms)."""
    kept = shared.scores()

    def make() -> TeamView:
        return team_of_cards(chosen, shared.catalog, kept.scorer(session, chosen, "agreed"))

    return kept.kept(("team", mark, tuple(card.record for card in chosen)), make)


def warm(shared: Services) -> int:
    """Score everyone once, as HR's dashboard and progress page do on their first request of a
    process (at 5,000 people that took 20-85 s): run in a thread after the server starts, so
    that HR's first page finds them kept (or waits for this, rather than scoring beside it).
    Returns how many people the dashboard shows."""
    from ..store import reading

    with reading(shared.engine()) as session:
        team = _team(session, shared, Filters())
        _progress(session, shared, Filters())
    return len(team.view.people) if team.view else 0


async def _scored_team(request: Request, filters: Filters) -> Team:
    shared = services(request)
    return await shared.read(lambda s: _team(s, shared, filters))


async def dashboard(request: Request) -> Response:
    """The team at its agreed levels: heatmap (searched by name or role, a page at a time),
    distribution, shared gaps; filtered by role and manager."""
    filters = _filters(request)
    search = " ".join(request.query_params.get("q", "").split())[:200]
    team = await _scored_team(request, filters)
    view = team.view
    everyone = list(view.people) if view else []
    people = [p for p in everyone if _matches(search, p.name, p.role)] if search else everyone
    query = [("role", filters.role), ("manager", filters.manager), ("q", search)]
    shown = pager(request, len(people), query)
    return page(
        "hr_dashboard.html.j2",
        title="Team dashboard",
        current="dashboard",
        filters=spelled_as_known(filters, team.roster),
        roster=team.roster,
        query=_query(filters),
        view=view,
        search=search,
        people=shown.items(people),
        found=len(people),
        pager=shown,
        pager_label="Pages of people",
        empty=team.empty,
        mixed=mixed_of(view) if view else [],
        most=max([n for _, n in view.distribution] + [1]) if view else 1,
        shade=shade,
        page_of=team.page_of,
    )


def _matches(search: str, name: str, role: str | None) -> bool:
    """Whether a person's name or role holds what was searched for (any case, any spacing)."""
    wanted = person_key(search)
    return not wanted or wanted in person_key(name) or wanted in person_key(role or "")


def _progress(
    session: Session, shared: Services, filters: Filters
) -> tuple[Roster, Progress | None]:
    from ..core.roster import quarters
    from ..store.teams import dated_span, store_mark

    kept = shared.scores()
    mark = store_mark(session)
    team = _roster(session, shared, mark, kept.cards(session, mark))
    span = dated_span(session)
    if span is None:
        return team, None
    shown: list[Quarter] = []
    views: list[TeamView | None] = []
    for quarter in quarters(*span)[-MAX_QUARTERS:]:
        cards = kept.cards(session, mark, quarter.end)
        found = [c for c in cards if keeps(filters, team, c.key)]
        shown.append(quarter)
        if not any(card.relation == "self" for card in found):
            views.append(None)
            continue
        views.append(_view(session, shared, mark, found))
    return team, progress_of_views(shown, views)


async def progress_page(request: Request) -> Response:
    """Each person's level at the end of each quarter, as a table and a bar chart."""
    filters = _filters(request)
    shared = services(request)
    team, found = await shared.read(lambda s: _progress(s, shared, filters))
    return page(
        "hr_progress.html.j2",
        title="Team progress by quarter",
        current="progress",
        filters=spelled_as_known(filters, team),
        roster=team,
        query=_query(filters),
        progress=found,
        max_quarters=MAX_QUARTERS,
    )


def _export(session: Session, shared: Services, filters: Filters) -> list[list[Cell]]:
    """Every person and skill the filters keep, as the downloads' rows (scored off the loop)."""
    from ..core.team_table import team_table
    from ..store.teams import account_managers, team_dated

    dated = team_dated(session)
    cards = [c for item in dated for c in (item.own, item.review) if c is not None]
    team = roster_of_cards(cards, account_managers(session))
    chosen = [item for item in dated if keeps(filters, team, item.own.key)]
    score = shared.scores().scorer(session, cards, "agreed")
    return team_table(chosen, team, shared.catalog, score)


async def _download(request: Request, suffix: str) -> Response:
    from ..core.team_table import COLUMNS, as_csv_cells
    from ..files.csvfile import csv_text
    from ..files.xlsxfile import xlsx_bytes

    filters = _filters(request)
    shared = services(request)
    rows = await shared.read(lambda s: _export(s, shared, filters))
    if not rows:
        raise NotFound(
            "No one recorded matches these filters."
            if filters.active
            else "No assessments are recorded yet."
        )
    header = [name for name, _ in COLUMNS]
    name = f"sfia-team-{shared.today().isoformat()}.{suffix}"
    if suffix == "csv":
        body = csv_text(header, [as_csv_cells(row) for row in rows]).encode("utf-8")
        media = "text/csv; charset=utf-8"
    else:
        body = xlsx_bytes("Team", header, rows, dict(COLUMNS))
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    audit_as(request, f"/hr/team.{suffix}{_query(filters)}")
    return attachment(body, name, media)


async def team_csv(request: Request) -> Response:
    return await _download(request, "csv")


async def team_xlsx(request: Request) -> Response:
    return await _download(request, "xlsx")


# Role profiles and pathways


@dataclass(frozen=True)
class CareerAsk:
    """What the profile and pathway pages were asked for, from the query string."""

    code: str
    version: int | None
    level: int | None
    title: str
    problem: str


def _ask(request: Request, shared: Services) -> CareerAsk:
    params = request.query_params
    codes = shared.catalog.codes()
    code = (params.get("code") or ("USUP" if "USUP" in codes else codes[0])).strip().upper()
    problem = ""
    version: int | None = None
    level: int | None = None
    raw_version, raw_level = params.get("version", "").strip(), params.get("level", "").strip()
    if code not in codes:
        problem = f"there is no skill {code!r}; choose one of {', '.join(codes)}"
        code = codes[0]
    if raw_version:
        if (number := whole_number(raw_version)) in shared.catalog.versions(code):
            version = number
        else:
            found = ", ".join(str(v) for v in shared.catalog.versions(code))
            problem = problem or f"{code} has no SFIA version {raw_version!r}; choose {found}"
    if raw_level:
        level = whole_number(raw_level)
        if level is None or not 1 <= level <= 7:
            level = None
            problem = problem or f"the level must be a number from 1 to 7, not {raw_level!r}"
    title = " ".join(params.get("title", "").split())[:120]
    return CareerAsk(code, version, level, title, problem)


def _career_query(ask: CareerAsk, *, level: bool) -> str:
    pairs: list[tuple[str, str]] = [("code", ask.code)]
    if ask.version is not None:
        pairs.append(("version", str(ask.version)))
    if level and ask.level is not None:
        pairs.append(("level", str(ask.level)))
        if ask.title:
            pairs.append(("title", ask.title))
    return "?" + urlencode(pairs)


def _skills(shared: Services) -> list[tuple[str, str, list[int]]]:
    out = []
    for code in shared.catalog.codes():
        out.append((code, shared.catalog.skill(code).name, shared.catalog.versions(code)))
    return out


def _title(ask: CareerAsk, shared: Services) -> str:
    if ask.title:
        return ask.title
    skill = shared.catalog.skill(ask.code, ask.version)
    return f"{skill.name}, level {ask.level}"


async def profile_page(request: Request) -> Response:
    """A role profile for a skill at a level (`profile CODE --level N --title T`)."""
    from ..core.profiles import role_profile

    shared = services(request)
    ask = _ask(request, shared)
    found: Any = None
    problem = ask.problem
    if ask.level is not None and not problem:
        try:
            found = role_profile(
                shared.catalog, ask.code, ask.level, _title(ask, shared), ask.version
            )
        except SfiaAssessError as exc:
            problem = said(exc)
    return page(
        "hr_profile.html.j2",
        status_code=422 if problem else 200,
        title=f"Role profile: {found.title}" if found else "Role profiles",
        current="profile",
        ask=ask,
        skills=_skills(shared),
        profile=found,
        skill=found.main.skill if found else None,
        problem=problem,
        pdf_query=_career_query(ask, level=True),
    )


async def pathway_page(request: Request) -> Response:
    """A skill's career pathway (`pathway CODE`)."""
    from ..core.profiles import pathway
    from ..reports.pathway import change_note

    shared = services(request)
    ask = _ask(request, shared)
    found = None if ask.problem else pathway(shared.catalog, ask.code, ask.version)
    return page(
        "hr_pathway.html.j2",
        status_code=422 if ask.problem else 200,
        title=f"Career pathway: {found.skill.name}" if found else "Career pathways",
        current="pathway",
        ask=ask,
        skills=_skills(shared),
        path=found,
        skill=found.skill if found else None,
        change_note=change_note,
        problem=ask.problem,
        pdf_query=_career_query(ask, level=False),
    )


def _pdf(body: bytes, name: str) -> Response:
    return attachment(body, name, "application/pdf")


async def profile_pdf(request: Request) -> Response:
    from .careerpdf import profile_pdf as job

    shared = services(request)
    ask = _ask(request, shared)
    if ask.problem or ask.level is None:
        raise BadRequest(ask.problem or "choose a level (1 to 7) for the role profile")
    title = _title(ask, shared)
    body = await shared.pdfs.render(job, ask.code, ask.level, title, ask.version, shared.today())
    audit_as(request, f"/hr/profile.pdf{_career_query(ask, level=True)}")
    return _pdf(body, f"profile-{ask.code.lower()}-level-{ask.level}.pdf")


async def pathway_pdf(request: Request) -> Response:
    from .careerpdf import pathway_pdf as job

    shared = services(request)
    ask = _ask(request, shared)
    if ask.problem:
        raise BadRequest(ask.problem)
    body = await shared.pdfs.render(job, ask.code, ask.version, shared.today())
    audit_as(request, f"/hr/pathway.pdf{_career_query(ask, level=False)}")
    return _pdf(body, f"pathway-{ask.code.lower()}.pdf")

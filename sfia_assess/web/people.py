"""People pages: HR finds anyone (by name, id, role, manager or skill, a page at a time) and
opens their page: skills, levels over time, reviews with comments, attachments, fit to their
role. A manager sees their own reports only (access.py decides: `Access.PERSON`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from ..core.identity import person_key
from ..files.numbers import whole_number
from .access import Access, readable_people
from .career import person_href
from .errorpages import NotFound
from .paging import pager
from .services import Services, page, services

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..core.fit import RoleFit
    from ..core.history import HistoryRow
    from ..store.directory import Entry, PersonRecord, Search

MAX_TEXT = 200


def _search(request: Request) -> Search:
    from ..store.directory import Search

    params = request.query_params

    def text(name: str) -> str:
        return " ".join(params.get(name, "").split())[:MAX_TEXT]

    level = whole_number(params.get("level", "").strip())
    return Search(
        text("q"),
        text("role"),
        text("manager"),
        text("skill").upper(),
        level if level is not None and 1 <= level <= 7 else None,
    )


def _entries(session: Session, shared: Services) -> tuple[list[Entry], dict[str, str]]:
    from ..store.directory import directory, managers_by_person
    from ..store.teams import store_mark

    mark = store_mark(session)
    entries = shared.scores().kept(("directory", mark), lambda: directory(session))
    return entries, managers_by_person(session)


async def people_list(request: Request) -> Response:
    """Everyone the reader may see, found by name or id, role, manager or skill."""
    from ..store.directory import search

    shared = services(request)
    wanted = _search(request)
    visible = await readable_people(request, Access.PERSON)
    entries, managers = await shared.read(lambda s: _entries(s, shared))
    found = search(entries, managers, wanted, visible)
    query = [
        ("q", wanted.text),
        ("role", wanted.role),
        ("manager", wanted.manager),
        ("skill", wanted.skill),
        ("level", str(wanted.level or "")),
    ]
    shown = pager(request, len(found), query, base="/people")
    return page(
        "people.html.j2",
        title="People",
        current="people",
        wanted=wanted,
        people=shown.items(found),
        found=len(found),
        everyone=len(entries) if visible is None else len(visible),
        pager=shown,
        pager_label="Pages of people",
        skills=shared.catalog.codes(),
    )


# A person's page


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    level: int
    label: str  # "2026-10-01: self 4"


@dataclass(frozen=True)
class Chart:
    """A skill's levels over time as an SVG: x is each assessment in date order, y the level."""

    title: str
    width: int
    height: int
    ticks: tuple[tuple[int, float], ...]  # (level, y)
    dates: tuple[tuple[str, float], ...]  # (date, x)
    own: tuple[Point, ...]
    agreed: tuple[Point, ...]

    @staticmethod
    def line(points: tuple[Point, ...]) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in points)


LEFT, TOP, STEP, ROW, MIN_WIDTH = 56, 16, 90, 26, 420


def _y(level: int) -> float:
    return TOP + (7 - level) * ROW


def charts(rows: tuple[HistoryRow, ...]) -> list[Chart]:
    """One chart per skill and SFIA version, of the latest version of each self-assessment."""
    by_skill: dict[tuple[str, int], list[HistoryRow]] = {}
    for row in rows:
        if row.latest and row.relation == "self":
            by_skill.setdefault((row.skill, row.sfia_version), []).append(row)
    out = []
    for (skill, version), found in sorted(by_skill.items()):
        found.sort(key=lambda r: r.assessed_on)
        xs = [LEFT + 40 + i * STEP for i in range(len(found))]
        own = tuple(
            Point(x, _y(r.recommended_level), r.recommended_level, f"{r.assessed_on}: self")
            for x, r in zip(xs, found, strict=True)
            if r.recommended_level is not None
        )
        agreed = tuple(
            Point(x, _y(r.agreed_level), r.agreed_level, f"{r.assessed_on}: agreed")
            for x, r in zip(xs, found, strict=True)
            if r.agreed_level is not None
        )
        out.append(
            Chart(
                title=f"{skill}, SFIA {version}",
                width=max(MIN_WIDTH, LEFT + 80 + len(found) * STEP),
                height=TOP + 7 * ROW + 56,
                ticks=tuple((level, _y(level)) for level in range(0, 8)),
                dates=tuple((r.assessed_on.isoformat(), x) for x, r in zip(xs, found, strict=True)),
                own=own,
                agreed=agreed,
            )
        )
    return out


@dataclass(frozen=True)
class Fit:
    """The person against the role their title names (when one is kept on the server)."""

    role: str
    fit: RoleFit | None
    note: str


def _fit(session: Session, shared: Services, record: PersonRecord) -> Fit | None:
    """Fit to their role at agreed levels (their own where not reviewed), as `fit` computes it
    with the role kept in the store under their role's title."""
    from sqlalchemy import select

    from ..core.fit import role_fit
    from ..core.latest import latest, order
    from ..core.profiles import role_profile_from_document
    from ..errors import SfiaAssessError
    from ..files.yamlfile import parse_yaml
    from ..store.loading import loaded_from_record
    from ..store.models import AssessmentRecord, Review, RoleRecord

    title = record.history.role
    if not title:
        return None
    versions = session.scalars(select(RoleRecord).order_by(RoleRecord.version)).all()
    kept = {row.key: row for row in versions}  # the latest version of each role
    role = next(
        (r for r in kept.values() if not r.retired and person_key(r.title) == person_key(title)),
        None,
    )
    if role is None:
        return Fit(title, None, f"No role named {title!r} is kept on the server yet.")
    try:
        profile = role_profile_from_document(
            shared.catalog, parse_yaml(role.content, f"role {role.title!r}")
        )
    except SfiaAssessError as exc:
        return Fit(title, None, f"The role {role.title!r} kept on the server cannot be read: {exc}")
    own = session.scalars(
        select(AssessmentRecord).where(
            AssessmentRecord.person_id == record.id, AssessmentRecord.relation == "self"
        )
    ).all()
    newest = latest(
        own,
        key=lambda r: r.skill,
        when=lambda r: order(r.assessed_on, r.sfia_version, r.version),
    ).kept
    wanted = {s.skill.code: s.skill.sfia_version for s in profile.skills}
    files, reviews, notes = [], {}, []
    for code, row in sorted(newest.items()):
        if code not in wanted:
            continue
        if row.sfia_version != wanted[code]:
            notes.append(
                f"{code} was assessed in SFIA {row.sfia_version}; the role uses SFIA"
                f" {wanted[code]}: move the record to SFIA {wanted[code]} to compare it."
            )
            continue
        loaded = loaded_from_record(row, shared.catalog)
        files.append(loaded)
        review = session.scalars(
            select(AssessmentRecord)
            .join(Review, Review.manager_id == AssessmentRecord.id)
            .where(Review.self_id == row.id)
            .order_by(AssessmentRecord.assessed_on.desc(), Review.id.desc())
            .limit(1)
        ).one_or_none()
        if review is not None:
            reviews[code] = loaded_from_record(review, shared.catalog)
    found = role_fit(profile, files, shared.policy, reviews)
    return Fit(profile.title, found, " ".join(notes))


def _manager(session: Session, key: str) -> str | None:
    from sqlalchemy import select

    from ..store.models import Account

    boss = session.execute(
        select(Account.manager_key).where(Account.key == key)
    ).scalar_one_or_none()
    if boss is None:
        return None
    name = session.execute(select(Account.name).where(Account.key == boss)).scalar_one_or_none()
    return name or boss


async def person_page(request: Request) -> Response:
    """One person: skills, levels over time, reviews with comments, attachments, fit."""
    from ..store.directory import person_record

    shared = services(request)
    person_id = int(request.path_params["person_id"])

    def work(session: Session) -> tuple[PersonRecord, str | None, Fit | None] | None:
        found = person_record(session, person_id)
        if found is None:
            return None
        return found, _manager(session, found.key), _fit(session, shared, found)

    answer = await shared.read(work)
    if answer is None:
        raise NotFound()
    record, manager, fit = answer
    history = record.history
    current = [r for r in history.current if r.relation == "self"]
    return page(
        "person.html.j2",
        title=record.name,
        current="people",
        record=record,
        career_href=person_href(record.key),
        history=history,
        manager=manager or history.manager,
        skills=_latest_by_skill(current),
        charts=charts(history.rows),
        fit=fit,
        assessments=_ids(record),
    )


def _latest_by_skill(rows: list[HistoryRow]) -> list[HistoryRow]:
    latest: dict[str, HistoryRow] = {}
    for row in sorted(rows, key=lambda r: (r.assessed_on, r.sfia_version, r.version)):
        latest[row.skill] = row
    return [latest[code] for code in sorted(latest)]


def _ids(record: PersonRecord) -> dict[str, int]:
    """Each of the person's recorded files' id, by its SHA-256 (the history rows carry it)."""
    return dict(record.assessment_ids)

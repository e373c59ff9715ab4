"""The HR page that moves a record to the newest SFIA version (`migrate`): the list of
everyone's latest self-assessment recorded in an older version, and the move itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from ..errors import SfiaAssessError, StoreUnavailable
from .audit import actor_name, audit_as
from .errorpages import NotFound, said
from .services import Services, page, services

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Migratable:
    assessment_id: int
    person: str
    skill: str
    sfia_version: int
    newest: int
    assessed_on: dt.date
    source_name: str


def _migratable(shared: Services) -> Any:
    def work(session: Session) -> list[Migratable]:
        from ..store.loading import records_as_of

        own = [row for row in records_as_of(session) if row.relation == "self"]
        # A person already recorded in a newer version of the skill (migrated, or assessed
        # again) is not offered again.
        latest: dict[tuple[int, str], int] = {}
        for row in own:
            key = (row.person_id, row.skill)
            latest[key] = max(latest.get(key, 0), row.sfia_version)
        out = []
        for row in own:
            newest = shared.catalog.newest_version(row.skill)
            if row.sfia_version < newest and latest[(row.person_id, row.skill)] == row.sfia_version:
                out.append(
                    Migratable(
                        row.id,
                        row.person.name,
                        row.skill,
                        row.sfia_version,
                        newest,
                        row.assessed_on,
                        row.source_name,
                    )
                )
        return sorted(out, key=lambda m: (m.person.casefold(), m.skill))

    return work


async def migrate_list(request: Request) -> Response:
    """Everyone's latest self-assessment recorded in an older SFIA version, to migrate."""
    shared = services(request)
    found = await shared.read(_migratable(shared))
    return page(
        "hr_migrate.html.j2",
        title="Move records to the newest SFIA",
        current="migrate",
        records=found,
        done=None,
        problem="",
    )


async def preview(request: Request) -> Response:
    """What moving one record would do (levels before and after, each rating carried, the
    notes), before anything is stored; the page's button confirms it."""
    from ..store.database import StoreError
    from ..store.migrating import preview_migration

    shared = services(request)
    assessment_id = int(request.path_params["assessment_id"])
    try:
        found = await shared.read(
            lambda s: preview_migration(s, assessment_id, shared.catalog, shared.policy)
        )
    except StoreError as exc:
        if "no recorded assessment has the id" in str(exc):
            raise NotFound() from None
        raise
    except StoreUnavailable:
        raise
    except SfiaAssessError as exc:
        records = await shared.read(_migratable(shared))
        return page(
            "hr_migrate.html.j2",
            status_code=422,
            title="Move records to the newest SFIA",
            current="migrate",
            records=records,
            done=None,
            problem=str(exc),
        )
    return page(
        "hr_migrate_preview.html.j2",
        title=f"Move {found.person} to SFIA {found.to_version}?",
        current="migrate",
        preview=found,
    )


async def migrate(request: Request) -> Response:
    """Migrate one record (a POST, with the session's CSRF token in a shared deployment)."""
    from ..store.migrating import migrate_record

    shared = services(request)
    assessment_id = int(request.path_params["assessment_id"])
    actor = actor_name(request)
    try:
        done = await shared.write(
            lambda s: migrate_record(s, assessment_id, shared.catalog, shared.policy, actor=actor)
        )
    except StoreUnavailable:
        raise
    except SfiaAssessError as exc:  # shown above the list, which is shown again
        found = await shared.read(_migratable(shared))
        return page(
            "hr_migrate.html.j2",
            status_code=422,
            title="Move records to the newest SFIA",
            current="migrate",
            records=found,
            done=None,
            problem=said(exc),
        )
    audit_as(
        request,
        None if done.already else f"/assessments/{done.new_id} (migrated from {done.old_id})",
    )
    found = await shared.read(_migratable(shared))
    return page(
        "hr_migrate.html.j2",
        title="Move records to the newest SFIA",
        current="migrate",
        records=found,
        done=done,
        problem="",
    )

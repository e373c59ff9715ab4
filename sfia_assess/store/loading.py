"""Recorded assessments back as the library's objects: what `team --db` and `batch --db` use.

`assessments_as_of` gives the same shape a folder of files gives: each person's latest
self-assessment of a skill (as of a date), followed by the manager's review paired with it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Subquery, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from ..core.assessment import Assessment, LoadedAssessment
from ..core.catalog import Catalog
from ..errors import UnknownSkillError
from .database import StoreError
from .models import AssessmentRecord, Review


def loaded_from_record(row: AssessmentRecord, catalog: Catalog) -> LoadedAssessment:
    """The checked assessment from its stored parsed form (it passed every check when recorded)."""
    try:
        skill = catalog.skill(row.skill, row.sfia_version)
    except UnknownSkillError:
        raise StoreError(
            f"{row.source_name} (recorded): {row.skill} SFIA {row.sfia_version} is not in the"
            " skills this command knows; give the --skills-dir it was recorded with"
        ) from None
    parsed = row.parsed
    login = row.person.login
    subject = parsed.get("subject")
    if login and isinstance(subject, dict) and not subject.get("id"):
        # Recorded by name into a store whose account gives the id: the id is who it is of.
        parsed = {**parsed, "subject": {**subject, "id": login}}
    return LoadedAssessment(
        assessment=Assessment.model_validate(parsed), skill=skill, source=row.source_name
    )


def assessments_as_of(
    session: Session, catalog: Catalog, as_of: dt.date | None = None
) -> list[LoadedAssessment]:
    """Everyone's latest self-assessment per skill dated on or before `as_of` (default: all),
    each followed by the review paired with it (if one was made by then)."""
    return [loaded_from_record(row, catalog) for row in records_as_of(session, as_of)]


def records_as_of(session: Session, as_of: dt.date | None = None) -> list[AssessmentRecord]:
    """The recorded files behind `assessments_as_of`, in the same order."""
    chosen, review_of = chosen_as_of(session, as_of)
    if not chosen:
        return []
    rows = {
        row.id: row
        for row in session.scalars(
            select(AssessmentRecord)
            .options(selectinload(AssessmentRecord.person))
            .where(AssessmentRecord.id.in_([*chosen, *review_of.values()]))
        )
    }
    out: list[AssessmentRecord] = []
    for own in chosen:
        out.append(rows[own])
        if own in review_of:
            out.append(rows[review_of[own]])
    return out


def latest_selves(as_of: dt.date | None = None) -> Subquery:
    """The rows of everyone's latest self-assessment per skill and SFIA version dated on or
    before `as_of`, chosen in the database (`core.latest`'s rule: the latest date, then the
    later correction): columns `id`, `person_id`, `assessed_on`."""
    # Only the person's own view: a later peer's or assessor's file must not stand in for it.
    rank = (
        func.row_number()
        .over(
            partition_by=(
                AssessmentRecord.person_id,
                AssessmentRecord.skill,
                AssessmentRecord.sfia_version,
            ),
            order_by=(
                AssessmentRecord.assessed_on.desc(),
                AssessmentRecord.version.desc(),
                AssessmentRecord.id.desc(),
            ),
        )
        .label("rank")
    )
    ranked = select(
        AssessmentRecord.id, AssessmentRecord.person_id, AssessmentRecord.assessed_on, rank
    ).where(AssessmentRecord.relation == "self")
    if as_of is not None:
        ranked = ranked.where(AssessmentRecord.assessed_on <= as_of)
    inner = ranked.subquery("ranked_selves")
    return (
        select(inner.c.id, inner.c.person_id, inner.c.assessed_on)
        .where(inner.c.rank == 1)
        .subquery("latest_selves")
    )


def counting_reviews(as_of: dt.date | None = None) -> Subquery:
    """For each reviewed self-assessment, the review that counts (the latest made by `as_of`):
    columns `self_id`, `manager_id`. Joined with `latest_selves` in Python, not in SQL:
    PostgreSQL expects a handful of rows from each ranked subquery and loops one inside the
    other (5,000 x 3,500 rows: 3.7 s)."""
    manager = aliased(AssessmentRecord)
    rank = (
        func.row_number()
        .over(
            partition_by=Review.self_id,
            order_by=(manager.assessed_on.desc(), Review.id.desc()),
        )
        .label("rank")
    )
    ranked = select(Review.self_id, Review.manager_id, rank).join(
        manager, manager.id == Review.manager_id
    )
    if as_of is not None:
        ranked = ranked.where(manager.assessed_on <= as_of)
    inner = ranked.subquery("ranked_reviews")
    return (
        select(inner.c.self_id, inner.c.manager_id)
        .where(inner.c.rank == 1)
        .subquery("counting_reviews")
    )


def chosen_as_of(
    session: Session, as_of: dt.date | None = None
) -> tuple[list[int], dict[int, int]]:
    """The ids of everyone's latest self-assessment per skill and SFIA version dated on or
    before `as_of` (oldest first), and for each the id of the review that counts (the latest
    made by then)."""
    selves = latest_selves(as_of)
    chosen = list(session.scalars(select(selves.c.id).order_by(selves.c.assessed_on, selves.c.id)))
    wanted = set(chosen)
    reviews = counting_reviews(as_of)
    review_of = {
        own: manager
        for own, manager in session.execute(select(reviews.c.self_id, reviews.c.manager_id))
        if own in wanted
    }
    return chosen, review_of


def team_from_store(db: str, catalog: Catalog, as_of: dt.date | None) -> list[LoadedAssessment]:
    """`assessments_as_of` from the store named by --db (empty: the default store)."""
    from . import open_store
    from .database import reading

    with (
        open_store(db or None, existing=True, read_only=True) as engine,
        reading(engine) as session,
    ):
        loaded = assessments_as_of(session, catalog, as_of)
    if not loaded:
        when = f" dated on or before {as_of.isoformat()}" if as_of else ""
        raise StoreError(
            f"the history store holds no assessments{when}; record some with `sfia-assess record`"
        )
    return loaded

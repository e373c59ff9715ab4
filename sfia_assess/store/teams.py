"""What the HR pages need from the store beyond the assessments: who manages whom (from the
accounts), the dates the recorded assessments span, and the dates of each one's workflow."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.catalog import Catalog
from ..core.team_table import Dated
from .models import Account, AssessmentRecord, Event


def account_managers(session: Session) -> dict[str, str]:
    """Person key -> their manager's name, for every account that names a manager."""
    accounts = session.execute(select(Account.key, Account.name, Account.manager_key)).all()
    names = {key: name for key, name, _ in accounts}
    return {key: names.get(manager, manager) for key, _, manager in accounts if manager}


def dated_span(session: Session) -> tuple[dt.date, dt.date] | None:
    """The first and last assessment dates recorded (None: nothing recorded)."""
    first, last = session.execute(
        select(func.min(AssessmentRecord.assessed_on), func.max(AssessmentRecord.assessed_on))
    ).one()
    return (first, last) if first is not None and last is not None else None


def team_dated(session: Session, catalog: Catalog) -> list[Dated]:
    """Everyone's latest self-assessment of each skill with the review that counts for it and
    the dates its workflow gave it: submitted (the last submission) and signed off."""
    from .loading import loaded_from_record, records_as_of
    from .workflow import SIGNED_OFF, SUBMITTED

    records = records_as_of(session)
    own_ids = [r.id for r in records if r.relation == "self"]
    last: dict[tuple[int, str], dt.date] = {}
    if own_ids:
        steps = session.execute(
            select(Event.assessment_id, Event.kind, Event.at)
            .where(Event.assessment_id.in_(own_ids), Event.kind.in_((SUBMITTED, SIGNED_OFF)))
            .order_by(Event.id)
        )
        for assessment_id, kind, at in steps:
            last[(assessment_id, kind)] = at.date()
    out: list[Dated] = []
    for record in records:
        loaded = loaded_from_record(record, catalog)
        if record.relation == "self":
            out.append(
                Dated(
                    loaded,
                    submitted_on=last.get((record.id, SUBMITTED)),
                    signed_off_on=last.get((record.id, SIGNED_OFF)),
                )
            )
        elif out:  # a review follows the self-assessment it is paired with
            out[-1] = replace(out[-1], review=loaded)
    return out

"""What the HR pages need from the store beyond the assessments: who manages whom (from the
accounts), and the dates the recorded assessments span."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import Account, AssessmentRecord


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

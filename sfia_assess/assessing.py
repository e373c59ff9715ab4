"""Assess and review exactly as the commands do: score, note evidence that does not fit, prepare.

The CLI and the browser app both call these, so a result never depends on where it was asked for.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .assessment import LoadedAssessment
from .catalog import Catalog
from .policy import Policy
from .reports.model import GapReport, build_report
from .result import Result
from .scoring import score

if TYPE_CHECKING:
    from .reports.review import ReviewReport


def with_evidence_checks(result: Result, files: Sequence[LoadedAssessment]) -> Result:
    """The result plus a note on evidence whose text does not fit its claims (score unchanged)."""
    from .matcher import fit_warnings

    notes = [note for loaded in files for note in fit_warnings(loaded)]
    return dataclasses.replace(result, warnings=(*result.warnings, *notes)) if notes else result


def gap_report(
    loaded: LoadedAssessment,
    catalog: Catalog,
    policy: Policy,
    *,
    today: dt.date,
    target: int | None = None,
) -> GapReport:
    """What `assess` shows for one assessment."""
    result = score(
        loaded,
        policy,
        target_level=target,
        responsibility=catalog.responsibility(loaded.skill.sfia_version),
    )
    return build_report(with_evidence_checks(result, [loaded]), catalog, today)


def review_report(
    own: LoadedAssessment,
    manager: LoadedAssessment,
    catalog: Catalog,
    policy: Policy,
    *,
    today: dt.date,
    target: int | None = None,
) -> ReviewReport:
    """What `review` shows for a self-assessment and the manager's view of it."""
    from .reports.review import ReviewReport
    from .review import review

    responsibility = catalog.responsibility(own.skill.sfia_version)
    result = review(own, manager, policy, responsibility, target)
    result = dataclasses.replace(result, agreed=with_evidence_checks(result.agreed, [own, manager]))
    return ReviewReport(result, own.skill, responsibility, today)

"""Assess and review exactly as the commands do: score, note evidence that does not fit, prepare.

The CLI and the browser app both call these, so a result never depends on where it was asked for.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..core.assessment import LoadedAssessment
from ..core.catalog import Catalog
from ..core.fit_notes import evaluate
from ..core.policy import Policy
from .gap.model import GapReport, build_report

if TYPE_CHECKING:
    from .review import ReviewReport


def gap_report(
    loaded: LoadedAssessment,
    catalog: Catalog,
    policy: Policy,
    *,
    today: dt.date,
    target: int | None = None,
) -> GapReport:
    """What `assess` shows for one assessment (the evidence-fit notes included)."""
    result = evaluate(
        loaded,
        policy,
        target_level=target,
        responsibility=catalog.responsibility(loaded.skill.sfia_version),
    )
    return build_report(result, catalog, today)


def review_report(
    own: LoadedAssessment,
    manager: LoadedAssessment,
    catalog: Catalog,
    policy: Policy,
    *,
    today: dt.date,
    target: int | None = None,
) -> ReviewReport:
    """What `review` shows for a self-assessment and the manager's view of it (`review` notes
    the evidence of both files that does not fit its claims)."""
    from ..core.review import review
    from .review import ReviewReport

    responsibility = catalog.responsibility(own.skill.sfia_version)
    result = review(own, manager, policy, responsibility, target)
    return ReviewReport(result, own.skill, responsibility, today)

"""What every command reports for one assessment: the score, plus notes on evidence that does not
read like what it claims. `assess`, `review`, `batch` (and any other front end) call this, so the
same file gives the same result wherever it is reported."""

from __future__ import annotations

import dataclasses

from .assessment import LoadedAssessment
from .catalog import LevelsOfResponsibility
from .matcher import fit_warnings
from .policy import Policy
from .result import Result
from .scoring import score


def evaluate(
    loaded: LoadedAssessment,
    policy: Policy | None = None,
    *,
    target_level: int | None = None,
    responsibility: LevelsOfResponsibility | None = None,
) -> Result:
    """Score one checked assessment and add the evidence-fit notes (they never change the score)."""
    result = score(loaded, policy, target_level=target_level, responsibility=responsibility)
    return with_fit_notes(result, loaded)


def with_fit_notes(result: Result, *files: LoadedAssessment) -> Result:
    """The result, noting each evidence item in `files` whose text does not fit its claims."""
    notes = [note for loaded in files for note in fit_warnings(loaded)]
    return dataclasses.replace(result, warnings=(*result.warnings, *notes)) if notes else result

"""One person's report, made in a worker: the files read again, scored, rendered and written."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from pathlib import Path

from ..core.assessment import LoadedAssessment, check_document
from ..core.catalog import Catalog
from ..core.pairing import Card
from ..core.policy import Policy
from ..errors import SfiaAssessError
from ..files.output import write_atomic
from ..files.yamlfile import read_yaml
from ..reports import Format
from ..reports.build import gap_report, review_report
from ..reports.gap import render
from .plan import Job, catalog_for
from .summary import Done, Row, card_row, result_row

# What a changed card field is called in the error that refuses the file.
_CARD_FIELDS = {
    "name": "person",
    "role": "role",
    "skill": "skill",
    "version": "SFIA version",
    "assessor": "assessor",
    "relation": "assessor's relation",
    "assessed_on": "date",
}


def read_again(card: Card, catalog: Catalog) -> LoadedAssessment:
    """The file of `card` read and checked again (in the worker, after the whole folder was
    checked). An error naming the file if it is gone or no longer valid, or if it now names
    another person, role, skill, version, assessor or date (pairing was decided on those)."""
    path = Path(card.source)
    if not path.is_file():
        raise SfiaAssessError(f"{card.source}: removed while the batch ran; run the batch again")
    loaded = check_document(read_yaml(path), catalog)
    now = Card.of(loaded)
    changed = [f.name for f in fields(Card) if getattr(now, f.name) != getattr(card, f.name)]
    if changed:
        what = [_CARD_FIELDS.get(name, name) for name in changed]
        first = changed[0]
        raise SfiaAssessError(
            f"{card.source}: its {' and '.join(what)} changed while the batch ran ({what[0]}"
            f" {getattr(card, first)!s} is now {getattr(now, first)!s}); run the batch again"
        )
    return loaded


def _render(job: Job) -> tuple[bytes | str, Row]:
    catalog = catalog_for(job.skills_dirs)
    own = read_again(job.own, catalog)
    reviewed_by = None
    if job.reviewed_by is not None:
        try:
            reviewed_by = read_again(job.reviewed_by, catalog)
        except SfiaAssessError as exc:
            raise SfiaAssessError(
                f"{exc}\n{job.source}: not made: the manager's review of it, above,"
                " could not be used"
            ) from None
    return render_person(own, reviewed_by, job.fmt, job.skills_dirs, job.policy, job.generated_on)


def render_person(
    own: LoadedAssessment,
    reviewed_by: LoadedAssessment | None,
    fmt: Format,
    skills_dirs: tuple[Path, ...],
    policy: Policy,
    generated_on: dt.date,
) -> tuple[bytes | str, Row]:
    """One person's report and summary row: the review record when a manager's review goes
    with the self-assessment, the gap report otherwise (the local batch and the queue's workers)."""
    catalog = catalog_for(skills_dirs)
    if reviewed_by is None:
        report = gap_report(own, catalog, policy, today=generated_on)
        return render(report, fmt), result_row(report.result, None, "")
    from ..reports import render as render_view
    from ..reports.review import RENDERERS as REVIEW_RECORD

    record = review_report(own, reviewed_by, catalog, policy, today=generated_on)
    found = record.review
    data = render_view(REVIEW_RECORD, record, fmt)
    return data, result_row(found.self_result, found.agreed, reviewed_by.source)


def run_job(job: Job) -> Done:
    """Score and render one person (in a worker process)."""
    try:
        data, row = _render(job)
        write_atomic(job.target, data, temp_prefix=job.temp_prefix)
    except SfiaAssessError as exc:
        return Done(job.source, None, "failed", card_row(job.own), str(exc))
    except Exception as exc:  # a bug while rendering one file must not stop the others
        error = f"{job.source}: failed ({type(exc).__name__}: {exc})"
        return Done(job.source, None, "failed", card_row(job.own), error)
    return Done(job.source, job.target, "made", row, None)

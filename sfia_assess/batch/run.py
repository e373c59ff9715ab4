"""Many assessments at once: one report per person, safe file names, a summary, worker processes."""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
import secrets
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, fields
from pathlib import Path
from types import FrameType

from ..core.assessment import LoadedAssessment, check_document
from ..core.catalog import Catalog
from ..core.pairing import Card, pair_reviews
from ..core.policy import Policy
from ..core.result import Result
from ..errors import SfiaAssessError
from ..files.csvfile import csv_text
from ..files.folders import assessment_files, safe_stem
from ..files.output import prepare_folder, write_atomic
from ..files.yamlfile import read_yaml
from ..reports import Format
from ..reports.build import gap_report, review_report
from ..reports.gap import render

DEFAULT_TIME_LIMIT = 120.0
# The formats a batch writes, with each report's file extension (also `batch --format`'s choices).
EXTENSIONS = {Format.PDF: "pdf", Format.HTML: "html", Format.JSON: "json", Format.TEXT: "txt"}


def unique_stems(names: list[str]) -> list[str]:
    """`safe_stem` of each name, with -2, -3 ... added where two people would collide."""
    used: set[str] = set()
    out = []
    for name in names:
        stem = candidate = safe_stem(name)
        n = 2
        while candidate in used:
            candidate = f"{stem}-{n}"
            n += 1
        used.add(candidate)
        out.append(candidate)
    return out


@dataclass(frozen=True)
class Job:
    """One report to make. The parent checked the files and keeps only their cards (a few words
    each, so its memory stays flat however many people); the worker reads the files again."""

    source: Path
    own: Card  # the self-assessment
    reviewed_by: Card | None  # the manager's review of it, when the folder has one
    target: Path
    fmt: Format
    skills_dirs: tuple[Path, ...]
    policy: Policy
    generated_on: dt.date
    temp_prefix: str  # this run's own temporary names: a run never removes another's files


@dataclass(frozen=True)
class Row:
    """What summary.csv says about one file: only plain values, so the parent stays small."""

    person: str = ""
    role: str = ""
    skill: str = ""
    sfia_version: str = ""
    assessor: str = ""
    self_level: str = ""
    agreed_level: str = ""
    target_level: str = ""
    gaps: str = ""
    review: str = ""


@dataclass(frozen=True)
class Done:
    source: Path
    target: Path | None
    status: str  # made | failed | timed out | not made | not used
    row: Row
    error: str | None
    note: str = ""  # for summary.csv when there is no error


@dataclass(frozen=True)
class BatchOutcome:
    done: tuple[Done, ...]
    summary: Path
    interrupted: bool = False

    @property
    def failed(self) -> tuple[Done, ...]:
        return tuple(d for d in self.done if d.error is not None)


_CATALOGS: dict[tuple[Path, ...], Catalog] = {}


def catalog_for(skills_dirs: tuple[Path, ...]) -> Catalog:
    if skills_dirs not in _CATALOGS:
        _CATALOGS[skills_dirs] = Catalog.default(skills_dirs)
    return _CATALOGS[skills_dirs]


def _level(value: int | None) -> str:
    return "" if value is None else str(value)


def _row(own: Result, agreed: Result | None, review_source: str) -> Row:
    final = agreed or own
    return Row(
        person=own.subject.name,
        role=own.subject.role or "",
        skill=own.skill.code,
        sfia_version=str(own.skill.version),
        assessor=f"{final.assessor.name} ({final.assessor.relation})",
        self_level=_level(own.recommended_level),
        agreed_level=_level(agreed.recommended_level) if agreed else "",
        target_level=_level(final.target_level),
        gaps=str(len(final.gaps)),
        review=review_source,
    )


def card_row(card: Card) -> Row:
    """The summary's row for a file whose report has no result to show."""
    return Row(
        person=card.name,
        role=card.role,
        skill=card.skill,
        sfia_version=str(card.version),
        assessor=f"{card.assessor} ({card.relation})",
    )


def _stopped(job: Job, signame: str, since_ns: int) -> Done:
    """A job the signal caught: not made, unless its report landed just before the stop."""
    try:
        landed = job.target.stat().st_mtime_ns >= since_ns
    except OSError:
        landed = False
    if landed:
        note = "made as the batch stopped; its levels are not recorded here"
        return Done(job.source, job.target, "made", card_row(job.own), None, note=note)
    return Done(
        job.source, None, "not made", card_row(job.own), f"{job.source}: not made ({signame})"
    )


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
        return render(report, fmt), _row(report.result, None, "")
    from ..reports import render as render_view
    from ..reports.review import RENDERERS as REVIEW_RECORD

    record = review_report(own, reviewed_by, catalog, policy, today=generated_on)
    found = record.review
    data = render_view(REVIEW_RECORD, record, fmt)
    return data, _row(found.self_result, found.agreed, reviewed_by.source)


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


def load_all(
    files: list[Path], catalog: Catalog, *, texts: dict[str, str] | None = None
) -> tuple[list[Card], list[Done]]:
    """Check every file first (fast): a card for each good one, a failed row for each bad one.

    Only the cards are kept: a checked file costs tens of kilobytes, its card a few hundred
    bytes, so a thousand people do not grow the batch's processes (workers are forks of it).
    `texts`, when given, receives each good file's text as it was checked (the job queue stores
    it for its workers)."""
    cards: list[Card] = []
    failed: list[Done] = []
    for path in files:
        try:
            document = read_yaml(path)
            card = Card.of(check_document(document, catalog))
        except SfiaAssessError as exc:
            failed.append(Done(path, None, "failed", Row(), str(exc)))
            continue
        cards.append(card)
        if texts is not None:
            texts[card.source] = document.text
    return cards, failed


def plan(
    cards: list[Card], out_dir: Path, fmt: Format
) -> tuple[list[tuple[Card, Card | None, Path]], list[Done]]:
    """Pair reviews with the self-assessments they review, and name each person's report."""
    people, unpaired = pair_reviews(cards)
    done: list[Done] = []
    for item in unpaired:
        review = item.review
        if item.failed:
            done.append(Done(Path(review.source), None, "failed", card_row(review), item.reason))
        else:
            done.append(
                Done(
                    Path(review.source), None, "not used", card_row(review), None, note=item.reason
                )
            )
    stems = unique_stems([p.own.name for p in people])
    extension = EXTENSIONS[fmt]
    planned = [
        (p.own, p.review, out_dir / f"{stem}.{extension}")
        for p, stem in zip(people, stems, strict=True)
    ]
    return planned, done


class Interrupted(Exception):
    """Ctrl-C or SIGTERM reached the batch: stop, keep what is made, say what is not."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_interrupted(signum: int, _frame: FrameType | None) -> None:
    for other in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not cut the clean-up
        signal.signal(other, signal.SIG_IGN)
    raise Interrupted(signum)


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """SIGINT and SIGTERM stop the batch the same orderly way (only in the main thread)."""
    if multiprocessing.current_process().name != "MainProcess":
        yield
        return
    try:
        old = {s: signal.signal(s, _raise_interrupted) for s in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread: leave signals as they are
        yield
        return
    try:
        yield
    finally:
        # Once stopping (the handler set SIG_IGN), further Ctrl-Cs stay ignored until the command
        # has exited: a default handler put back now would cut the clean-up and summary short.
        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
            for s, handler in old.items():
                signal.signal(s, handler)


def run_batch(
    directory: Path,
    out_dir: Path,
    *,
    fmt: Format,
    jobs: int,
    policy: Policy,
    skills_dirs: tuple[Path, ...],
    generated_on: dt.date,
    time_limit: float = DEFAULT_TIME_LIMIT,
    progress: Callable[[int, int], None] | None = None,
) -> BatchOutcome:
    """One report per person in `directory`, written to `out_dir` with a summary.csv."""
    files = assessment_files(directory)
    if not files:
        raise SfiaAssessError(f"{directory}: no .yaml or .yml files found")
    cards, failed = load_all(files, catalog_for(skills_dirs))
    return make_reports(
        cards,
        out_dir,
        failed=failed,
        fmt=fmt,
        jobs=jobs,
        policy=policy,
        skills_dirs=skills_dirs,
        generated_on=generated_on,
        time_limit=time_limit,
        progress=progress,
    )


def make_reports(
    cards: list[Card],
    out_dir: Path,
    *,
    failed: list[Done] | None = None,
    fmt: Format,
    jobs: int,
    policy: Policy,
    skills_dirs: tuple[Path, ...],
    generated_on: dt.date,
    time_limit: float = DEFAULT_TIME_LIMIT,
    progress: Callable[[int, int], None] | None = None,
) -> BatchOutcome:
    """One report per person among these checked files, each review paired with the
    self-assessment it reviews; `failed` rows join the summary."""
    with prepare_folder(out_dir, lock_name=".sfia-assess-batch.lock"):
        summary = out_dir / "summary.csv"
        # An old summary must never stand beside new reports, whatever stops this run.
        summary.unlink(missing_ok=True)
        planned, done = plan(cards, out_dir, fmt)
        done.extend(failed or ())
        total = len(cards) + len(failed or ())
        tag = f".sfia-{os.getpid()}-{secrets.token_hex(4)}-"
        started_ns = time.time_ns()
        work = deque(
            Job(Path(own.source), own, reviewed, dst, fmt, skills_dirs, policy, generated_on, tag)
            for own, reviewed, dst in planned
        )
        del planned
        if progress:
            progress(len(done), total)
        interrupted: Interrupted | None = None

        def finished(item: Done) -> None:
            done.append(item)
            if progress:
                progress(len(done), total)

        with _stop_on_signals():
            try:
                _execute(work, jobs, time_limit, finished)
            except Interrupted as stop:
                interrupted = stop
                signame = signal.Signals(stop.signum).name
                done.extend(_stopped(job, signame, started_ns) for job in work)
        for stale in out_dir.glob(f"{tag}*"):  # a worker stopped mid-write leaves its temp file
            stale.unlink(missing_ok=True)
        ordered = sorted(done, key=lambda d: str(d.source))
        write_atomic(summary, summary_csv(ordered))
    outcome = BatchOutcome(tuple(ordered), summary, interrupted is not None)
    if interrupted is not None:
        raise BatchInterrupted(outcome, interrupted.signum)
    return outcome


class BatchInterrupted(SfiaAssessError):
    """The batch was stopped by a signal; carries what was made and what was not."""

    def __init__(self, outcome: BatchOutcome, signum: int) -> None:
        made = sum(1 for d in outcome.done if d.status == "made")
        missing = sum(1 for d in outcome.done if d.status == "not made")
        super().__init__(
            f"stopped by {signal.Signals(signum).name}: {made} report(s) made, {missing} not made;"
            f" {outcome.summary} says which"
        )
        self.outcome = outcome
        self.signum = signum


def _die_with_parent(parent: int) -> None:
    """In a worker: be killed when the batch process ends, however it ends (Linux)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


# WeasyPrint's memory grows by about a quarter of a megabyte per document and is never given
# back (measured with WeasyPrint 70 alone, without our code). Workers therefore live for at most
# this many reports each and are then replaced by fresh forks of this process, which does no
# rendering itself and so stays small.
REPORTS_PER_WORKER = 50


def _execute(
    work: deque[Job], jobs: int, time_limit: float, finished: Callable[[Done], None]
) -> None:
    """Run the jobs on `jobs` worker processes, taking each off `work` as it is handed out.

    A worker that dies or runs past `time_limit` fails only its own report (pebble replaces
    it). When a signal stops the batch, the reports already made are still passed to
    `finished`, the workers are stopped, and the jobs not done are put back on `work`.
    """
    from pebble import ProcessExpired, ProcessPool

    if any(job.fmt is Format.PDF for job in work):
        from ..reports.pdf.render import preload

        preload()  # WeasyPrint loaded once here, inherited by every forked worker
    pool = ProcessPool(
        max_workers=jobs,
        max_tasks=REPORTS_PER_WORKER,
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
        context=multiprocessing.get_context("fork"),
    )

    def outcome(job: Job, future: Future[Done]) -> Done:
        try:
            return future.result()
        except FutureTimeout:
            return Done(
                job.source,
                None,
                "timed out",
                card_row(job.own),
                f"{job.source}: not made; the report took longer than {time_limit:g} s"
                " (--time-limit)",
            )
        except ProcessExpired:
            return Done(
                job.source,
                None,
                "failed",
                card_row(job.own),
                f"{job.source}: the worker process crashed",
            )

    in_flight: deque[tuple[Job, Future[Done]]] = deque()
    try:
        while work or in_flight:
            # A few jobs ahead of the workers, not all: the parent keeps little per report.
            while work and len(in_flight) < 2 * jobs:
                scheduled = pool.schedule(run_job, args=(work[0],), timeout=time_limit)
                in_flight.append((work.popleft(), scheduled))
            job, future = in_flight[0]
            item = outcome(job, future)
            in_flight.popleft()
            finished(item)
    except BaseException:
        pool.stop()  # type: ignore[no-untyped-call]
        pool.join()
        for job, future in reversed(in_flight):
            if future.done() and not future.cancelled() and future.exception() is None:
                finished(future.result())
            else:
                work.appendleft(job)
        raise
    pool.close()  # type: ignore[no-untyped-call]
    pool.join()


SUMMARY_COLUMNS = (
    "person",
    "role",
    "skill",
    "sfia_version",
    "assessor",
    "recommended_level",
    "agreed_level",
    "target_level",
    "gaps",
    "status",
    "file",
    "source",
    "review",
    "error",
)


def summary_csv(done: list[Done]) -> str:
    """One row per file: `recommended_level` is the self-assessment's, `agreed_level` the
    review's (when the folder holds one); `status` says whether the report was made."""
    rows = []
    for item in done:
        r = item.row
        rows.append(
            [
                r.person,
                r.role,
                r.skill,
                r.sfia_version,
                r.assessor,
                r.self_level,
                r.agreed_level,
                r.target_level,
                r.gaps,
                item.status,
                item.target.name if item.target else "",
                str(item.source),
                r.review,
                item.error.splitlines()[0] if item.error else item.note,
            ]
        )
    return csv_text(SUMMARY_COLUMNS, rows)

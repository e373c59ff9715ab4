"""Many assessments at once: one report per person, written by worker processes, and a
summary.csv (the steps are in plan.py, report.py, pool.py and summary.py)."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..core.pairing import Card
from ..core.policy import Policy
from ..errors import SfiaAssessError
from ..files.folders import assessment_files
from ..files.output import prepare_folder, write_atomic
from ..reports import Format
from .plan import Job, catalog_for, load_all, plan
from .pool import DEFAULT_TIME_LIMIT, Interrupted, execute, stop_on_signals, stopped
from .summary import Done, summary_csv


@dataclass(frozen=True)
class BatchOutcome:
    done: tuple[Done, ...]
    summary: Path
    interrupted: bool = False

    @property
    def failed(self) -> tuple[Done, ...]:
        return tuple(d for d in self.done if d.error is not None)


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

        with stop_on_signals():
            try:
                execute(work, jobs, time_limit, finished)
            except Interrupted as stop:
                interrupted = stop
                signame = signal.Signals(stop.signum).name
                done.extend(stopped(job, signame, started_ns) for job in work)
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

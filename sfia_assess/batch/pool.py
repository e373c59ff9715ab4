"""The worker processes of a local batch: jobs handed out a few at a time, a time limit each,
workers replaced after a number of reports, and Ctrl-C or SIGTERM turned into an orderly stop."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from types import FrameType

from ..processes import die_with_parent
from ..reports import Format
from .plan import Job
from .report import run_job
from .summary import Done, card_row

DEFAULT_TIME_LIMIT = 120.0


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
def stop_on_signals() -> Iterator[None]:
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


def stopped(job: Job, signame: str, since_ns: int) -> Done:
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


def _start_worker(parent: int) -> None:
    """In a worker: Ctrl-C is the parent's to handle; and end when the batch process ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)


# WeasyPrint's memory grows by about a quarter of a megabyte per document and is never given
# back (measured with WeasyPrint 70 alone, without our code). Workers therefore live for at most
# this many reports each and are then replaced by fresh forks of this process, which does no
# rendering itself and so stays small.
REPORTS_PER_WORKER = 50


def execute(
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
        initializer=_start_worker,
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

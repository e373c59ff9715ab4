"""PDFs laid out in worker processes, so that a slow PDF never holds up another request.

WeasyPrint is CPU-bound and holds the GIL for the whole layout (about half a second for a report):
in the server's own process it would stall every page. The workers are started on the first PDF
asked for (the server starts in well under a second without WeasyPrint) and import it once each.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from typing import Any

from ..core.catalog import Catalog
from ..core.policy import default_policy


@cache
def _catalog() -> Catalog:
    return Catalog.default()


# The jobs take the assessment's YAML text, not a report: loading, scoring and laying out the
# HTML all happen in the worker too, so the server's own process does next to nothing per PDF.


def gap_report_pdf(text: str, name: str, today: dt.date) -> bytes:
    """The PDF gap report of one assessment, as `assess --format pdf` makes it."""
    from ..core.assessment import parse_assessment
    from ..reports import Format
    from ..reports.build import gap_report
    from ..reports.gap import render

    catalog = _catalog()
    loaded = parse_assessment(text, name, catalog)
    pdf = render(gap_report(loaded, catalog, default_policy(), today=today), Format.PDF)
    assert isinstance(pdf, bytes)
    return pdf


def review_record_pdf(
    own: tuple[str, str], manager: tuple[str, str], today: dt.date, trail: Any = None
) -> bytes:
    """The PDF review record of a self-assessment and the manager's review ((text, name) each);
    with the store's `trail` (a reports.review.RecordTrail), the electronic sign-off in it."""
    import dataclasses

    from ..core.assessment import parse_assessment
    from ..reports import Format, render
    from ..reports.build import review_report
    from ..reports.review import RENDERERS

    catalog = _catalog()
    mine = parse_assessment(own[0], own[1], catalog)
    theirs = parse_assessment(manager[0], manager[1], catalog)
    report = review_report(mine, theirs, catalog, default_policy(), today=today)
    if trail is not None:
        report = dataclasses.replace(report, trail=trail)
    pdf = render(RENDERERS, report, Format.PDF)
    assert isinstance(pdf, bytes)
    return pdf


PDF_SECONDS_ENV = "SFIA_ASSESS_PDF_SECONDS"
PDF_SECONDS = 60.0  # a report that takes longer to lay out is stopped: it would hold a worker
MAX_PDF_BYTES = 20 * 1024 * 1024


class PdfTooLarge(Exception):
    """A report stopped for its size or time (its sentence says which, in the reader's words)."""


def pdf_seconds() -> float:
    try:
        return max(1.0, float(os.environ.get(PDF_SECONDS_ENV, PDF_SECONDS)))
    except ValueError:
        return PDF_SECONDS


class _OutOfTime(BaseException):
    """Raised by the alarm: a BaseException, so that no `except Exception` on the way (the
    renderer's own) can take it for a layout problem."""


def _stop(_signal: int, _frame: object) -> None:
    raise _OutOfTime


def within(seconds: float, job: Callable[..., bytes], *args: Any) -> bytes:
    """Run `job` in this worker for at most `seconds` (an alarm stops the layout between two
    steps), and refuse a PDF over MAX_PDF_BYTES: one huge report cannot hold a worker for
    minutes, nor send tens of megabytes."""
    previous = signal.signal(signal.SIGALRM, _stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        pdf = job(*args)
    except _OutOfTime:
        raise PdfTooLarge(
            f"this report took over {seconds:g} seconds to lay out and was stopped; a report"
            " with fewer evidence items (or shorter ones) will go through"
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if isinstance(pdf, bytes) and len(pdf) > MAX_PDF_BYTES:
        raise PdfTooLarge(
            f"this report is over {MAX_PDF_BYTES // 2**20} MB as a PDF and is not sent; a"
            " report with fewer evidence items will go through"
        )
    return pdf


def _exit_with(parent: int) -> None:
    """In each worker: exit when the server is gone, even if it was killed without a word."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="exit-with-server").start()


def _warm() -> None:
    from ..reports.pdf.render import preload

    preload()  # the half second a first PDF would otherwise wait for

    _catalog()


class PdfPool:
    """A small pool of worker processes that turn report HTML into PDF."""

    def __init__(self, workers: int | None = None, *, warm_up: bool = False) -> None:
        self.workers = workers or max(1, min(2, os.cpu_count() or 1))
        self.warm_up = warm_up
        self._executor: ProcessPoolExecutor | None = None
        self._turns: dict[str, tuple[asyncio.Lock, int]] = {}  # per user: lock, how many ask

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            # spawn, not fork: the server's process has threads and an event loop running.
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(
                self.workers,
                mp_context=context,
                initializer=_exit_with,
                initargs=(os.getpid(),),
            )
        return self._executor

    def warm(self) -> None:
        """Start the workers and load WeasyPrint in them now, in the background: called when a
        page that offers a PDF is first shown, so that the first PDF does not wait for it.
        Only when asked for (`serve` does): tests and tools embedding the app skip it."""
        if self.warm_up and self._executor is None:
            pool = self._pool()
            for _ in range(self.workers):
                pool.submit(_warm)

    async def render(self, job: Callable[..., bytes], *args: Any) -> bytes:
        """Run one of the jobs above in a worker; its exceptions are raised here. A signed-in
        person has one PDF laid out at a time: their next waits its turn, so that two long
        reports of one person cannot hold every worker while a colleague's page waits."""
        from .viewer import VIEWER

        viewer = VIEWER.get()
        loop = asyncio.get_running_loop()
        bounded = (within, pdf_seconds(), job, *args)
        if viewer is None:
            return await loop.run_in_executor(self._pool(), *bounded)
        who = viewer.name
        lock, waiting = self._turns.get(who, (asyncio.Lock(), 0))
        self._turns[who] = (lock, waiting + 1)
        try:
            async with lock:
                return await loop.run_in_executor(self._pool(), *bounded)
        finally:
            lock, waiting = self._turns[who]
            if waiting == 1:
                del self._turns[who]  # kept only while someone waits: bounded by who is busy
            else:
                self._turns[who] = (lock, waiting - 1)

    def close(self) -> None:
        """Stop the workers, waiting for a PDF being laid out: none outlives the server (with
        wait=False the spawned workers were left running after the server exited)."""
        if self._executor is not None:
            executor, self._executor = self._executor, None
            executor.shutdown(wait=True, cancel_futures=True)

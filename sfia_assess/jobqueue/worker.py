"""The worker side: one procrastinate task renders one report from the bytes in the database.

A job runs at most MAX_ATTEMPTS times (an error or a worker that died); then it is reported
with its error and the batch goes on. Heartbeats, the rescue of dead workers' jobs and outages
are liveness.py's (timeouts stated there and in the README).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import multiprocessing
import os
import signal
import time
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..errors import SfiaAssessError
from ..processes import die_with_parent as _die_with_parent
from . import schema

if TYPE_CHECKING:
    from procrastinate import App, JobContext

QUEUE = "sfia_assess_reports"
TASK = "sfia_assess.render_report"
MAX_ATTEMPTS = 3
CONNECT_TIMEOUT_S = 5.0
NEVER_S = 10.0 * 365 * 24 * 3600  # procrastinate's own heartbeat and pruning: liveness.py's

log = logging.getLogger(__name__)

REPORTS_PER_WORKER = 200  # then the process is replaced by a fresh one
_ENGINES: dict[str, sa.Engine] = {}
_made = [0]  # jobs run by this process
_limit: dict[str, Any] = {}  # max_reports, and how to stop this process's worker


def _engine(url: str) -> sa.Engine:
    if url not in _ENGINES:
        _ENGINES[url] = schema.engine(url)
    return _ENGINES[url]


def make_app(url: str) -> App:
    """A procrastinate app on the queue database, with our one task."""
    from procrastinate import App, PsycopgConnector, RetryStrategy

    # a connection per query, no pool: psycopg_pool doubles its reconnect delay without a cap
    # (16 s, 32 s...), so after an outage a pooled worker stayed idle long after the database
    # answered again; liveness.py does the waiting, with its own capped back-off
    from psycopg_pool import AsyncNullConnectionPool

    connector = PsycopgConnector(
        conninfo=schema.libpq_url(url),
        pool_factory=AsyncNullConnectionPool,
        timeout=CONNECT_TIMEOUT_S,
        kwargs={"connect_timeout": int(CONNECT_TIMEOUT_S)},
    )
    app = App(connector=connector)

    @app.task(
        name=TASK,
        queue=QUEUE,
        pass_context=True,
        retry=RetryStrategy(max_attempts=MAX_ATTEMPTS - 1),
    )
    def render_report(context: JobContext, item: int) -> None:
        assert context.job is not None
        try:
            render_item(url, item, context.job.attempts)
        finally:
            _made[0] += 1
            limit = _limit.get("max_reports")
            if limit is not None and _made[0] >= limit:
                _limit["stop"]()  # a graceful stop after this report: the next process takes over

    return app


def render_item(url: str, item: int, attempts: int) -> None:
    """Render one queued item and store its report; an error is stored and raised again (for
    procrastinate to retry) until the last attempt, when the item fails for good. Reading and
    storing ride out an outage of the database (schema.patiently): a report is made once."""
    db = _engine(url)

    def read() -> Any:
        with db.connect() as connection:
            return connection.execute(
                sa.select(
                    schema.items.c.source,
                    schema.items.c.input,
                    schema.items.c.review_source,
                    schema.items.c.review_input,
                    schema.items.c.status,
                    schema.batches.c.fmt,
                    schema.batches.c.policy,
                    schema.batches.c.generated_on,
                )
                .join(schema.batches)
                .where(schema.items.c.id == item)
            ).one_or_none()

    row = schema.patiently(read)
    if row is None or row.status != "queued":
        return  # gone, or finished by another worker already: nothing is made twice
    try:
        report, summary = _render(row, row.fmt, row.policy, row.generated_on)
    except Exception as exc:
        message = str(exc) if isinstance(exc, SfiaAssessError) else f"{type(exc).__name__}: {exc}"
        last = attempts + 1 >= MAX_ATTEMPTS
        finish_item(url, item, status="failed" if last else "queued", error=message)
        raise
    finish_item(url, item, status="done", report=report, summary=summary)


def finish_item(url: str, item: int, *, status: str, **values: Any) -> None:
    """Record an outcome; only a queued item changes (the first finisher wins), so trying
    again after an outage never stores a report twice."""
    update = sa.update(schema.items).where(
        schema.items.c.id == item, schema.items.c.status == "queued"
    )
    extra: dict[str, Any] = {"attempts": schema.items.c.attempts + 1}
    if status != "queued":
        extra["finished_at"] = sa.func.clock_timestamp()  # the database's clock, not this machine's
    db = _engine(url)

    def store() -> None:
        with db.begin() as connection:
            connection.execute(update.values(status=status, **values, **extra))

    schema.patiently(store)


def _render(
    row: Any, fmt: str, policy_json: str, generated_on: dt.date
) -> tuple[bytes, dict[str, Any]]:
    """What the local batch makes for this person: its report and its summary Row."""
    from ..batch.plan import catalog_for as _catalog
    from ..batch.report import render_person
    from ..core.assessment import parse_assessment
    from ..core.policy import Policy
    from ..reports import Format

    catalog = _catalog(())
    loaded = parse_assessment(row.input, row.source, catalog)
    reviewed_by = (
        None
        if row.review_input is None
        else parse_assessment(row.review_input, row.review_source, catalog)
    )
    policy = Policy.model_validate_json(policy_json)
    rendered, summary = render_person(loaded, reviewed_by, Format(fmt), (), policy, generated_on)
    report = rendered.encode("utf-8") if isinstance(rendered, str) else rendered
    return report, dataclasses.asdict(summary)


class _Brief(logging.Formatter):
    """A user's mistake in an input is one line; any other error keeps its traceback."""

    def format(self, record: logging.LogRecord) -> str:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and (isinstance(error, SfiaAssessError) or _is_outage(error)):
            record.message = record.getMessage()
            record.asctime = self.formatTime(record, self.datefmt)
            lines = str(error.__cause__ or error).strip().splitlines()
            return f"{self.formatMessage(record)}: {lines[0] if lines else type(error).__name__}"
        return super().format(record)


def _is_outage(error: BaseException) -> bool:
    """procrastinate's error for a database that went away (liveness.py says what follows)."""
    import psycopg

    return isinstance(error.__cause__, psycopg.OperationalError)


def _log_to_stderr() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(_Brief("%(asctime)s worker %(process)d: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)
    # the pool warns at every failed connection; liveness says once that the database went away
    logging.getLogger("psycopg.pool").setLevel(logging.ERROR)


def _warm_up() -> None:
    """Load the catalog and WeasyPrint before taking the first job (a second or so, once)."""
    from ..batch.plan import catalog_for as _catalog

    _catalog(())
    from ..reports.pdf.render import preload

    preload()


def run_worker(url: str, max_reports: int | None = None, parent: int | None = None) -> None:
    """One worker process: one report at a time, until SIGINT/SIGTERM or `max_reports`. When
    the database stops answering, the report under way is finished and stored when it answers
    again, and the worker reconnects with back-off and registers afresh; it never gives up."""
    if parent is not None:
        _die_with_parent(parent)
    _log_to_stderr()
    _warm_up()
    app = make_app(url)

    async def main() -> None:
        from . import liveness

        loop = asyncio.get_running_loop()
        stopping = asyncio.Event()  # SIGINT/SIGTERM, or this process's share of reports made
        running: list[Any] = []  # procrastinate's Worker of the moment

        def stop() -> None:
            stopping.set()
            for worker in running:
                worker.stop()  # procrastinate finishes the report under way

        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop)
        if max_reports is not None:
            _limit.update(max_reports=max_reports, stop=lambda: loop.call_soon_threadsafe(stop))
        contact = liveness.Contact(url)
        if not await contact.wait(stopping):
            return
        async with app.open_async():
            rescue = asyncio.create_task(liveness.rescue(app, url, contact))
            try:
                await _work(app, url, contact, stopping, running)
            finally:
                rescue.cancel()
                await contact.close()

    asyncio.run(main())


async def _work(
    app: App, url: str, contact: Any, stopping: asyncio.Event, running: list[Any]
) -> None:
    """Run procrastinate's worker, and a fresh one each time an outage ended the last."""
    from procrastinate.exceptions import ProcrastinateException
    from procrastinate.worker import Worker

    from . import liveness

    left: int | None = None  # a registration an outage left behind, with jobs maybe
    while not stopping.is_set() and await contact.wait(stopping):
        try:
            if left is not None:
                await liveness.settle(app, url, left)
                left = None
            worker = Worker(
                app=app,
                queues=[QUEUE],
                concurrency=1,
                install_signal_handlers=False,  # run_worker's: they outlive this worker
                update_heartbeat_interval=NEVER_S,
                stalled_worker_timeout=NEVER_S,
            )
            running[:] = [worker]
            beating = asyncio.create_task(liveness.keep_beating(worker, contact))
            try:
                await worker.run()  # type: ignore[no-untyped-call]
            finally:
                beating.cancel()
                left = worker.worker_id  # still set: it could not unregister
        except ProcrastinateException as exc:
            cause = str(exc.__cause__ or exc).strip().splitlines()
            log.warning("the worker stopped (%s); starting afresh", cause[0] if cause else exc)
    # told to stop with a registration left: the others' rescue gives its jobs back


def serve(url: str, processes: int, reports_per_process: int = REPORTS_PER_WORKER) -> None:
    """`worker`: make sure the schema exists, then keep `processes` worker processes running
    (one per core), each replaced by a fresh one after `reports_per_process` reports (WeasyPrint
    never gives memory back) or when it dies. Stops on SIGINT/SIGTERM; the worker processes die
    with this one even when it is killed."""
    schema.queue_wait()  # a mistake in $SFIA_ASSESS_QUEUE_WAIT is said now, not at a report
    schema.ensure_schema(_engine(url))
    _log_to_stderr()
    context = multiprocessing.get_context("spawn")
    running: list[Any] = []
    started: dict[Any, float] = {}  # process -> when it started
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for process in running:
            if process.is_alive():
                process.terminate()  # SIGTERM: procrastinate finishes the report under way

    def start() -> Any:
        process = context.Process(
            target=run_worker, args=(url, reports_per_process, os.getpid()), daemon=False
        )
        process.start()
        started[process] = time.monotonic()
        return process

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    running = [start() for _ in range(processes)]
    while not stopping:
        time.sleep(0.5)
        for index, process in enumerate(running):
            if process.is_alive() or stopping:
                continue
            if process.exitcode != 0 and time.monotonic() - started[process] < 5:
                stop(signal.SIGTERM, None)
                raise schema.QueueError(
                    f"a worker process stopped as it started (exit code {process.exitcode});"
                    " see its messages above"
                )
            running[index] = start()
    for process in running:
        process.join()

"""The worker side: one procrastinate task renders one report from the bytes in the database.

Timeouts (stated in the README): a worker sends a heartbeat every HEARTBEAT_S seconds; one that
has sent none for STALLED_AFTER_S (killed, machine gone) is stalled, and any live worker puts
its job back in the queue within RESCUE_EVERY_S more. A job runs at most MAX_ATTEMPTS times
(an error or a worker that died); then it is reported with its error and the batch goes on.
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
HEARTBEAT_S = 2.0
STALLED_AFTER_S = 10.0
RESCUE_EVERY_S = 3.0

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

    app = App(connector=PsycopgConnector(conninfo=schema.libpq_url(url)))

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
    procrastinate to retry) until the last attempt, when the item fails for good."""
    db = _engine(url)
    with db.connect() as connection:
        row = connection.execute(
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
    if row is None or row.status != "queued":
        return  # gone, or finished by another worker already: nothing is made twice
    try:
        report, summary = _render(row, row.fmt, row.policy, row.generated_on)
    except Exception as exc:
        message = str(exc) if isinstance(exc, SfiaAssessError) else f"{type(exc).__name__}: {exc}"
        last = attempts + 1 >= MAX_ATTEMPTS
        _finish(db, item, status="failed" if last else "queued", error=message)
        raise
    _finish(db, item, status="done", report=report, summary=summary)


def _finish(db: sa.Engine, item: int, *, status: str, **values: Any) -> None:
    """Record an outcome; only a queued item changes (the first finisher wins)."""
    update = sa.update(schema.items).where(
        schema.items.c.id == item, schema.items.c.status == "queued"
    )
    extra: dict[str, Any] = {"attempts": schema.items.c.attempts + 1}
    if status != "queued":
        extra["finished_at"] = sa.func.clock_timestamp()  # the database's clock, not this machine's
    with db.begin() as connection:
        connection.execute(update.values(status=status, **values, **extra))


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


async def _rescue(app: App, url: str) -> None:
    """Put the jobs of stalled workers back in the queue (or fail them after MAX_ATTEMPTS)."""
    from procrastinate.exceptions import ProcrastinateException
    from procrastinate.jobs import Status

    manager = app.job_manager
    while True:
        await asyncio.sleep(RESCUE_EVERY_S)
        try:
            stalled = await manager.get_stalled_jobs(
                queue=QUEUE, seconds_since_heartbeat=STALLED_AFTER_S
            )
            for job in stalled:
                if job.attempts + 1 >= MAX_ATTEMPTS:
                    item = int(str(job.task_kwargs["item"]))
                    error = f"the worker stopped {MAX_ATTEMPTS} times while making this report"
                    await asyncio.to_thread(
                        _finish, _engine(url), item, status="failed", error=error
                    )
                    await manager.finish_job(job, status=Status.FAILED, delete_job=False)
                    log.warning("job %s of a stalled worker: failed, %s", job.id, error)
                else:
                    await manager.retry_job(job)
                    log.warning("job %s of a stalled worker: back in the queue", job.id)
        except ProcrastinateException:
            continue  # another worker rescued it first


class _Brief(logging.Formatter):
    """A user's mistake in an input is one line; any other error keeps its traceback."""

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info and isinstance(record.exc_info[1], SfiaAssessError):
            record.message = record.getMessage()
            record.asctime = self.formatTime(record, self.datefmt)
            first = str(record.exc_info[1]).splitlines()[0]
            return f"{self.formatMessage(record)}: {first}"
        return super().format(record)


def _log_to_stderr() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(_Brief("%(asctime)s worker %(process)d: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)


def _warm_up() -> None:
    """Load the catalog and WeasyPrint before taking the first job (a second or so, once)."""
    from ..batch.plan import catalog_for as _catalog

    _catalog(())
    from ..reports.pdf.render import preload

    preload()


def run_worker(url: str, max_reports: int | None = None, parent: int | None = None) -> None:
    """One worker process: one report at a time, until SIGINT/SIGTERM or `max_reports`."""
    if parent is not None:
        _die_with_parent(parent)
    _log_to_stderr()
    _warm_up()
    app = make_app(url)

    async def main() -> None:
        from procrastinate.worker import Worker

        async with app.open_async():
            worker = Worker(
                app=app,
                queues=[QUEUE],
                concurrency=1,
                update_heartbeat_interval=HEARTBEAT_S,
                stalled_worker_timeout=STALLED_AFTER_S,
            )
            if max_reports is not None:
                loop = asyncio.get_running_loop()
                _limit.update(
                    max_reports=max_reports, stop=lambda: loop.call_soon_threadsafe(worker.stop)
                )
            rescue = asyncio.create_task(_rescue(app, url))
            try:
                await worker.run()  # type: ignore[no-untyped-call]
            finally:
                rescue.cancel()

    asyncio.run(main())


def serve(url: str, processes: int, reports_per_process: int = REPORTS_PER_WORKER) -> None:
    """`worker`: make sure the schema exists, then keep `processes` worker processes running
    (one per core), each replaced by a fresh one after `reports_per_process` reports (WeasyPrint
    never gives memory back) or when it dies. Stops on SIGINT/SIGTERM; the worker processes die
    with this one even when it is killed."""
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

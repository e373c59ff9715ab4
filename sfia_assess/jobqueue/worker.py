"""The worker side: one procrastinate task renders one report from the bytes in the database.

Timeouts (stated in the README): a worker sends a heartbeat every HEARTBEAT_S seconds; one that
has sent none for STALLED_AFTER_S (killed, machine gone) is stalled, and any live worker puts
its job back in the queue within RESCUE_EVERY_S more. A job runs at most MAX_ATTEMPTS times
(an error or a worker that died); then it is reported with its error and the batch goes on.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import multiprocessing
import signal
import time
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..errors import SfiaAssessError
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

_ENGINES: dict[str, sa.Engine] = {}


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
        render_item(url, item, context.job.attempts)

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
        report, summary = _render(row.input, row.source, row.fmt, row.policy, row.generated_on)
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
        extra["finished_at"] = dt.datetime.now(dt.UTC)
    with db.begin() as connection:
        connection.execute(update.values(status=status, **values, **extra))


def _render(
    data: bytes, source: str, fmt: str, policy_json: str, generated_on: dt.date
) -> tuple[bytes, dict[str, Any]]:
    from ..assessment import parse_assessment
    from ..batch import _catalog
    from ..evaluate import evaluate
    from ..policy import Policy
    from ..reports import Format
    from ..reports.gap import build_report, render

    catalog = _catalog(())
    loaded = parse_assessment(data, source, catalog)
    policy = Policy.model_validate_json(policy_json)
    result = evaluate(
        loaded, policy, responsibility=catalog.responsibility(loaded.skill.sfia_version)
    )
    rendered = render(build_report(result, catalog, generated_on), Format(fmt))
    report = rendered.encode("utf-8") if isinstance(rendered, str) else rendered
    summary = {
        "person": result.subject.name,
        "role": result.subject.role or "",
        "recommended_level": result.recommended_level,
        "target_level": result.target_level,
        "gaps": len(result.gaps),
    }
    return report, summary


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
                else:
                    await manager.retry_job(job)
                log.warning("job %s of a stalled worker: %s", job.id, "retried")
        except ProcrastinateException:
            continue  # another worker rescued it first


def run_worker(url: str) -> None:
    """One worker process: runs jobs one at a time until SIGINT/SIGTERM."""
    app = make_app(url)

    async def main() -> None:
        async with app.open_async():
            rescue = asyncio.create_task(_rescue(app, url))
            try:
                await app.run_worker_async(
                    queues=[QUEUE],
                    concurrency=1,
                    update_heartbeat_interval=HEARTBEAT_S,
                    stalled_worker_timeout=STALLED_AFTER_S,
                )
            finally:
                rescue.cancel()

    asyncio.run(main())


def serve(url: str, processes: int) -> None:
    """`worker`: make sure the schema exists, then run `processes` worker processes (one per
    core); a process that dies is replaced. Stops on SIGINT/SIGTERM."""
    schema.ensure_schema(_engine(url))
    if processes == 1:
        run_worker(url)
        return
    context = multiprocessing.get_context("spawn")
    running: list[Any] = []
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for process in running:
            if process.is_alive() and process.pid is not None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(processes):
        process = context.Process(target=run_worker, args=(url,), daemon=False)
        process.start()
        running.append(process)
    while not stopping:
        time.sleep(0.5)
        for index, process in enumerate(running):
            if not process.is_alive() and not stopping:
                log.warning(
                    "worker process %s stopped (%s); starting another",
                    process.pid,
                    process.exitcode,
                )
                replacement = context.Process(target=run_worker, args=(url,), daemon=False)
                replacement.start()
                running[index] = replacement
    for process in running:
        process.join()

"""A worker's life through outages: its heartbeat, the rescue of dead workers' jobs, and
reconnection with back-off when the queue database stops answering.

procrastinate's own heartbeat is switched off: its side-task watcher stops watching once any
side task ends (the periodic deferrer ends at once when there is no periodic task), so after an
outage the heartbeat stayed dead in a live worker, and every other worker took its jobs back.
The rule here: a worker beats every HEARTBEAT_S on a connection of its own; a job is taken back
only from a worker silent for STALLED_AFTER_S, and only by a worker that has itself been in
touch with the database for STALLED_AFTER_S without a break (after an outage every heartbeat
is old, and a live worker needs a moment to beat again: it reconnects within BACKOFF_CAP_S).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING, Any

from . import worker as jobs

if TYPE_CHECKING:
    import psycopg
    from procrastinate import App
    from procrastinate.jobs import Job
    from procrastinate.worker import Worker

HEARTBEAT_S = 2.0
STALLED_AFTER_S = 10.0
RESCUE_EVERY_S = 3.0
BACKOFF_FIRST_S = 0.5
BACKOFF_CAP_S = 4.0  # with HEARTBEAT_S, a live worker beats again well within STALLED_AFTER_S
CONNECT_TIMEOUT_S = 5
QUERY_TIMEOUT_S = 5.0

log = logging.getLogger(__name__)


class Lost(Exception):
    """The queue database did not answer."""


class Contact:
    """This process's own connection for heartbeats: it knows since when the database has
    answered without a break, and reconnects with back-off."""

    def __init__(self, url: str) -> None:
        from .schema import libpq_url

        self.conninfo = libpq_url(url)
        self.connection: psycopg.AsyncConnection[Any] | None = None
        self.since: float | None = None  # when the database last started answering
        self.lost_at: float | None = None
        self.delay = BACKOFF_FIRST_S
        self.next_try = 0.0

    def steady_for(self) -> float:
        return 0.0 if self.since is None else time.monotonic() - self.since

    async def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Run one statement; Lost if the database cannot be reached (retried later)."""
        import psycopg

        await self._connect()
        assert self.connection is not None
        try:
            async with asyncio.timeout(QUERY_TIMEOUT_S):
                cursor = await self.connection.execute(sql, params)
                return await cursor.fetchall() if cursor.description else []
        except (psycopg.Error, TimeoutError) as exc:
            await self._lose(exc)
            raise Lost(str(exc)) from None

    async def wait(self, stopping: asyncio.Event) -> bool:
        """Until the database answers (True), or this worker is told to stop (False)."""
        while not stopping.is_set():
            try:
                await self.query("SELECT 1")
                return True
            except Lost:
                pause = max(self.next_try - time.monotonic(), 0.05)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), pause)
        return False

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()
            self.connection = None

    async def _connect(self) -> None:
        import psycopg

        if self.connection is not None and not self.connection.closed:
            return
        if time.monotonic() < self.next_try:
            raise Lost("waiting before the next try")
        try:
            self.connection = await psycopg.AsyncConnection.connect(
                self.conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
            )
        except psycopg.Error as exc:
            await self._lose(exc)
            raise Lost(str(exc)) from None
        self.since, self.delay = time.monotonic(), BACKOFF_FIRST_S
        if self.lost_at is not None:
            log.warning(
                "the queue database answers again, after %.0f s; going on",
                time.monotonic() - self.lost_at,
            )
            self.lost_at = None

    async def _lose(self, exc: Exception) -> None:
        if self.lost_at is None:
            self.lost_at = time.monotonic()
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            log.warning(
                "the queue database cannot be reached (%s); trying again every %.0f s at most",
                first,
                BACKOFF_CAP_S,
            )
        self.since = None
        self.next_try = time.monotonic() + self.delay
        self.delay = min(self.delay * 2, BACKOFF_CAP_S)
        if self.connection is not None:
            connection, self.connection = self.connection, None
            # a broken connection may fail to close; it is dropped anyway
            with contextlib.suppress(Exception):
                await connection.close()


async def keep_beating(worker: Worker, contact: Contact) -> None:
    """Beat for `worker` while it runs. Stop it (for a fresh one) when the database stops
    answering (the report under way is finished and stored first; beats go on meanwhile, so
    nobody takes it), when its LISTEN connection died (procrastinate does not make a new one),
    or when others took it for dead (its registration is gone: its jobs went back)."""
    try:
        await _beat(worker, contact)
    finally:
        worker.stop()  # type: ignore[no-untyped-call]  # never a worker without its heartbeat


async def _beat(worker: Worker, contact: Contact) -> None:
    while worker.worker_id is None:
        await asyncio.sleep(0.05)
    worker_id = worker.worker_id
    while True:
        await asyncio.sleep(HEARTBEAT_S)
        if not any(task.get_name() == "listener" for task in asyncio.all_tasks()):
            worker.stop()  # type: ignore[no-untyped-call]
        try:
            rows = await contact.query(
                "UPDATE procrastinate_workers SET last_heartbeat = now() WHERE id = %s"
                " RETURNING id",
                worker_id,
            )
        except Lost:
            worker.stop()  # type: ignore[no-untyped-call]
            continue
        if not rows and worker.worker_id is not None:  # (None: it unregistered, stopping)
            log.warning(
                "this worker was silent for over %.0f s and taken for dead; starting afresh",
                STALLED_AFTER_S,
            )
            return


async def rescue(app: App, url: str, contact: Contact) -> None:
    """Give back the jobs of workers that stopped beating (killed, machine gone)."""
    from procrastinate.exceptions import ProcrastinateException

    manager = app.job_manager
    while True:
        await asyncio.sleep(RESCUE_EVERY_S)
        if contact.steady_for() < STALLED_AFTER_S:
            continue  # just back from an outage: live workers have not beaten again yet
        try:
            # their registrations go first: one that is alive after all learns it at its next beat
            await manager.prune_stalled_workers(STALLED_AFTER_S)
            stalled = await manager.get_stalled_jobs(
                queue=jobs.QUEUE, seconds_since_heartbeat=STALLED_AFTER_S
            )
        except ProcrastinateException:
            continue  # the database went away: the next round, once it is back
        for job in stalled:
            if contact.steady_for() < STALLED_AFTER_S:
                break
            try:
                await give_back(app, url, job, "a worker that stopped")
            except ProcrastinateException:
                continue  # another worker took it first
            except Exception as exc:  # this loop must outlive any one job's trouble
                log.warning("job %s of a worker that stopped: not given back yet (%s)", job.id, exc)


async def settle(app: App, url: str, worker_id: int) -> None:
    """This process's previous registration, left by an outage: give back its jobs at once
    (nobody else will for STALLED_AFTER_S), then remove it."""
    manager = app.job_manager
    for job in await manager.list_jobs_async(queue=jobs.QUEUE, status="doing", worker_id=worker_id):
        await give_back(app, url, job, "this worker, cut off from the database")
    await manager.unregister_worker(worker_id)


async def give_back(app: App, url: str, job: Job, whose: str) -> None:
    """One job whose worker is gone: done if its report was stored, else back in the queue
    (or failed after MAX_ATTEMPTS runs). procrastinate's errors (the job moved on) propagate."""
    from procrastinate.jobs import Status

    manager = app.job_manager
    item = int(str(job.task_kwargs["item"]))
    found = await app.connector.execute_query_all_async(
        "SELECT status FROM sfia_queue_items WHERE id = %(item)s", item=item
    )
    state = found[0]["status"] if found else "gone"
    if state != "queued":
        # the report was stored (or failed) before its worker lost touch: no second run
        status = Status.FAILED if state == "failed" else Status.SUCCEEDED
        await manager.finish_job(job, status=status, delete_job=False)
    elif job.attempts + 1 >= jobs.MAX_ATTEMPTS:
        error = f"the worker stopped {jobs.MAX_ATTEMPTS} times while making this report"
        await asyncio.to_thread(jobs.finish_item, url, item, status="failed", error=error)
        await manager.finish_job(job, status=Status.FAILED, delete_job=False)
        log.warning("job %s of %s: failed, %s", job.id, whose, error)
    else:
        await manager.retry_job(job)
        log.warning("job %s of %s: back in the queue", job.id, whose)

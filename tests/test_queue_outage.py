"""The job queue through a PostgreSQL outage: a server of the test's own is stopped while two
real worker processes make reports and a `batch` waits, then started again.

Skips without PostgreSQL's programs outside CI; fails in CI.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from sfia_assess.jobqueue.liveness import HEARTBEAT_S

from . import pg_server as pg
from .pg_server import OwnServer, Unavailable
from .queueing import CLI, people, scalar, stop, worker

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

REPORTS = 20
OUTAGE_S = 12.0


@pytest.fixture
def own_server() -> Iterator[OwnServer]:
    try:
        with pg.own_server() as own:
            yield own
    except Unavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL tests must run in CI: {exc}")
        pytest.skip(str(exc))


def scalar_text(url: str, query: str, **params: str) -> str:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return str(connection.execute(sa.text(query), params).scalar_one())
    finally:
        engine.dispose()


def count(url: str, query: str) -> int:
    try:
        return scalar(url, query)
    except Exception:  # the tables do not exist yet
        return 0


def test_the_queue_finishes_on_its_own_after_a_postgresql_outage(
    tmp_path: Path, own_server: OwnServer
) -> None:
    url = own_server.url
    folder = people(tmp_path / "team", REPORTS)
    out = tmp_path / "reports"
    env = {**os.environ, "SFIA_ASSESS_QUEUE_WAIT": "120"}
    waiting = subprocess.Popen(
        [*CLI, "batch", str(folder), "--queue", url, "-o", str(out), "--quiet"],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    workers = [worker(url), worker(url)]
    try:
        deadline = time.monotonic() + 40
        # stop the server while both workers are in the middle of a report, a few done
        while time.monotonic() < deadline:
            done = count(url, "SELECT count(*) FROM sfia_queue_items WHERE status='done'")
            busy = count(url, "SELECT count(*) FROM procrastinate_jobs WHERE status='doing'")
            if done >= 3 and busy == 2:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the workers did not get going")
        own_server.stop("fast")
        time.sleep(OUTAGE_S)
        own_server.start()
        back = time.monotonic()
        back_at = scalar_text(url, "SELECT now()::text")
        left = scalar(url, "SELECT count(*) FROM sfia_queue_items WHERE status = 'queued'")
        try:
            _, stderr = waiting.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            waiting.kill()
            _, stderr = waiting.communicate()
            pytest.fail(f"the batch did not finish 90 s after the server was back:\n{stderr}")
        finished_after = time.monotonic() - back
        alive = [process.poll() is None for process in workers]
        time.sleep(2 * HEARTBEAT_S)
        # both workers came back whole: each beats again, no registration is left silent
        beating = count(
            url,
            "SELECT count(*) FROM procrastinate_workers WHERE last_heartbeat > now() - interval"
            f" '{2 * HEARTBEAT_S + 1} seconds'",
        )
        silent = count(url, "SELECT count(*) FROM procrastinate_workers") - beating
    finally:
        stop(*workers)
        if waiting.poll() is None:
            waiting.kill()
            waiting.wait()
    starts = scalar(url, "SELECT count(*) FROM procrastinate_events WHERE type = 'started'")
    # each registration after the first two is a worker that exited and came back
    registered = scalar(url, "SELECT last_value FROM procrastinate_workers_id_seq")
    first_after = scalar_text(
        url,
        "SELECT extract(epoch FROM min(finished_at) - :back)::text FROM sfia_queue_items"
        " WHERE finished_at > :back",
        back=back_at,
    )
    print(
        f"\noutage figures: {REPORTS} reports, {starts} job starts, {registered} worker"
        f" registrations; {left} reports left when PostgreSQL was back after {OUTAGE_S:.0f} s;"
        f" the first of them stored {float(first_after):.1f} s later, the batch finished"
        f" {finished_after:.1f} s later\n{stderr}"
    )
    assert waiting.returncode == 0, stderr
    assert f"{REPORTS} report(s) written" in stderr and "0 failed" in stderr, stderr
    assert len(list(out.glob("*.pdf"))) == REPORTS
    # every report stored once (a finished item is never written again)
    assert scalar(url, "SELECT count(*) FROM sfia_queue_items WHERE status = 'done'") == REPORTS
    assert scalar(url, "SELECT max(attempts) FROM sfia_queue_items") == 1
    assert all(alive), "a worker process stopped for good during the outage"
    assert (beating, silent) == (2, 0)
    assert starts <= REPORTS + (registered - 2), (starts, registered)
    # the work goes on at once when the database is back, and the rest at the workers' pace
    assert float(first_after) < 10
    assert finished_after < 60


def test_a_waiting_batch_gives_up_after_the_stated_wait_and_says_how_to_resume(
    tmp_path: Path, own_server: OwnServer
) -> None:
    url = own_server.url
    folder = people(tmp_path / "team", 2)
    out = tmp_path / "reports"
    waiting = subprocess.Popen(
        [*CLI, "batch", str(folder), "--queue", url, "-o", str(out), "--format", "json"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SFIA_ASSESS_QUEUE_WAIT": "3"},
    )
    try:
        # no worker yet: the batch is queued and waits
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if out.exists() and count(url, "SELECT count(*) FROM sfia_queue_items") == 2:
                break
            time.sleep(0.1)
        else:
            pytest.fail("the batch was not queued")
        own_server.stop("fast")
        stopped = time.monotonic()
        _, stderr = waiting.communicate(timeout=60)
        gave_up_after = time.monotonic() - stopped
    finally:
        if waiting.poll() is None:
            waiting.kill()
            waiting.wait()
    print(f"\ngave up {gave_up_after:.1f} s after the server stopped:\n{stderr}")
    assert waiting.returncode == 1, stderr
    assert "Traceback" not in stderr
    batch_id = stderr.split()[1]
    assert "stopped waiting after $SFIA_ASSESS_QUEUE_WAIT=3 s" in stderr, stderr
    assert f"Batch {batch_id} stays in the queue" in stderr
    command = stderr.split("`")[1]
    port = url.split(":")[-1].split("/")[0]
    assert command == (
        f"sfia-assess batch-collect {batch_id} --queue"
        f" postgresql://postgres@127.0.0.1:{port}/postgres -o {out}"
    )
    assert 3 <= gave_up_after < 20
    # the command takes the batch up again once the database is back
    own_server.start()
    one = worker(url)
    try:
        resumed = subprocess.run(
            [*CLI, *command.split()[1:]], capture_output=True, text=True, timeout=90
        )
    finally:
        stop(one)
    assert resumed.returncode == 0, resumed.stderr
    assert "2 report(s) written" in resumed.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "person-00.json",
        "person-01.json",
        "summary.csv",
    ]

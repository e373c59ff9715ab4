"""Batch across machines through the PostgreSQL job queue, on a real server and real workers.

Skips without a server outside CI; fails in CI (the pg_server_url fixture).
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from .queueing import CLI, cli, people, scalar, stop, worker

_numbers = iter(range(1, 1_000_000))


@pytest.fixture
def queue_url(pg_server_url: str | None) -> Iterator[str]:
    if pg_server_url is None:
        pytest.skip("no PostgreSQL server could be started (set SFIA_ASSESS_TEST_PG)")
    name = f"sfia_queue_{os.getpid()}_{next(_numbers)}"
    admin = sa.create_engine(pg_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(pg_server_url).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_worker_killed_mid_job_loses_nothing_and_duplicates_nothing(
    tmp_path: Path, queue_url: str
) -> None:
    folder = people(tmp_path / "team", 40)
    out = tmp_path / "reports"
    queued = cli("batch", str(folder), "--queue", queue_url, "--no-wait", "-o", str(out))
    assert queued.returncode == 0, queued.stderr
    batch_id = queued.stdout.strip()
    first, second = worker(queue_url), worker(queue_url)
    third = None
    try:
        deadline = time.monotonic() + 40
        # kill one worker while both are in the middle of a report, after a few are done
        while time.monotonic() < deadline:
            done = scalar(queue_url, "SELECT count(*) FROM sfia_queue_items WHERE status='done'")
            busy = scalar(queue_url, "SELECT count(*) FROM procrastinate_jobs WHERE status='doing'")
            if done >= 4 and busy == 2:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the workers did not get going")
        first.send_signal(signal.SIGKILL)
        first.wait()
        third = worker(queue_url)
        collected = cli("batch-collect", batch_id, "--queue", queue_url, "-o", str(out), timeout=90)
    finally:
        stop(first, second, *([third] if third else []))
    assert collected.returncode == 0, collected.stderr
    assert "40 report(s) written" in collected.stderr
    assert "0 failed" in collected.stderr
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted([f"person-{n:02d}.pdf" for n in range(40)] + ["summary.csv"])
    rows = list(csv.DictReader((out / "summary.csv").read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 40
    assert sorted(r["file"] for r in rows) == [f"person-{n:02d}.pdf" for n in range(40)]
    assert all(r["error"] == "" for r in rows)
    # the killed worker's report was made again by another worker: a retried job
    assert scalar(queue_url, "SELECT count(*) FROM procrastinate_jobs WHERE attempts > 0") >= 1
    assert (
        scalar(queue_url, "SELECT count(*) FROM procrastinate_jobs WHERE status='succeeded'") == 40
    )
    status = cli("batch-status", batch_id, "--queue", queue_url)
    assert status.stdout.strip() == f"batch {batch_id}: 40 report(s), 40 done, 0 failed, 0 waiting"


def test_a_job_failing_three_times_is_reported_and_the_rest_finish(
    tmp_path: Path, queue_url: str
) -> None:
    folder = people(tmp_path / "team", 3)
    out = tmp_path / "reports"
    queued = cli(
        "batch", str(folder), "--queue", queue_url, "--no-wait", "-o", str(out), "--format", "text"
    )
    assert queued.returncode == 0, queued.stderr
    batch_id = queued.stdout.strip()
    # the bytes in the database are what a worker reads: spoil one of them after the check
    engine = sa.create_engine(queue_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE sfia_queue_items SET input = :bad WHERE source LIKE '%p01.yaml'"),
            {"bad": b"skill: [unclosed\n"},
        )
    engine.dispose()
    one = worker(queue_url)
    try:
        collected = cli("batch-collect", batch_id, "--queue", queue_url, "-o", str(out), timeout=60)
    finally:
        stop(one)
    assert collected.returncode == 1
    assert "p01.yaml" in collected.stderr
    assert "2 report(s) written" in collected.stderr and "1 failed" in collected.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "person-00.txt",
        "person-02.txt",
        "summary.csv",
    ]
    rows = {
        r["source"][-8:]: r
        for r in csv.DictReader((out / "summary.csv").read_text(encoding="utf-8").splitlines())
    }
    assert rows["p01.yaml"]["file"] == "" and rows["p01.yaml"]["error"]
    assert (
        scalar(queue_url, "SELECT attempts FROM sfia_queue_items WHERE source LIKE '%p01.yaml'")
        == 3
    )
    assert scalar(queue_url, "SELECT attempts FROM procrastinate_jobs WHERE status='failed'") == 3


def test_the_queue_needs_a_postgresql_url(tmp_path: Path) -> None:
    folder = people(tmp_path / "team", 1)
    for args in (
        ["worker"],
        ["batch", str(folder), "--queue", str(tmp_path / "q.sqlite3"), "-o", str(tmp_path / "o")],
        ["batch-status", "abc", "--queue", "not a url"],
    ):
        run = cli(*args)
        assert run.returncode == 1, args
        assert "Traceback" not in run.stderr
        assert "PostgreSQL" in run.stderr or "postgresql://" in run.stderr, run.stderr
    assert not (tmp_path / "o").exists()


def test_worker_processes_are_replaced_after_their_share_of_reports(
    tmp_path: Path, queue_url: str
) -> None:
    folder = people(tmp_path / "team", 7)
    out = tmp_path / "reports"
    queued = cli(
        "batch", str(folder), "--queue", queue_url, "--no-wait", "-o", str(out), "--format", "json"
    )
    assert queued.returncode == 0, queued.stderr
    one = subprocess.Popen(
        [*CLI, "worker", "--queue", queue_url, "--concurrency", "1", "--reports-per-process", "2"]
    )
    try:
        collected = cli(
            "batch-collect", queued.stdout.strip(), "--queue", queue_url, "-o", str(out), timeout=60
        )
    finally:
        stop(one)
    assert collected.returncode == 0, collected.stderr
    assert len(list(out.glob("*.json"))) == 7
    # each process stopped after two or three reports: at least three processes made them
    assert scalar(queue_url, "SELECT last_value FROM procrastinate_workers_id_seq") >= 3


def test_ctrl_c_while_waiting_says_how_to_collect_later(tmp_path: Path, queue_url: str) -> None:
    folder = people(tmp_path / "team", 2)
    out = tmp_path / "reports"
    waiting = subprocess.Popen(
        [*CLI, "batch", str(folder), "--queue", queue_url, "-o", str(out), "--format", "json"],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        engine = sa.create_engine(queue_url)
        with engine.connect() as connection:
            found = connection.execute(sa.text("SELECT to_regclass('sfia_queue_items')")).scalar()
            count = (
                found
                and connection.execute(sa.text("SELECT count(*) FROM sfia_queue_items")).scalar()
            )
        engine.dispose()
        if count == 2:
            break
        time.sleep(0.1)
    time.sleep(0.5)
    waiting.send_signal(signal.SIGINT)
    _, stderr = waiting.communicate(timeout=30)
    assert waiting.returncode == 130
    assert "Traceback" not in stderr
    assert "sfia-assess batch-collect" in stderr
    one = worker(queue_url)
    try:
        batch_id = stderr.split("batch-collect ")[1].split()[0]
        collected = cli("batch-collect", batch_id, "--queue", queue_url, "-o", str(out))
    finally:
        stop(one)
    assert collected.returncode == 0, collected.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "person-00.json",
        "person-01.json",
        "summary.csv",
    ]


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--jobs", "2"], "--jobs"),
        (["--skills-dir", str(Path("examples") / "skills")], "--skills-dir"),
    ],
)
def test_local_only_options_are_refused_with_queue(
    tmp_path: Path, extra: list[str], named: str
) -> None:
    folder = people(tmp_path / "team", 1)
    run = cli(
        "batch",
        str(folder),
        "--queue",
        "postgresql://nobody@127.0.0.1:9/none",
        "-o",
        str(tmp_path / "o"),
        *extra,
    )
    assert run.returncode == 2, run.stderr
    assert named in run.stderr and "--queue" in run.stderr
    assert not (tmp_path / "o").exists()


def test_an_unreachable_queue_is_one_sentence_and_nothing_written(tmp_path: Path) -> None:
    folder = people(tmp_path / "team", 1)
    down = "postgresql://nobody:secret@127.0.0.1:9/none"
    for args in (
        ["worker", "--queue", down, "--concurrency", "1"],
        ["batch", str(folder), "--queue", down, "-o", str(tmp_path / "o")],
        ["batch-collect", "abc", "--queue", down, "-o", str(tmp_path / "o")],
    ):
        run = cli(*args, timeout=60)
        assert run.returncode == 1, args
        assert "the queue database cannot be used" in run.stderr
        assert "Traceback" not in run.stderr and "secret" not in run.stderr
    assert not (tmp_path / "o").exists()


def test_the_queue_pairs_reviews_and_writes_the_local_batch_summary(
    tmp_path: Path, queue_url: str
) -> None:
    local, queued = tmp_path / "local", tmp_path / "queued"
    made = cli("batch", "examples", "-o", str(local), "--format", "json")
    assert made.returncode == 0, made.stderr
    first = worker(queue_url)
    try:
        got = cli("batch", "examples", "--queue", queue_url, "-o", str(queued), "--format", "json")
    finally:
        stop(first)
    assert got.returncode == 0, got.stderr
    assert sorted(p.name for p in queued.iterdir()) == sorted(p.name for p in local.iterdir())

    def rows(folder: Path) -> list[dict[str, str]]:
        text = (folder / "summary.csv").read_text(encoding="utf-8")
        return list(csv.DictReader(text.splitlines()))

    assert rows(queued) == rows(local)
    priya = next(r for r in rows(queued) if r["person"] == "Priya Nair")
    assert (priya["agreed_level"], priya["review"]) == ("3", "examples/priya-nair-manager.yaml")
    record = json.loads((queued / "priya-nair.json").read_text(encoding="utf-8"))
    assert (record["kind"], record["agreed_level"]) == ("review", 3)


def test_an_items_table_from_an_older_version_gets_the_review_columns(queue_url: str) -> None:
    from sfia_assess.jobqueue import schema

    db = schema.engine(queue_url)
    try:
        with db.begin() as connection:
            connection.execute(
                sa.text("CREATE TABLE sfia_queue_batches (id varchar(32) PRIMARY KEY)")
            )
            connection.execute(
                sa.text("CREATE TABLE sfia_queue_items (id serial PRIMARY KEY, input bytea)")
            )
        schema.ensure_schema(db)
        columns = {c["name"] for c in sa.inspect(db).get_columns("sfia_queue_items")}
    finally:
        db.dispose()
    assert {"review_input", "review_source"} <= columns


@pytest.mark.slow
def test_a_worker_whose_connections_are_cut_listens_and_beats_again(
    tmp_path: Path, queue_url: str
) -> None:
    one = worker(queue_url)
    engine = sa.create_engine(queue_url, poolclass=sa.pool.NullPool)

    def listening() -> set[int]:
        with engine.connect() as connection:
            found = connection.execute(
                sa.text(
                    "SELECT pid FROM pg_stat_activity"
                    " WHERE datname = current_database() AND query ILIKE 'LISTEN %'"
                )
            )
            return set(found.scalars())

    try:
        deadline = time.monotonic() + 30
        while not listening() and time.monotonic() < deadline:
            time.sleep(0.1)
        cut = listening()
        assert cut, "the worker never listened"
        # every connection of the worker's is cut, and new ones refused for a few seconds
        name = sa.engine.make_url(queue_url).database
        admin = sa.create_engine(
            sa.engine.make_url(queue_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as connection:
            connection.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            connection.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"
                ),
                {"name": name},
            )
            time.sleep(4)
            connection.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
        deadline = time.monotonic() + 15  # longer than a silence that is taken for dead
        while time.monotonic() < deadline:
            silent = scalar(
                queue_url,
                "SELECT count(*) FROM procrastinate_workers"
                " WHERE last_heartbeat < now() - interval '8 seconds'",
            )
            assert silent == 0, "a registration of the worker's stopped beating"
            time.sleep(1)
        beating = "SELECT count(*) FROM procrastinate_workers WHERE last_heartbeat > now() - interval '4s'"
        assert scalar(queue_url, beating) == 1, "the worker's heartbeat stopped"
        assert listening() - cut, "the worker did not listen again"
        folder = people(tmp_path / "team", 3)
        out = tmp_path / "reports"
        made = cli("batch", str(folder), "--queue", queue_url, "-o", str(out), "--format", "json")
    finally:
        stop(one)
        engine.dispose()
    assert made.returncode == 0, made.stderr
    assert len(list(out.glob("*.json"))) == 3
    assert (
        scalar(queue_url, "SELECT count(*) FROM procrastinate_events WHERE type = 'started'") == 3
    )

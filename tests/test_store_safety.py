"""The store under stress: writers at once, a crash mid-record, a migration from the first schema.

Each test runs on SQLite and on a real PostgreSQL server (see `store_url` in conftest.py).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner

from sfia_assess.cli.main import cli
from sfia_assess.core.catalog import Catalog
from sfia_assess.core.policy import default_policy
from sfia_assess.store.database import open_engine, writing
from sfia_assess.store.record import check_files, record_checked
from sfia_assess.store.schema import upgrade

from .conftest import EXAMPLES, ROOT
from .data.make_team import make_team


def count(url: str, table: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text(f"select count(*) from {table}")).scalar_one())
    finally:
        engine.dispose()


def test_four_processes_recording_at_once_all_succeed_and_duplicate_nothing(
    store_url: str, tmp_path: Path
) -> None:
    files = make_team(tmp_path / "team", 40)
    shared = EXAMPLES / "sam-lee-analyst.yaml"  # every process also records this one file
    commands = [
        [sys.executable, "-m", "sfia_assess", "record", str(shared), *map(str, files[i::4])]
        for i in range(4)
    ]
    # The database does not exist yet: the first to arrive creates the schema, the others wait.
    procs = [
        subprocess.Popen(
            [*c, "--db", store_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for c in commands
    ]
    outcomes = [p.communicate(timeout=120) for p in procs]
    for proc, (_, err) in zip(procs, outcomes, strict=True):
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    assert count(store_url, "assessments") == 41
    assert count(store_url, "people") == len(_names(files) | {"Sam Lee"})
    already = sum(out.count("sam-lee-analyst.yaml: already recorded") for out, _ in outcomes)
    assert already == 3


def test_a_new_store_opened_while_another_process_writes_waits_instead_of_failing(
    tmp_path: Path,
) -> None:
    # Switching a file to WAL does not wait for SQLite's busy timeout: while another process
    # held the write lock, opening the store failed at once with "database is locked" (CI saw it
    # when four `record` processes created one store together).
    path = tmp_path / "history.sqlite3"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE t (x)")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t VALUES (1)")
    threading.Timer(0.5, lambda: other.execute("COMMIT")).start()
    engine = open_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    finally:
        engine.dispose()
        time.sleep(0.6)
        other.close()
    assert mode == "wal"


def _names(files: list[Path]) -> set[str]:
    return {yaml.safe_load(f.read_text("utf-8"))["subject"]["name"] for f in files}


CRASH = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from sfia_assess.core.catalog import Catalog
    from sfia_assess.core.policy import default_policy
    from sfia_assess.store import open_store, writing
    from sfia_assess.store.record import check_files, record_checked

    catalog, policy = Catalog(), default_policy()
    good, _ = check_files([Path(p) for p in sys.argv[2:]], catalog, policy)

    def work(session):
        record_checked(session, good, catalog, policy, actor="test")
        session.flush()
        print("written, not committed", flush=True)
        time.sleep(60)

    with open_store(sys.argv[1]) as engine:
        writing(engine, work)
    """
)


def test_a_crash_mid_record_leaves_the_database_as_it_was(
    store_url: str, runner: CliRunner
) -> None:
    assert runner.invoke(cli, ["record", str(EXAMPLES / "sam-lee-analyst.yaml"), "--db", store_url])
    before = count(store_url, "assessments"), count(store_url, "events")
    files = [str(p) for p in sorted(EXAMPLES.glob("*.yaml"))]
    proc = subprocess.Popen(
        [sys.executable, "-c", CRASH, store_url, *files],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == "written, not committed\n", proc.stderr
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    assert proc.stderr is not None
    proc.stderr.close()
    assert (count(store_url, "assessments"), count(store_url, "events")) == before
    # ... and the store is still usable: the files record cleanly afterwards.
    result = runner.invoke(cli, ["record", str(EXAMPLES), "--db", store_url])
    assert result.exit_code == 0, result.stderr
    assert count(store_url, "assessments") == len(files)


def test_an_error_inside_the_transaction_stores_nothing(store_url: str) -> None:
    catalog, policy = Catalog(), default_policy()
    good, bad = check_files(sorted(EXAMPLES.glob("*.yaml")), catalog, policy)
    assert not bad
    engine = open_engine(store_url)
    upgrade(engine)

    def work(session: sa.orm.Session) -> None:
        record_checked(session, good, catalog, policy, actor="test")
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        writing(engine, work)
    engine.dispose()
    assert count(store_url, "assessments") == 0
    assert count(store_url, "people") == 0


def _fill_as_of_0001(url: str, tmp_path: Path) -> None:
    """Rows as the first schema holds them: the examples recorded by today's code into a
    scratch store, copied column by column into the tables migration 0001 made."""
    scratch = f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
    assert CliRunner().invoke(cli, ["record", str(EXAMPLES), "--db", scratch]).exit_code == 0
    source, target = sa.create_engine(scratch), sa.create_engine(url)
    old, new = sa.MetaData(), sa.MetaData()
    with source.connect() as reader, target.begin() as writer:
        old.reflect(writer)
        new.reflect(reader)
        for name in ("people", "assessments", "results", "reviews", "events"):
            table = old.tables[name]
            query = new.tables[name].select().order_by(new.tables[name].c.id)
            rows = [
                {c.name: row[c.name] for c in table.columns}
                for row in reader.execute(query).mappings()
            ]
            for row in rows:
                for column in table.columns:
                    if isinstance(column.type, sa.JSON) and isinstance(row[column.name], str):
                        row[column.name] = json.loads(row[column.name])
            writer.execute(table.insert(), rows)
            if writer.dialect.name == "postgresql":
                writer.execute(
                    sa.text(f"select setval(pg_get_serial_sequence('{name}', 'id'), :n)"),
                    {"n": len(rows)},
                )
    source.dispose()
    target.dispose()


def test_db_upgrade_from_the_first_schema_keeps_every_row(
    store_url: str, runner: CliRunner, tmp_path: Path
) -> None:
    engine = open_engine(store_url)
    assert upgrade(engine, "0001") == (None, "0001")
    engine.dispose()
    _fill_as_of_0001(store_url, tmp_path)
    tables = ("people", "assessments", "results", "reviews", "events")
    before = {t: count(store_url, t) for t in tables}
    assert before["assessments"] == 6 and before["reviews"] == 1

    # A command that needs the newer schema says so, and changes nothing.
    result = runner.invoke(cli, ["history", "Priya Nair", "--db", store_url])
    assert result.exit_code == 1
    assert "the database schema is at revision 0001, this sfia-assess needs 0006; run" in (
        result.stderr
    )

    result = runner.invoke(cli, ["db", "upgrade", "--db", store_url])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith(": schema 0001 -> 0006\n")
    assert {t: count(store_url, t) for t in tables} == before
    assert count(store_url, "attachments") == 0
    result = runner.invoke(cli, ["history", "Priya Nair", "--db", store_url])
    assert result.exit_code == 0
    assert "Daniel Okafor  agreed" in result.stdout

    result = runner.invoke(cli, ["db", "upgrade", "--db", store_url])
    assert result.stdout.endswith(": schema already at revision 0006\n")
    result = runner.invoke(cli, ["db", "status", "--db", store_url])
    assert "schema:   revision 0006 (current)\n" in result.stdout
    assert "assessments:  6\n" in result.stdout


def test_the_head_revision_the_commands_expect_is_the_newest_migration() -> None:
    from sfia_assess.store.schema import HEAD, head

    assert head() == HEAD


def test_the_migrations_build_exactly_the_schema_the_models_describe(store_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from sfia_assess.store.models import Base

    engine = open_engine(store_url)
    upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_four_corrections_of_one_assessment_at_once_become_versions_1_to_4(
    store_url: str, tmp_path: Path, runner: CliRunner
) -> None:
    assert runner.invoke(cli, ["db", "upgrade", "--db", store_url]).exit_code == 0
    original = (EXAMPLES / "sam-lee-analyst.yaml").read_bytes()
    files = []
    for i in range(4):
        path = tmp_path / f"sam-{i}.yaml"
        path.write_bytes(original + f"# correction {i}\n".encode())
        files.append(path)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "sfia_assess", "record", str(f), "--db", store_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for f in files
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    engine = sa.create_engine(store_url)
    with engine.connect() as connection:
        versions = connection.execute(
            sa.text("select version from assessments order by version")
        ).scalars()
        assert list(versions) == [1, 2, 3, 4]
    engine.dispose()

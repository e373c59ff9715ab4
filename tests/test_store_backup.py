"""`db backup`, `db restore` and `db copy`: every table, on SQLite and PostgreSQL, and back.

The round trip SQLite -> file -> PostgreSQL -> file -> SQLite runs while another process
records into the SQLite store: the backup is one moment of it, and every table comes back row
for row, accounts, the trail, the audit log and attachments included.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from sfia_assess.cli.main import cli
from sfia_assess.store.schema import HEAD

from .conftest import EXAMPLES, ROOT
from .data.make_team import make_team

STORES = Path(__file__).resolve().parent / "data" / "stores"
TABLES = (
    "people",
    "assessments",
    "results",
    "reviews",
    "events",
    "attachments",
    "accounts",
    "audit",
    "sign_offs",
    "server_secrets",
    "sessions",
    "sign_in_limits",
    "kept_forms",
)


def table_rows(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every store table, by id; times as instants in UTC."""
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine, only=list(TABLES))
    found = {}
    with engine.connect() as connection:
        for name in TABLES:
            table = meta.tables[name]
            found[name] = [
                {key: _utc(value) for key, value in row._mapping.items()}
                for row in connection.execute(sa.select(table).order_by(*table.primary_key.columns))
            ]
    engine.dispose()
    return found


def _utc(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def filled_store(folder: Path) -> str:
    """A store made by an earlier release (drafts, submissions, a sign-off, accounts, the audit
    log, an attachment), brought to this schema."""
    path = folder / "pilot.sqlite3"
    shutil.copyfile(STORES / "made-by-ab4fdf2.sqlite3", path)
    url = f"sqlite:///{path}"
    assert CliRunner().invoke(cli, ["db", "upgrade", "--db", url]).exit_code == 0
    engine = sa.create_engine(url)
    with engine.begin() as connection:  # the tables keyed by random text, not by a number
        for statement in (
            "insert into sessions values ('s-1', 'priya nair', 2000000000.0, 0)",
            "insert into kept_forms values ('k-1', 'priya nair', x'61', 1.0)",
            "insert into drafts values ('priya nair', 'USUP', x'7b7d', 1.0)",
            "insert into sign_in_links values ('ab12', 'priya nair', 'Ann', 2.0, null)",
        ):
            connection.execute(sa.text(statement))
    engine.dispose()
    return url


@pytest.fixture
def pg_url(pg_server_url: str | None) -> Iterator[str]:
    """A new, empty PostgreSQL database."""
    if pg_server_url is None:
        pytest.skip("no PostgreSQL server could be started (set SFIA_ASSESS_TEST_PG)")
    admin = sa.create_engine(pg_server_url, isolation_level="AUTOCOMMIT")
    name = f"sfia_backup_{os.getpid()}_{time.monotonic_ns()}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(pg_server_url).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


RECORDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from sfia_assess.core.catalog import Catalog
    from sfia_assess.core.policy import default_policy
    from sfia_assess.store.record import record_paths

    url, stop = sys.argv[1], Path(sys.argv[2])
    catalog, policy = Catalog.default(), default_policy()
    for path in sys.argv[3:]:
        if stop.exists():
            break
        record_paths(url, [Path(path)], catalog, policy, actor="Busy Bea")
        print(path, flush=True)
    """
)


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def body_sha(path: Path) -> str:
    with gzip.open(path, "rb") as packed:
        return str(json.loads(packed.readline())["sha256"])


@pytest.mark.postgres
@pytest.mark.slow
def test_sqlite_to_postgresql_to_sqlite_keeps_every_row_while_another_process_records(
    tmp_path: Path, pg_url: str
) -> None:
    source = filled_store(tmp_path)
    team = make_team(tmp_path / "team", 60)
    stop = tmp_path / "stop"
    recorder = subprocess.Popen(
        [sys.executable, "-c", RECORDER, source, str(stop), *map(str, team)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert recorder.stdout is not None
        for _ in range(5):  # the recorder is under way
            assert recorder.stdout.readline()
        first = tmp_path / "first.backup.gz"
        invoke("db", "backup", "-o", str(first), "--db", source)
        for _ in range(3):  # and still writing after the backup
            assert recorder.stdout.readline()
    finally:
        stop.touch()
        recorder.communicate(timeout=120)
    assert recorder.returncode == 0

    invoke("db", "restore", str(first), "--db", pg_url)
    second = tmp_path / "second.backup.gz"
    invoke("db", "backup", "-o", str(second), "--db", pg_url)
    back = f"sqlite:///{tmp_path / 'back.sqlite3'}"
    invoke("db", "restore", str(second), "--db", back)
    third = tmp_path / "third.backup.gz"
    invoke("db", "backup", "-o", str(third), "--db", back)

    # The same rows, written the same way, whichever database they came from.
    assert body_sha(first) == body_sha(second) == body_sha(third)
    on_pg, on_sqlite = table_rows(pg_url), table_rows(back)
    assert on_pg == on_sqlite
    # One moment of the source: its rows then (rows are only ever added), nothing half-written.
    now = table_rows(source)
    assert len(now["assessments"]) > len(on_pg["assessments"]) > 7
    for name, rows in on_pg.items():
        assert rows == now[name][: len(rows)], name
    kept = {row["assessment_id"] for row in on_pg["results"]}
    assert kept == {row["id"] for row in on_pg["assessments"]}
    assert {row["kind"] for row in on_pg["events"]} >= {"drafted", "submitted", "signed-off"}
    assert len(on_pg["accounts"]) == 2 and len(on_pg["audit"]) == 1
    assert on_pg["attachments"][0]["content"] == bytes(range(256)) * 4
    assert on_pg["accounts"][0]["disabled"] is False

    # export --all: byte for byte the same files from either store.
    for url, out in ((pg_url, tmp_path / "from-pg"), (back, tmp_path / "from-sqlite")):
        invoke("export", "--all", "-o", str(out), "--db", url)
    pg_files = sorted(
        p.relative_to(tmp_path / "from-pg") for p in (tmp_path / "from-pg").rglob("*")
    )
    sqlite_files = sorted(
        p.relative_to(tmp_path / "from-sqlite") for p in (tmp_path / "from-sqlite").rglob("*")
    )
    assert pg_files == sqlite_files and len(pg_files) > 7
    for name in pg_files:
        a, b = tmp_path / "from-pg" / name, tmp_path / "from-sqlite" / name
        assert a.is_dir() or a.read_bytes() == b.read_bytes(), name

    # PostgreSQL hands out the next ids after the restored ones.
    extra = tmp_path / "extra.yaml"
    extra.write_bytes((EXAMPLES / "sam-lee-analyst.yaml").read_bytes() + b"\n# after restore\n")
    invoke("record", str(extra), "--db", pg_url)
    invoke("users", "list", "--db", pg_url)
    history = invoke("history", "Priya Nair", "--db", pg_url)
    assert "signed-off" in history


def test_db_copy_moves_a_store_with_every_row(store_url: str, tmp_path: Path) -> None:
    source = filled_store(tmp_path)
    out = invoke("db", "copy", "--from", source, "--to", store_url)
    # 36, the sign-off's sign_offs row, and a session, kept form, draft and sign-in link
    assert f"schema revision {HEAD}, 41 rows" in out
    assert table_rows(store_url) == table_rows(source)


def test_restore_refuses_a_store_that_holds_anything(store_url: str, tmp_path: Path) -> None:
    source = filled_store(tmp_path)
    backup = tmp_path / "b.gz"
    invoke("db", "backup", "-o", str(backup), "--db", source)
    invoke("record", str(EXAMPLES / "sam-lee-analyst.yaml"), "--db", store_url)
    before = table_rows(store_url)
    result = CliRunner().invoke(cli, ["db", "restore", str(backup), "--db", store_url])
    assert result.exit_code == 1
    assert "is not empty (1 people, 1 assessments, 1 results, 1 events); db restore only" in (
        result.stderr
    )
    assert table_rows(store_url) == before


def test_backup_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    source = filled_store(tmp_path)
    backup = tmp_path / "b.gz"
    backup.write_bytes(b"keep me")
    result = CliRunner().invoke(cli, ["db", "backup", "-o", str(backup), "--db", source])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {backup} already exists; use --force to overwrite it\n"
    assert backup.read_bytes() == b"keep me"
    invoke("db", "backup", "-o", str(backup), "--db", source, "--force")
    assert body_sha(backup)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def _rewrite(path: Path, change: Any) -> None:
    with gzip.open(path, "rb") as packed:
        lines = packed.read().splitlines(keepends=True)
    with gzip.open(path, "wb") as packed:
        packed.write(b"".join(change(lines)))


def test_restore_checks_the_file_first_and_restores_all_or_nothing(
    store_url: str, tmp_path: Path
) -> None:
    source = filled_store(tmp_path)
    good = tmp_path / "good.gz"
    invoke("db", "backup", "-o", str(good), "--db", source)

    def refused(path: Path) -> str:
        result = CliRunner().invoke(cli, ["db", "restore", str(path), "--db", store_url])
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        if store_url.startswith("sqlite"):  # not even the file is left
            assert not Path(store_url.removeprefix("sqlite:///")).exists()
        else:  # nothing, not even the schema
            engine = sa.create_engine(store_url)
            assert sa.inspect(engine).get_table_names() == []
            engine.dispose()
        return result.stderr

    changed = tmp_path / "changed.gz"
    shutil.copyfile(good, changed)
    _rewrite(changed, lambda lines: [lines[0], *(x.replace(b"Priya", b"Pria") for x in lines[1:])])
    assert "the checksum does not match its content: the file is damaged or was changed" in (
        refused(changed)
    )
    cut = tmp_path / "cut.gz"
    cut.write_bytes(good.read_bytes()[:-200])
    assert "is damaged (cut short or changed); nothing was restored" in refused(cut)
    assert "is not an sfia-assess backup" in refused(EXAMPLES / "sam-lee-analyst.yaml")

    newer = tmp_path / "newer.gz"
    shutil.copyfile(good, newer)
    _rewrite(newer, lambda lines: [lines[0].replace(f'"{HEAD}"'.encode(), b'"0099"'), *lines[1:]])
    assert "a newer sfia-assess made this store (schema revision 0099" in refused(newer)

    # A row the database refuses (the same id twice), checksum and all correct: nothing stays.
    twice = tmp_path / "twice.gz"
    shutil.copyfile(good, twice)

    def doubled(lines: list[bytes]) -> list[bytes]:
        import hashlib

        body = [*lines[1:], next(x for x in lines[1:] if b'"t":"people"' in x)]
        header = json.loads(lines[0])
        header["sha256"] = hashlib.sha256(b"".join(body)).hexdigest()
        header["rows"]["people"] += 1
        return [json.dumps(header).encode() + b"\n", *body]

    _rewrite(twice, doubled)
    message = refused(twice)
    assert (
        "the store refused a row of the backup (" in message and "nothing was restored\n" in message
    )

"""Every store an earlier release made upgrades with every row kept, and the shipped migrations
never change (a store made by an edited one would upgrade to "current" and then fail).

The fixture stores in tests/data/stores were made by the code of each earlier release (see the
README there). Each is upgraded as an SQLite file, and, copied table by table into a PostgreSQL
database at the same revision, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from sfia_assess.cli.main import cli
from sfia_assess.store.schema import HEAD

from .conftest import EXAMPLES, ROOT

VERSIONS = ROOT / "sfia_assess" / "store" / "migrations" / "versions"
STORES = Path(__file__).resolve().parent / "data" / "stores"

SHIPPED = {
    "0001_first.py": "a8d737eec3629c166ffc899789e8330976f5f91d044e6b2f298fb1079dd23b33",
    "0002_attachments.py": "ceae7fabeac5d9b637466327cf48353948d81a7ded898d25d2a97b5cad8e4443",
    "0003_accounts.py": "745620e502cffe08cced46fca0ae771297fd0bd2a128c447729eebc4db3742a8",
    "0004_repair_events.py": "c12c5e3f58cb114f879f59d93b7f47e448f775d218ed84149c2d1af2212f4b48",
    "0005_sessions.py": "b23eed314275dafe4345e38d8d714151c9e0ec0b1b328f373f35c016457ebcf1",
    "0006_people.py": "397757d0ac34bee7e56a635a73b93906b300c228d577486e52de51a4368c6c85",
}

# the commit that made the store -> the schema revision it carries
MADE_BY = {
    "2a746c2": "0002",
    "ae3015f": "0002",
    "0c4eec9": "0002",
    "d2abc4d": "0003",
    "ab4fdf2": "0004",
    "8364e79": "0005",
}


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_a_shipped_migration_is_never_edited(name: str) -> None:
    digest = hashlib.sha256((VERSIONS / name).read_bytes()).hexdigest()
    assert digest == SHIPPED[name], (
        f"{name}: a shipped migration is never edited: add a new revision"
    )


def test_every_migration_in_the_folder_is_either_shipped_or_newer() -> None:
    found = sorted(p.name for p in VERSIONS.glob("[0-9]*.py"))
    assert found[: len(SHIPPED)] == sorted(SHIPPED)


def test_there_is_a_store_made_by_each_earlier_revision() -> None:
    assert set(MADE_BY.values()) == {
        name[:4] for name in SHIPPED if name[:4] not in ("0001", HEAD)
    }  # 0001 alone never shipped: 2a746c2 shipped 0001 and 0002 together; the head is today's
    assert all((STORES / f"made-by-{commit}.sqlite3").is_file() for commit in MADE_BY)


def rows(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table (alembic_version aside), by primary key."""
    engine = sa.create_engine(url)
    try:
        meta = sa.MetaData()
        meta.reflect(engine)
        found: dict[str, list[dict[str, Any]]] = {}
        with engine.connect() as connection:
            for table in meta.sorted_tables:
                if table.name == "alembic_version":
                    continue
                result = connection.execute(sa.select(table).order_by(*table.primary_key.columns))
                found[table.name] = [_plain(dict(row._mapping)) for row in result]
        return found
    finally:
        engine.dispose()


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    # SQLite gives naive UTC datetimes and PostgreSQL aware ones; compare the instant in UTC.
    return {
        key: value.astimezone(dt.UTC).replace(tzinfo=None)
        if isinstance(value, dt.datetime) and value.tzinfo is not None
        else value
        for key, value in row.items()
    }


def _to_postgres(sqlite_url: str, pg_url: str) -> None:
    """The old store's tables, exactly as its release created them, on PostgreSQL."""
    source = sa.create_engine(sqlite_url)
    target = sa.create_engine(pg_url)
    meta = sa.MetaData()

    @sa.event.listens_for(meta, "column_reflect")
    def generic(_inspector: Any, _table: Any, column: dict[str, Any]) -> None:
        column["type"] = column["type"].as_generic()
        if isinstance(column["type"], sa.DateTime):
            column["type"] = sa.DateTime(timezone=True)

    meta.reflect(source)
    meta.create_all(target)
    with source.connect() as reading, target.begin() as writing:
        for table in meta.sorted_tables:
            data = [dict(row._mapping) for row in reading.execute(sa.select(table))]
            if data:
                writing.execute(table.insert(), data)
            if "id" in table.c and isinstance(table.c.id.type, sa.Integer):
                writing.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"
                        f" (SELECT coalesce(max(id), 1) FROM {table.name}))"
                    )
                )
    source.dispose()
    target.dispose()


@pytest.mark.parametrize("commit", sorted(MADE_BY))
def test_a_store_made_by_an_earlier_release_upgrades_with_every_row_and_works(
    commit: str, store_url: str, tmp_path: Path, runner: CliRunner
) -> None:
    copy = tmp_path / f"made-by-{commit}.sqlite3"
    shutil.copyfile(STORES / f"made-by-{commit}.sqlite3", copy)
    if store_url.startswith("sqlite"):
        url = f"sqlite:///{copy}"
    else:
        _to_postgres(f"sqlite:///{copy}", store_url)
        url = store_url
    before = rows(url)
    assert len(before["assessments"]) == 6 + (commit not in ("2a746c2", "ae3015f"))

    result = runner.invoke(cli, ["db", "upgrade", "--db", url])
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(f" -> {HEAD}\n") or result.stdout.endswith(
        f"schema already at revision {HEAD}\n"
    )
    after = rows(url)
    for table, old in before.items():
        assert len(after[table]) == len(old), table
        for was, now in zip(old, after[table], strict=True):
            assert {key: now[key] for key in was} == was, table  # every old value kept

    status = runner.invoke(cli, ["db", "status", "--db", url])
    assert status.exit_code == 0
    assert f"schema:   revision {HEAD} (current)\n" in status.stdout
    history = runner.invoke(cli, ["history", "Priya Nair", "--db", url])
    assert history.exit_code == 0, history.output
    assert "Daniel Okafor" in history.stdout
    if commit not in ("2a746c2", "ae3015f"):
        assert "signed-off" in history.stdout
    team = runner.invoke(cli, ["team", "--db", url])
    assert team.exit_code == 0, team.output
    assert "Priya Nair" in team.stdout
    out = tmp_path / "export"
    export = runner.invoke(cli, ["export", "--all", "-o", str(out), "--db", url])
    assert export.exit_code == 0, export.output
    exported = sorted(path.read_bytes() for path in out.glob("*.yaml"))
    assert exported == sorted(row["content"] for row in before["assessments"])
    changed = (EXAMPLES / "sam-lee-analyst.yaml").read_bytes() + b"\n# corrected after upgrade\n"
    new_file = tmp_path / "sam-lee-analyst.yaml"
    new_file.write_bytes(changed)
    record = runner.invoke(cli, ["record", str(new_file), "--db", url])
    assert record.exit_code == 0, record.output
    assert len(rows(url)["assessments"]) == len(before["assessments"]) + 1

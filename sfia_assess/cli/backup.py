"""`db backup`, `db restore` and `db copy`: the whole store in one file, and back, on SQLite or
PostgreSQL (the commands only parse options; store/backup.py does the work)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ..store.backup import Done

_DB_HELP = "The store: a database URL or an SQLite file path; also $SFIA_ASSESS_DB."


def _said(done: Done) -> str:
    rows = ", ".join(f"{count} {table}" for table, count in done.header.rows.items())
    return (
        f"schema revision {done.header.revision}, {done.total:,} rows ({rows}),"
        f" {done.size:,} bytes, sha256 {done.header.sha256[:12]}"
    )


@click.command("backup")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="The backup file to write (gzip JSON lines; e.g. sfia.backup.gz).",
)
@click.option("--db", "db", metavar="URL", help=_DB_HELP)
@click.option("--force", is_flag=True, help="Replace the backup file if it exists.")
def db_backup(output: Path, db: str | None, force: bool) -> None:
    """Write every table of the store to one checksummed file: assessments, results, reviews,
    the trail, accounts, the audit log and attachments.

    The backup is one consistent moment of the store, also while others record; the file is
    written atomically. Restore it with `db restore`, into SQLite or PostgreSQL.

    \b
    Example:
        sfia-assess db backup -o sfia-2026-12-04.backup.gz
        sfia-assess db backup -o sfia.backup.gz --db postgresql+psycopg://me@db/sfia
    """
    from ..store import open_store
    from ..store.backup import backup

    with open_store(db, create=False, existing=True, read_only=True) as engine:
        done = backup(engine, output, force=force)
    click.echo(f"{output}: {_said(done)}")


@click.command("restore")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--db", "db", metavar="URL", required=True, help="The empty store to fill.")
def db_restore(file: Path, db: str) -> None:
    """Fill an empty store from a `db backup` file: every row as it was, ids, times, accounts,
    the audit log and attachments included.

    The file's checksum and schema revision are checked first; a store that holds anything is
    refused; all of it is restored, or nothing.

    \b
    Example:
        sfia-assess db restore sfia.backup.gz --db postgresql+psycopg://me@db/sfia
        sfia-assess db restore sfia.backup.gz --db restored.sqlite3
    """
    from ..store import open_store
    from ..store.backup import restore
    from ..store.database import database_url, shown

    with open_store(db, create=False) as engine:
        done = restore(file, engine)
    click.echo(f"{shown(database_url(db))}: restored from {file}: {_said(done)}")


@click.command("copy")
@click.option("--from", "source", metavar="URL", required=True, help="The store to copy.")
@click.option("--to", "target", metavar="URL", required=True, help="The empty store to fill.")
def db_copy(source: str, target: str) -> None:
    """Copy every table of one store into another, empty one (e.g. a pilot's SQLite file into
    PostgreSQL), as `db backup` then `db restore` would.

    \b
    Example:
        sfia-assess db copy --from history.sqlite3 --to postgresql+psycopg://me@db/sfia
    """
    from ..store import open_store
    from ..store.backup import copy
    from ..store.database import database_url, shown

    with (
        open_store(source, create=False, existing=True, read_only=True) as reading,
        open_store(target, create=False) as writing,
    ):
        done = copy(reading, writing)
    click.echo(f"{shown(database_url(target))}: copied from {shown(database_url(source))}:")
    click.echo(f"  {_said(done)}")


def add_backup_commands(group: click.Group) -> None:
    for command in (db_backup, db_restore, db_copy):
        group.add_command(command)

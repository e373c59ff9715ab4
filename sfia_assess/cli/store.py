"""Commands over the history store: `db upgrade|status`, `record`, `history`, `export`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import SfiaAssessError
from ..files.printable import printable
from .options import (
    catalog_from,
    db_option,
    format_option,
    output_option,
    paper_option,
    policy_from,
    policy_option,
    skills_dir_option,
)
from .output import needs_output, show

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@click.group("db")
def db_group() -> None:
    """Create, migrate and inspect the history store.

    \b
    Example:
        sfia-assess db upgrade --db postgresql+psycopg://me@localhost/sfia
        sfia-assess db status
    """


@db_group.command("upgrade")
@db_option
def db_upgrade(db: str | None) -> None:
    """Create the store's tables, or migrate an older store forward (every row is kept).

    \b
    Example:
        sfia-assess db upgrade --db history.sqlite3
    """
    from ..store import open_store
    from ..store.database import database_url, shown, translated
    from ..store.schema import upgrade

    url = database_url(db)
    with open_store(db, create=False) as engine, translated(engine):
        before, after = upgrade(engine)
    if before == after:
        click.echo(f"{shown(url)}: schema already at revision {after}")
    else:
        click.echo(f"{shown(url)}: schema {before or 'none'} -> {after}")


@db_group.command("status")
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def db_status(db: str | None, fmt: str) -> None:
    """Show where the store is, its schema revision, and how many rows it holds.

    \b
    Example:
        sfia-assess db status
    """
    import dataclasses

    from ..reports.json import dumps
    from ..store import open_store
    from ..store.database import database_url, shown, store_file, translated
    from ..store.schema import HEAD, Status, status

    url = database_url(db)
    missing = store_file(url)
    if missing is not None and not missing.exists():  # looking must not create an empty store
        found = Status(shown(url), None, HEAD, {})
    else:
        with open_store(db, create=False, read_only=True) as engine, translated(engine):
            found = status(engine)
    if fmt == "json":
        click.echo(dumps({**dataclasses.asdict(found), "current": found.current}), nl=False)
        return
    click.echo(f"database: {found.url}")
    if found.revision is None:
        click.echo("schema:   none yet (`sfia-assess db upgrade` creates it)")
    else:
        state = "current" if found.current else f"behind {found.head}: run `sfia-assess db upgrade`"
        click.echo(f"schema:   revision {found.revision} ({state})")
        for table, count in found.counts.items():
            click.echo(f"{table + ':':<13} {count}")


@click.command("record")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
@click.option("--as", "actor", help="Who is recording, for the trail (default: your user name).")
@policy_option
@skills_dir_option
def record_command(
    paths: tuple[Path, ...],
    db: str | None,
    actor: str | None,
    policy_file: Path | None,
    skills_dirs: tuple[Path, ...],
) -> None:
    """Check assessment files and add them to the history store, in one transaction.

    A manager's review is paired with the self-assessment it reviews and the agreed level kept.
    The same bytes twice are recorded once; a corrected file becomes the next version. A bad
    file is reported as `validate` reports it and nothing of it is stored (exit 1).

    \b
    Example:
        sfia-assess record examples/
        sfia-assess record me.yaml review.yaml --db postgresql+psycopg://me@db/sfia
    """
    from ..store.record import record_paths

    catalog = catalog_from(skills_dirs)
    policy = policy_from(policy_file)
    done, bad = record_paths(db, paths, catalog, policy, actor=actor)
    for failed in bad:
        click.echo(failed.message, err=True)
    for item in done:
        click.echo(item.message)
    added = sum(1 for item in done if item.status == "recorded")
    click.echo(
        f"{added} recorded, {len(done) - added} already recorded, {len(bad)} failed", err=True
    )
    if bad:
        raise click.exceptions.Exit(1)


@click.command("history")
@click.argument("person", required=False)
@click.option("--list", "list_people", is_flag=True, help="List everyone recorded.")
@db_option
@format_option("sfia_assess.reports.history:RENDERERS")
@paper_option
@output_option
def history_command(
    person: str | None,
    list_people: bool,
    db: str | None,
    fmt: str,
    paper: str,
    output: Path | None,
    force: bool,
) -> None:
    """Show every recorded assessment of a person in date order: level, agreed level, status.

    A person is matched by name (any case, or a unique part of it).

    \b
    Example:
        sfia-assess history "Priya Nair"
        sfia-assess history "Priya Nair" --format pdf -o priya-history.pdf
    """
    from ..store import open_store, reading
    from ..store.history import person_history
    from ..store.people import everyone, names_shown

    needs_output(fmt, output)
    if not person and not list_people:
        raise click.UsageError('give a PERSON, e.g. history "Priya Nair" (or --list)')
    with (
        open_store(db, existing=not list_people, read_only=True) as engine,
        reading(engine) as session,
    ):
        if list_people:
            people = everyone(session)
            names = names_shown(people)
            for found in people:
                click.echo(printable(names[found.key]))
            if not people:
                click.echo("nobody is recorded yet; use `sfia-assess record FILE|DIR`", err=True)
            return
        assert person is not None
        history = person_history(session, person)
    from ..core.catalog import Catalog
    from ..reports.history import RENDERERS, history_view
    from ..store.database import database_url, store_file

    store = store_file(database_url(db))
    inputs = (store,) if store is not None else ()
    shown = history_view(history, Catalog.default())
    show(RENDERERS, shown, fmt, output, paper, force=force, inputs=inputs)


@click.command("export")
@click.argument("person", required=False)
@click.option("--all", "everyone", is_flag=True, help="Every recorded file, of everyone.")
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder to write the files into (created if missing).",
)
@click.option("--force", is_flag=True, help="Overwrite files that exist with other content.")
@db_option
def export_command(
    person: str | None, everyone: bool, out_dir: Path, force: bool, db: str | None
) -> None:
    """Write recorded assessment files back out, byte for byte as they were recorded.

    \b
    Example:
        sfia-assess export "Priya Nair" -o priya/
        sfia-assess export --all -o backup/
    """
    from ..store import open_store, reading
    from ..store.export import export

    if bool(person) == everyone:
        raise click.UsageError("give a PERSON or --all (not both)")
    with open_store(db, existing=True, read_only=True) as engine, reading(engine) as session:
        written = export(session, out_dir, None if everyone else person, force=force)
    for item in written:
        click.echo(str(item.path))
    click.echo(f"{len(written)} file(s) written to {out_dir}", err=True)


@click.command("attach")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("evidence_id")
@click.argument("attachments", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
def attach_command(
    file: Path, evidence_id: str, attachments: tuple[Path, ...], db: str | None
) -> None:
    """Keep files that back one evidence item of a recorded assessment (PDFs, images, text).

    FILE is the assessment as recorded; EVIDENCE_ID one of its evidence ids. Each attachment is
    stored with its SHA-256 and a type read from its content; it is never opened or run.

    \b
    Example:
        sfia-assess attach examples/priya-nair-coordinator.yaml pn-06 grafana-board.png
    """
    from ..store import open_store, writing
    from ..store.attachments import MAX_BYTES, attach, recorded_file

    contents: list[tuple[str, bytes]] = []
    for path in attachments:
        if not path.is_file():
            raise click.UsageError(f"{path}: not a file")
        if path.stat().st_size > MAX_BYTES:
            raise SfiaAssessError(
                f"{path}: is {path.stat().st_size:,} bytes; attachments over {MAX_BYTES:,}"
                " bytes are refused"
            )
        contents.append((str(path), path.read_bytes()))
    if not file.is_file():
        raise click.UsageError(f"{file}: not a file")
    recorded = file.read_bytes()

    def work(session: Session) -> list[str]:
        record = recorded_file(session, recorded, str(file))
        lines = []
        for name, content in contents:
            done = attach(session, record, evidence_id, name, content)
            row = done.attachment
            state = "attached" if done.new else "already attached"
            lines.append(
                f"{name}: {state} to {evidence_id} of {record.source_name} ({row.media_type},"
                f" {row.size:,} bytes, sha256 {row.sha256[:12]})"
            )
        return lines

    with open_store(db, existing=True) as engine:
        for line in writing(engine, work):
            click.echo(line)


COMMANDS = (db_group, record_command, history_command, export_command, attach_command)

from .backup import add_backup_commands  # noqa: E402  (they belong to the db group above)

add_backup_commands(db_group)

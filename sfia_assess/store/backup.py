"""`db backup`, `db restore` and `db copy`: every table of the store in one checksummed file,
the same whichever database wrote it and whichever reads it.

The file is gzip-compressed JSON lines. The first line is a header: the format and its version,
the schema revision, when the backup was made, how many rows each table holds, and the SHA-256
of everything after the header. Then one line per row, `{"t": table, "r": {column: value}}`,
tables in the order their foreign keys need. Values JSON cannot hold are written one way on
every database: bytes (files, attachments) as base64, times as ISO 8601 in UTC, days as ISO
dates. Restore turns them back by the type of the column it writes to.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import gzip
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from ..errors import OutputError
from ..files.output import check_output
from .database import READ_ONLY, StoreError, shown, store_file, translated
from .models import Base
from .schema import HEAD, build, refuse_newer, revision_of

FORMAT = "sfia-assess backup"
FORMAT_VERSION = 1
BATCH = 500


@dataclass(frozen=True)
class Header:
    """What a backup file says about itself (its first line)."""

    revision: str
    created_at: str
    rows: dict[str, int]
    sha256: str

    def line(self) -> bytes:
        fields = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "schema_revision": self.revision,
            "created_at": self.created_at,
            "rows": self.rows,
            "sha256": self.sha256,
        }
        return json.dumps(fields, sort_keys=True).encode("utf-8") + b"\n"


@dataclass(frozen=True)
class Done:
    """What a backup or restore did, for the command's closing line."""

    header: Header
    size: int  # bytes of the backup file

    @property
    def total(self) -> int:
        return sum(self.header.rows.values())


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _decode(kind: sa.types.TypeEngine[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(kind, sa.LargeBinary):
        return base64.b64decode(value)
    if isinstance(kind, sa.DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(kind, sa.Date):
        return dt.date.fromisoformat(value)
    if isinstance(kind, sa.Boolean):
        return bool(value)
    return value


def _tables(connection: Connection) -> list[sa.Table]:
    """The store's tables as they are in this database, parents before children (a queue that
    shares the database keeps its own tables)."""
    meta = sa.MetaData()
    meta.reflect(connection, only=lambda name, _meta: name in Base.metadata.tables)
    return list(meta.sorted_tables)


@contextlib.contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read transaction: every table as it stood at one moment, while others write.
    PostgreSQL: REPEATABLE READ. SQLite (WAL): a read transaction keeps its first view."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                yield connection
    else:
        bind = engine.execution_options(**{READ_ONLY: True})
        with bind.connect() as connection, connection.begin():
            yield connection


def backup(engine: Engine, output: Path, *, force: bool = False) -> Done:
    """Write every table of the store to `output` (atomically: the old file or the whole new
    one); an existing file is replaced only with `force`."""
    source = store_file(str(engine.url))
    target = check_output(output, inputs=(source,) if source else (), force=force)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{target}: the folder {folder} does not exist; create it first")
    created_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with _scratch(folder) as body:
        with translated(engine), _snapshot(engine) as connection:
            revision = revision_of(connection)
            if revision is None:
                where = shown(str(engine.url))
                raise StoreError(f"{where}: has no store schema yet; nothing to back up")
            refuse_newer(engine, revision)
            digest, rows = _write_rows(connection, body)
        header = Header(revision, created_at, rows, digest)
        body.seek(0)
        _write_atomically(target, header, body)
    return Done(header, target.stat().st_size)


def _write_rows(connection: Connection, body: IO[bytes]) -> tuple[str, dict[str, int]]:
    digest, rows = hashlib.sha256(), {}
    for table in _tables(connection):
        rows[table.name] = 0
        query = sa.select(table).order_by(*table.primary_key.columns)
        for row in connection.execution_options(yield_per=BATCH).execute(query):
            record = {key: _encode(value) for key, value in row._mapping.items()}
            line = _json_line({"t": table.name, "r": record})
            digest.update(line)
            body.write(line)
            rows[table.name] += 1
    return digest.hexdigest(), rows


def _json_line(value: Any) -> bytes:
    return (
        json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
        + b"\n"
    )


@contextlib.contextmanager
def _scratch(folder: Path) -> Iterator[IO[bytes]]:
    """The rows, written beside the output before the header that counts them can be."""
    try:
        handle = tempfile.TemporaryFile(dir=folder, prefix=".sfia-backup-")  # noqa: SIM115
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write here ({exc.strerror})") from None
    with handle:
        yield handle


def _write_atomically(target: Path, header: Header, body: IO[bytes]) -> None:
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as raw:
            with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as packed:
                packed.write(header.line())
                shutil.copyfileobj(body, packed, 1 << 20)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temp_name, target)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        if isinstance(exc, OSError):
            raise OutputError(f"{target}: cannot write ({exc.strerror})") from None
        raise


def read_header(path: Path) -> Header:
    """The header of a backup file; anything else is one sentence saying what `path` is not."""
    not_one = f"{path}: is not an sfia-assess backup (made by `sfia-assess db backup`)"
    try:
        with gzip.open(path, "rb") as packed:
            first = json.loads(packed.readline())
    except FileNotFoundError:
        raise StoreError(f"{path}: no such file") from None
    except (OSError, EOFError, ValueError):
        raise StoreError(not_one) from None
    if not isinstance(first, dict) or first.get("format") != FORMAT:
        raise StoreError(not_one)
    if first.get("format_version") != FORMAT_VERSION:
        raise StoreError(
            f"{path}: is a backup in format version {first.get('format_version')}; this"
            f" sfia-assess reads version {FORMAT_VERSION}: restore it with a newer sfia-assess"
        )
    return Header(
        str(first["schema_revision"]), str(first["created_at"]), first["rows"], first["sha256"]
    )


def _rows(path: Path) -> Iterator[tuple[bytes, str, dict[str, Any]]]:
    """Each row line after the header: (the line, its table, its values)."""
    try:
        with gzip.open(path, "rb") as packed:
            packed.readline()
            for line in packed:
                found = json.loads(line)
                yield line, found["t"], found["r"]
    except (OSError, EOFError, ValueError, KeyError, TypeError):
        raise StoreError(
            f"{path}: is damaged (cut short or changed); nothing was restored"
        ) from None


def verify(path: Path) -> Header:
    """The header, once every row is read back and matches its checksum and counts."""
    header = read_header(path)
    digest, counts = hashlib.sha256(), dict.fromkeys(header.rows, 0)
    for line, table, _values in _rows(path):
        digest.update(line)
        counts[table] = counts.get(table, 0) + 1
    if digest.hexdigest() != header.sha256 or counts != header.rows:
        raise StoreError(
            f"{path}: the checksum does not match its content: the file is damaged or was"
            " changed; nothing was restored"
        )
    return header


def restore(path: Path, engine: Engine) -> Done:
    """Fill an empty store from a backup: the schema and every row in one transaction (all or
    nothing), then the schema brought to this sfia-assess's revision."""
    header = verify(path)
    where = shown(str(engine.url))
    refuse_newer(engine, header.revision)
    file = store_file(str(engine.url))
    new_file = file is not None and not file.exists()
    try:
        with translated(engine), engine.begin() as connection:
            _refuse_unless_empty(connection, where, header.revision)
            build(connection, header.revision)
            tables = {table.name: table for table in _tables(connection)}
            try:
                _insert(connection, path, tables, header)
            except sa.exc.IntegrityError as exc:
                reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
                raise StoreError(
                    f"{path}: the store refused a row of the backup ({reason}); nothing was"
                    " restored"
                ) from None
            if connection.dialect.name == "postgresql":
                _reset_sequences(connection, tables.values())
            build(connection, HEAD)
    except BaseException:
        if new_file and file is not None:
            for leftover in (file, Path(f"{file}-wal"), Path(f"{file}-shm")):
                leftover.unlink(missing_ok=True)
        raise
    return Done(header, path.stat().st_size)


def _refuse_unless_empty(connection: Connection, where: str, revision: str) -> None:
    current = revision_of(connection)
    inspector = sa.inspect(connection)
    present = [name for name in Base.metadata.tables if inspector.has_table(name)]
    if current is None and not present:
        return
    counts = {
        name: connection.execute(
            sa.select(sa.func.count()).select_from(sa.table(name))
        ).scalar_one()
        for name in present
    }
    held = [f"{count} {name}" for name, count in counts.items() if count]
    if held:
        raise StoreError(
            f"{where}: is not empty ({', '.join(held)}); db restore only fills an empty store:"
            " give a new database or SQLite file"
        )
    if current != revision:
        raise StoreError(
            f"{where}: has an empty schema at revision {current}, the backup is at {revision};"
            " restore into a new database or SQLite file"
        )


def _insert(
    connection: Connection, path: Path, tables: dict[str, sa.Table], header: Header
) -> None:
    digest, table_of_batch = hashlib.sha256(), ""
    batch: list[dict[str, Any]] = []
    for line, name, values in _rows(path):
        digest.update(line)
        if name not in tables:
            raise StoreError(f"{path}: names a table {name!r} the store does not have")
        if name != table_of_batch or len(batch) >= BATCH:
            if batch:
                connection.execute(tables[table_of_batch].insert(), batch)
            batch, table_of_batch = [], name
        columns = tables[name].c
        batch.append({key: _decode(columns[key].type, value) for key, value in values.items()})
    if batch:
        connection.execute(tables[table_of_batch].insert(), batch)
    if digest.hexdigest() != header.sha256:  # the file changed since it was checked
        raise StoreError(f"{path}: changed while it was restored; nothing was restored")


def _reset_sequences(connection: Connection, tables: Any) -> None:
    """Ids were copied as they were; the next id PostgreSQL hands out follows the largest."""
    for table in tables:
        if "id" not in table.c or not isinstance(table.c.id.type, sa.Integer):
            continue  # sessions and kept forms have random text ids: no sequence
        top = connection.execute(sa.select(sa.func.max(table.c.id))).scalar()
        connection.execute(
            sa.text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :value, :called)"),
            {"table": table.name, "value": top or 1, "called": top is not None},
        )


def copy(source: Engine, target: Engine) -> Done:
    """Every table of one store into another, empty one (through a backup in a temporary
    folder, so that the copy is checked as a restore is)."""
    with tempfile.TemporaryDirectory(prefix="sfia-copy-") as folder:
        file = Path(folder) / "store.backup.gz"
        backup(source, file)
        return restore(file, target)

"""Which database, and how to talk to it: engines, one transaction per command, retries.

SQLite is opened in WAL mode with a busy timeout, and write transactions start with
`BEGIN IMMEDIATE`, so several processes recording at once queue for the write lock instead of
failing half way. A transaction that still collides with another writer (PostgreSQL's unique
constraints, SQLite's lock after the timeout) is run again from the start.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from ..errors import SfiaAssessError

ENV = "SFIA_ASSESS_DB"
BUSY_TIMEOUT_S = 30
RETRIES = 8
READ_ONLY = "sfia_assess_read_only"

T = TypeVar("T")


class StoreError(SfiaAssessError):
    """The history store cannot be used as asked (where it is, what to do)."""


def default_path() -> Path:
    """The SQLite file used when neither --db nor $SFIA_ASSESS_DB says otherwise."""
    from platformdirs import user_data_path

    return user_data_path("sfia-assess", appauthor=False) / "history.sqlite3"


def database_url(given: str | None) -> str:
    """--db, else $SFIA_ASSESS_DB, else the default SQLite file (its folder made on first use)."""
    url = given or os.environ.get(ENV)
    if url:
        if "://" not in url:  # a plain path means an SQLite file
            url = f"sqlite:///{Path(url).expanduser()}"
        return url
    path = default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def store_file(url: str) -> Path | None:
    """The file an SQLite store lives in (an output must never replace it); else None."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database)


def require_existing(url: str) -> None:
    """Refuse an SQLite store file that does not exist: reading it would create it empty."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return  # open_engine says what is wrong with the URL
    database = parsed.database
    if (
        parsed.get_backend_name() == "sqlite"
        and database
        and database != ":memory:"
        and not database.startswith("file:")
        and not Path(database).exists()
    ):
        name = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url
        raise StoreError(
            f"--db {name}: no history store there (no such file); check the path, or record"
            f" assessments into it first: sfia-assess record FILE --db {name}"
        )


def open_engine(url: str) -> Engine:
    """An engine for `url`; a bad URL or a missing driver is a StoreError, never a traceback."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            f"--db {url!r} is not a database URL; use e.g. sqlite:///history.sqlite3 or"
            " postgresql+psycopg://user@host/dbname"
        ) from None
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        engine = create_engine(parsed, connect_args=_connect_args(parsed.get_backend_name()))
    except ModuleNotFoundError as exc:
        raise StoreError(
            f"--db {shown(url)}: the driver {exc.name!r} is not installed; for PostgreSQL:"
            ' pip install "sfia-assess[postgres]"'
        ) from None
    except ArgumentError:
        raise StoreError(
            f"--db {shown(url)}: unknown kind of database {parsed.drivername!r}; use"
            " sqlite:///FILE or postgresql+psycopg://user@host/dbname"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        _sqlite_setup(engine)
        database = parsed.database
        if database and database != ":memory:" and Path(database).is_dir():
            name = Path(database)
            raise StoreError(
                f"--db {name}: is a folder; give a file name, e.g. {name / 'history.sqlite3'}"
            )
        if database and database != ":memory:" and not Path(database).parent.is_dir():
            raise StoreError(
                f"--db {url}: the folder {Path(database).parent} does not exist; create it first"
            )
    return engine


def _connect_args(backend: str) -> dict[str, Any]:
    if backend == "sqlite":
        return {"timeout": BUSY_TIMEOUT_S}
    if backend == "postgresql":
        return {"connect_timeout": 10}
    return {}


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event start transactions, so they can be IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        _wal_mode(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front (a deferred transaction that later needs it can
        # fail at once with "database is locked"); readers never wait for a writer (WAL).
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _wal_mode(cursor: Any) -> None:
    """Switch the file to WAL (once; it stays so). The switch needs the file to itself and does
    not wait for the busy timeout: two processes opening a new store at once can find it
    "locked" at once (a deadlock SQLite refuses), so it is tried again until the timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01 + 0.04 * random.random())


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A session for a command that only reads (one transaction, rolled back at the end)."""
    bind = engine.execution_options(**{READ_ONLY: True})
    with translated(engine), Session(bind) as session, session.begin():
        yield session


def writing(engine: Engine, work: Callable[[Session], T], *, retries: int = RETRIES) -> T:
    """Run `work` in one transaction: all of it is committed, or none of it.

    Run again from the start (up to `retries` times) when another writer got in the way.
    """
    for attempt in range(retries + 1):
        try:
            with (
                translated(engine, retrying=attempt < retries),
                Session(engine) as session,
                session.begin(),
            ):
                return work(session)
        except _Retry:
            time.sleep(min(2.0, 0.05 * 2**attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")  # pragma: no cover


class _Retry(Exception):
    pass


@contextmanager
def translated(engine: Engine, *, retrying: bool = False) -> Iterator[None]:
    """Database failures as one sentence a user can act on."""
    where = shown(engine.url.render_as_string(hide_password=False))
    try:
        yield
    except IntegrityError:
        if retrying:
            raise _Retry from None
        raise StoreError(
            "another writer recorded the same thing at the same moment, and nothing of this"
            " was saved; try again"
        ) from None
    except OperationalError as exc:
        message = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if retrying and _transient(message):
            raise _Retry from None
        raise StoreError(f"{where}: {message}") from None
    except DBAPIError as exc:
        message = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if retrying and _transient(message):
            raise _Retry from None
        raise StoreError(f"{where}: {message}") from None


def _transient(message: str) -> bool:
    lowered = message.lower()
    return any(
        word in lowered
        for word in ("locked", "busy", "could not serialize", "deadlock", "duplicate key")
    )

"""Which database, and how to talk to it: engines, one transaction per command, retries.

SQLite is opened in WAL mode, and write transactions start with `BEGIN IMMEDIATE`, so several
processes recording at once queue for the write lock instead of failing half way; reading
never takes it. A transaction that collides with another writer (PostgreSQL's unique
constraints, a lock) is run again from the start. The whole wait for other writers, every
attempt together, is one stated bound ($SFIA_ASSESS_LOCK_WAIT seconds, 30 by default), then a
sentence saying the store is locked and nothing was saved.
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

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from ..errors import StoreError as StoreError
from ..errors import StoreUnavailable as StoreUnavailable
from .disk import disk_state, read_only_connect

ENV = "SFIA_ASSESS_DB"
LOCK_WAIT_ENV = "SFIA_ASSESS_LOCK_WAIT"
LOCK_WAIT_S = 30.0  # the default: how long, in all, a write waits for other writers
RETRIES = 8
CONNECTIONS_ENV = "SFIA_ASSESS_DB_CONNECTIONS"
CONNECTIONS = 10  # the default: PostgreSQL connections a process keeps open and may use at once
READ_ONLY = "sfia_assess_read_only"
DEADLINE = "sfia_assess_deadline"  # time.monotonic() by which a write must have its lock

T = TypeVar("T")


def lock_wait() -> float:
    """Seconds a write waits, in all, for other writers: $SFIA_ASSESS_LOCK_WAIT or 30."""
    given = os.environ.get(LOCK_WAIT_ENV, "").strip()
    if not given:
        return LOCK_WAIT_S
    try:
        seconds = float(given)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < 86_400:
        raise StoreError(
            f"${LOCK_WAIT_ENV}={given!r}: give the seconds a write may wait for another writer,"
            " e.g. 30"
        )
    return seconds


def connections() -> int:
    """How many PostgreSQL connections one process keeps and uses at most:
    $SFIA_ASSESS_DB_CONNECTIONS or 10. The connections are kept (never opened and closed per
    request, which costs the server a process each time), and a request that finds them all
    busy waits for one (up to the lock wait) instead of opening more: a few connections busy
    at once serve two cores best, and the database's max_connections is shared by every
    process (serve --workers N uses N times this)."""
    given = os.environ.get(CONNECTIONS_ENV, "").strip()
    if not given:
        return CONNECTIONS
    count = int(given) if given.isascii() and given.isdigit() else 0
    if not 1 <= count <= 1000:
        raise StoreError(
            f"${CONNECTIONS_ENV}={given!r}: give how many database connections one process may"
            " keep open, e.g. 10"
        )
    return count


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


def open_engine(url: str, *, read_only: bool = False) -> Engine:
    """An engine for `url`; a bad URL or a missing driver is a StoreError, never a traceback.

    `read_only`, for commands that only read: an SQLite file that exists is opened with
    `mode=ro` (no write lock, nothing created beside it but the shared-memory index), and
    `immutable=1` as well when the file or its folder cannot be written (a read-only mount, a
    full disk), where even that index cannot be made."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            f"--db {url!r} is not a database URL; use e.g. sqlite:///history.sqlite3 or"
            " postgresql+psycopg://user@host/dbname"
        ) from None
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    readable_only = read_only and opens_read_only(url)
    options: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        options.update(pool_size=connections(), max_overflow=0, pool_timeout=lock_wait())
    if readable_only:
        assert parsed.database is not None
        options["creator"] = read_only_connect(Path(parsed.database), lock_wait())
    try:
        engine = create_engine(
            parsed, connect_args=_connect_args(parsed.get_backend_name()), **options
        )
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
    if parsed.get_backend_name() == "postgresql":
        _postgresql_setup(engine)
    if parsed.get_backend_name() == "sqlite":
        _sqlite_setup(engine, read_only=readable_only)
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


def opens_read_only(url: str) -> bool:
    """Whether a reading command opens `url` read-only: an SQLite file that exists (a new one
    is made by the first command, which writes its schema)."""
    path = store_file(url)
    return path is not None and path.is_file() and path.stat().st_size > 0


def _connect_args(backend: str) -> dict[str, Any]:
    if backend == "sqlite":
        return {"timeout": lock_wait()}
    if backend == "postgresql":
        return {"connect_timeout": 10}
    return {}


def _sqlite_setup(engine: Engine, *, read_only: bool = False) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event start transactions, so they can be IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(lock_wait() * 1000)}")
        if not read_only:  # switching to WAL writes the file's header
            _wal_mode(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front (a deferred transaction that later needs it can
        # fail at once with "database is locked"); readers never wait for a writer (WAL).
        options = connection.get_execution_options()
        reads = read_only or options.get(READ_ONLY, False)
        # A write waits for the lock only as long as its whole bound has left.
        left = _left(options) if not reads else lock_wait()
        connection.exec_driver_sql(f"PRAGMA busy_timeout={int(left * 1000)}")
        connection.exec_driver_sql("BEGIN" if reads else "BEGIN IMMEDIATE")


def _left(options: Any) -> float:
    deadline = options.get(DEADLINE)
    return lock_wait() if deadline is None else max(0.0, deadline - time.monotonic())


def _postgresql_setup(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if not options.get(READ_ONLY, False) and options.get(DEADLINE) is not None:
            milliseconds = max(1, int(_left(options) * 1000))
            connection.execute(
                text("SELECT set_config('lock_timeout', :value, true)"),
                {"value": f"{milliseconds}ms"},
            )


def _wal_mode(cursor: Any) -> None:
    """Switch the file to WAL (once; it stays so). The switch needs the file to itself and does
    not wait for the busy timeout: two processes opening a new store at once can find it
    "locked" at once (a deadlock SQLite refuses), so it is tried again until the timeout."""
    deadline = time.monotonic() + lock_wait()
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

    Run again from the start (up to `retries` times) when another writer got in the way, all
    within one bound on the wait for other writers (`lock_wait`).
    """
    waited = lock_wait()
    deadline = time.monotonic() + waited
    bind = engine.execution_options(**{DEADLINE: deadline})
    attempt = 0
    while True:
        again = attempt < retries and time.monotonic() < deadline
        try:
            with (
                translated(engine, retrying=again, waited=waited),
                Session(bind) as session,
                session.begin(),
            ):
                return work(session)
        except _Clash:
            attempt += 1  # the next attempt reads what the other writer added: no wait
            continue
        except _Retry:
            attempt += 1
            pause = min(2.0, 0.05 * 2**attempt) * (0.5 + random.random())
            time.sleep(max(0.0, min(pause, deadline - time.monotonic())))


_UNEXPECTED = (
    "the store could not do this, and nothing was saved; the administrator will find the"
    " cause in the server's log"
)


class _Retry(Exception):
    pass


class _Clash(_Retry):
    """Another writer added the same row at the same moment (two next versions of one
    assessment): the other has committed, so run again at once, reading theirs, with no
    back-off (a conflict that is no race is then said in milliseconds, not after 8 s of
    waits). Four writers at once may clash three times."""


@contextmanager
def translated(
    engine: Engine, *, retrying: bool = False, waited: float | None = None
) -> Iterator[None]:
    """Database failures as one sentence a user can act on."""
    where = shown(engine.url.render_as_string(hide_password=False))
    held = "the store is locked by another writer; nothing was saved; try again" + (
        f" (waited {waited:g} s; ${LOCK_WAIT_ENV} sets how long)" if waited is not None else ""
    )
    locked = StoreUnavailable(f"{where}: {held}", held)
    try:
        yield
    except IntegrityError:
        if retrying:
            raise _Clash from None
        raise StoreError(
            "another writer recorded the same thing at the same moment, and nothing of this"
            " was saved; try again"
        ) from None
    except PoolTimeout:
        busy = (
            "the database is busy (every connection of this server was in use); nothing was"
            " saved; try again"
        )
        raise StoreUnavailable(f"{where}: {busy}", busy) from None
    except DBAPIError as exc:
        problem = _disk_problem(engine, exc.orig) if isinstance(exc, OperationalError) else ""
        if problem:
            raise StoreUnavailable(f"{where}: {problem}", problem) from None
        message = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if unreachable(exc):
            raise StoreUnavailable(f"{where}: cannot reach the database ({message})") from None
        if retrying and _transient(message):
            raise _Retry from None
        if _locked(message):
            raise locked from None
        raise StoreError(f"{where}: {message}", _UNEXPECTED) from None


# SQLSTATE classes of a server that is not there: connection exceptions (08), and shut down
# or still starting (57P01..57P03).
_UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03")


def unreachable(exc: DBAPIError) -> bool:
    """Is this failure the database server being unreachable (down, restarting), rather than
    something about the request? A libpq failure to connect carries no SQLSTATE at all."""
    if exc.connection_invalidated:
        return True
    if not hasattr(exc.orig, "sqlstate"):  # SQLite: a file, never "unreachable"
        return False
    state = getattr(exc.orig, "sqlstate", None)
    return state is None or str(state).startswith(_UNREACHABLE_STATES)


def _disk_problem(engine: Engine, error: BaseException | None) -> str:
    """The disk's state in the user's words, when that is why SQLite failed; else ""."""
    name = str(getattr(error, "sqlite_errorname", "") or "")
    file = store_file(engine.url.render_as_string(hide_password=False))
    if not name or file is None:
        return ""
    state = disk_state(file.parent)
    if name.startswith("SQLITE_FULL") or (
        state == "full" and name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN"))
    ):
        return "the disk is full; nothing was changed (free some space, then try again)"
    if state == "read-only" and name.startswith(
        ("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_IOERR")
    ):
        return (
            "the store is on a read-only disk; nothing was changed (reading commands still"
            " work; remount it read-write to record)"
        )
    return ""


def _transient(message: str) -> bool:
    lowered = message.lower()
    return _locked(message) or any(
        word in lowered for word in ("could not serialize", "deadlock", "duplicate key")
    )


def _locked(message: str) -> bool:
    """SQLite's lock (after its busy timeout), PostgreSQL's lock_timeout."""
    lowered = message.lower()
    return any(word in lowered for word in ("locked", "busy", "lock timeout"))

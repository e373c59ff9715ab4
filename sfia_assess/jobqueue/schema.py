"""The queue's tables: procrastinate's own, and ours (a batch, its items, their reports).

Both are created on first use, by `batch --queue` or `worker`, under an advisory lock so that
several machines starting at once do not collide. `db upgrade` does not touch them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from ..errors import SfiaAssessError

ENV = "SFIA_ASSESS_QUEUE"
WAIT_ENV = "SFIA_ASSESS_QUEUE_WAIT"
DEFAULT_WAIT_S = 300.0  # how long a waiting batch, or a worker's finished report, waits it out
T = TypeVar("T")
_LOCK_KEY = 7_316_281_900  # pg_advisory_xact_lock: one schema creator at a time

metadata = sa.MetaData()

batches = sa.Table(
    "sfia_queue_batches",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("fmt", sa.String(8), nullable=False),
    sa.Column("policy", sa.Text, nullable=False),  # Policy as JSON
    sa.Column("generated_on", sa.Date, nullable=False),
)

items = sa.Table(
    "sfia_queue_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("batch_id", sa.ForeignKey("sfia_queue_batches.id"), nullable=False, index=True),
    sa.Column("source", sa.Text, nullable=False),  # the input file's name, for messages
    sa.Column("target", sa.Text, nullable=True),  # the report's safe file name in OUT
    sa.Column("input", sa.LargeBinary, nullable=True),  # the assessment file's bytes
    # the manager's review that goes with it (the report is then the review record)
    sa.Column("review_input", sa.LargeBinary, nullable=True),
    sa.Column("review_source", sa.Text, nullable=True),
    # queued -> done | failed | not used; a finished item is never changed again
    sa.Column("status", sa.String(8), nullable=False),
    sa.Column("report", sa.LargeBinary, nullable=True),
    sa.Column("summary", sa.JSON, nullable=True),  # the summary.csv row of a done item
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
)


class QueueError(SfiaAssessError):
    """The queue cannot be used as asked (which database, what to do)."""


def queue_url(given: str | None) -> str:
    """The SQLAlchemy URL of the queue's database (postgresql+psycopg://...)."""
    text = given or os.environ.get(ENV, "")
    if not text:
        raise QueueError(f"no queue database: give --queue postgresql://USER@HOST/DB or set ${ENV}")
    try:
        url = make_url(text)
    except ArgumentError:
        raise QueueError(
            f"{text!r} is not a database URL; give postgresql://USER@HOST/DB"
        ) from None
    if url.get_backend_name() != "postgresql":
        raise QueueError(
            f"{url.render_as_string()}: the queue needs PostgreSQL; give postgresql://USER@HOST/DB"
        )
    return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def queue_wait() -> float:
    """Seconds a waiting client keeps trying a queue database that stopped answering."""
    text = os.environ.get(WAIT_ENV, "").strip()
    if not text:
        return DEFAULT_WAIT_S
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise QueueError(f"${WAIT_ENV}={text!r}: give a number of seconds, such as 300")
    return seconds


def is_outage(exc: DBAPIError) -> bool:
    """The database went away or cannot be reached (worth waiting for), not a refused query."""
    return isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError) or bool(
        exc.connection_invalidated
    )


def patiently(step: Callable[[], T]) -> T:
    """Run one database step; through an outage, try it again with back-off for up to
    queue_wait() seconds (the step must be safe to repeat)."""
    deadline = time.monotonic() + queue_wait()
    delay = 0.5
    while True:
        try:
            return step()
        except DBAPIError as exc:
            if not is_outage(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(max(min(delay, deadline - time.monotonic()), 0.0))
        delay = min(delay * 2, 4.0)


def public_url(url: str) -> str:
    """The URL for messages and commands to copy: libpq's spelling, the password hidden."""
    return make_url(libpq_url(url)).render_as_string(hide_password=True)


def libpq_url(url: str) -> str:
    """The same URL as libpq and procrastinate want it (postgresql://...)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def engine(url: str) -> sa.Engine:
    return sa.create_engine(url, pool_pre_ping=True)


def ensure_schema(db: sa.Engine) -> None:
    """Create procrastinate's schema and our tables if this database has none yet."""
    from procrastinate.schema import SchemaManager

    try:
        with db.begin() as connection:
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
            found = connection.execute(sa.text("SELECT to_regclass('procrastinate_jobs')"))
            if found.scalar() is None:
                # psycopg's own cursor, without parameters: the SQL holds literal % signs
                raw = connection.connection.driver_connection
                assert raw is not None
                raw.execute(SchemaManager.get_schema())
            metadata.create_all(connection)
            # a table made by an older version lacks the review's columns: add them
            connection.execute(
                sa.text(
                    "ALTER TABLE sfia_queue_items"
                    " ADD COLUMN IF NOT EXISTS review_input bytea,"
                    " ADD COLUMN IF NOT EXISTS review_source text"
                )
            )
    except DBAPIError as exc:
        raise unreachable(db, exc) from None


def unreachable(db: sa.Engine, exc: DBAPIError) -> QueueError:
    first = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
    where = db.url.render_as_string(hide_password=True)
    return QueueError(f"{where}: the queue database cannot be used ({first})")

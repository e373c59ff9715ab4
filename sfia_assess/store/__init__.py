"""The history store: every assessment as submitted, its result, reviews and workflow trail.

SQLite by default (a file in the user's data folder), PostgreSQL for shared use. Sessions are
opened at the edge (a command, a web request); the modules here each do one job with them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from .database import (
    StoreError,
    database_url,
    open_engine,
    opens_read_only,
    reading,
    require_existing,
    translated,
    writing,
)
from .schema import ensure_current

__all__ = ["StoreError", "open_store", "reading", "writing"]


@contextmanager
def open_store(
    db: str | None, *, create: bool = True, existing: bool = False, read_only: bool = False
) -> Iterator[Engine]:
    """The store named by --db / $SFIA_ASSESS_DB / the default, with its schema current;
    its connections are closed when the block ends. `existing`: a command that only reads
    refuses an SQLite file that is not there (a typo), rather than creating an empty store.
    `read_only`: a command that only reads opens an SQLite file read-only (it then works on a
    read-only or full disk, and never waits for the write lock)."""
    url = database_url(db)
    engine = open_engine(url, read_only=read_only)
    try:
        if existing:
            require_existing(url)
        if create:
            with translated(engine):
                ensure_current(engine, create=not (read_only and opens_read_only(url)))
        yield engine
    finally:
        engine.dispose()

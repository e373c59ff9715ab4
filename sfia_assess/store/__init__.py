"""The history store: every assessment as submitted, its result, reviews and workflow trail.

SQLite by default (a file in the user's data folder), PostgreSQL for shared use. Sessions are
opened at the edge (a command, a web request); the modules here each do one job with them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from .database import StoreError, database_url, open_engine, reading, translated, writing
from .schema import ensure_current

__all__ = ["StoreError", "open_store", "reading", "writing"]


@contextmanager
def open_store(db: str | None, *, create: bool = True) -> Iterator[Engine]:
    """The store named by --db / $SFIA_ASSESS_DB / the default, with its schema current;
    its connections are closed when the block ends."""
    engine = open_engine(database_url(db))
    try:
        if create:
            with translated(engine):
                ensure_current(engine)
        yield engine
    finally:
        engine.dispose()

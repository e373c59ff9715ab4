"""Create and migrate the store's schema with the Alembic migrations shipped in the package.

Alembic is imported only to create or migrate: every other command checks the schema's
revision with one query (importing Alembic costs about 0.15 s of a 0.5 s budget).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from .database import READ_ONLY, StoreError, StoreUnavailable, shown

if TYPE_CHECKING:
    from alembic.config import Config

HEAD = "0006"  # the newest migration; a test checks it against the migrations folder
_LOCK_ID = 0x5F1A  # PostgreSQL advisory lock held while migrating


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "sfia_assess.store:migrations")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest schema revision in the migrations folder."""
    from alembic.script import ScriptDirectory

    found = ScriptDirectory.from_config(_config()).get_current_head()
    assert found is not None
    return found


@cache
def known_revisions() -> frozenset[str]:
    """The revisions this sfia-assess ships, from the migration files' names (no Alembic)."""
    folder = files("sfia_assess.store.migrations").joinpath("versions")
    names = (entry.name for entry in folder.iterdir())
    return frozenset(m.group(1) for m in map(re.compile(r"^(\d{4})_\w+\.py$").match, names) if m)


def refuse_newer(engine: Engine, revision: str | None) -> None:
    """A store whose revision this code does not know was made by a newer sfia-assess: reading
    it could misread its rows and writing could break it, so nothing is done with it."""
    if revision is not None and revision not in known_revisions():
        reason = (
            f"a newer sfia-assess made this store (schema revision {revision}; this"
            f" sfia-assess knows revisions up to {HEAD}); upgrade sfia-assess to use it"
        )
        raise StoreUnavailable(f"{shown(str(engine.url))}: {reason}", reason)


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _quick_current(connection: Connection) -> str | None:
    """The schema revision, read without Alembic; None for a database with no schema yet."""
    if not connection.dialect.has_table(connection, "alembic_version"):
        return None
    try:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})


def revision_of(connection: Connection) -> str | None:
    """The schema revision of the store on `connection` (None: no schema yet)."""
    return _quick_current(connection)


def build(connection: Connection, to: str = "head") -> None:
    """Create or migrate the schema to `to` inside the caller's transaction (restore uses it:
    the schema and the rows are committed together, or neither)."""
    from alembic import command

    _lock(connection)
    command.upgrade(_config(connection), to)


def upgrade(engine: Engine, to: str = "head") -> tuple[str | None, str]:
    """Create the schema or migrate it forward; returns (revision before, revision after)."""
    from alembic import command

    with engine.begin() as connection:
        _lock(connection)
        before = _quick_current(connection)
        refuse_newer(engine, before)
        command.upgrade(_config(connection), to)
        return before, _current(connection) or ""


@dataclass(frozen=True)
class Status:
    url: str
    revision: str | None
    head: str
    counts: dict[str, int]

    @property
    def current(self) -> bool:
        return self.revision == self.head


def status(engine: Engine) -> Status:
    """Where the database's schema is, against this version's newest, and how much it holds."""
    with engine.execution_options(**{READ_ONLY: True}).connect() as connection:
        revision = _quick_current(connection)  # a read: never waits for the write lock
        refuse_newer(engine, revision)
        counts: dict[str, int] = {}
        if revision is not None:
            for table in ("people", "assessments", "reviews", "events", "attachments"):
                if connection.dialect.has_table(connection, table):
                    counts[table] = connection.execute(
                        text(f"SELECT count(*) FROM {table}")
                    ).scalar_one()
    return Status(shown(str(engine.url)), revision, HEAD, counts)


def ensure_current(engine: Engine, *, create: bool = True) -> None:
    """A new, empty database gets the schema (unless it is only read); an older one must be
    upgraded on purpose."""
    with engine.execution_options(**{READ_ONLY: True}).connect() as connection:
        revision = _quick_current(connection)
    refuse_newer(engine, revision)
    if revision is None and not create:
        empty = "holds no history store yet; record assessments into it first"
        raise StoreError(f"{shown(str(engine.url))}: {empty}", "the store " + empty)
    if revision is None:
        revision = _create(engine)
    newest = HEAD
    if revision != newest:
        where = shown(str(engine.url))
        raise StoreError(
            f"{where}: the database schema is at revision {revision}, this sfia-assess needs"
            f" {newest}; run `sfia-assess db upgrade --db {where}` first",
            "the store was made by an older sfia-assess and must be upgraded first; the"
            " administrator does this with `sfia-assess db upgrade`",
        )


def _create(engine: Engine) -> str | None:
    """Create the schema unless another process did so first; returns the revision then."""
    from alembic import command

    with engine.begin() as connection:
        _lock(connection)
        revision = _current(connection)
        if revision is None:
            command.upgrade(_config(connection), "head")
            revision = _current(connection)
        return revision

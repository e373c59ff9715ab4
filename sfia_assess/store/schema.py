"""Create and migrate the store's schema with the Alembic migrations shipped in the package."""

from __future__ import annotations

from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from .database import READ_ONLY, StoreError, shown

_LOCK_ID = 0x5F1A  # PostgreSQL advisory lock held while migrating


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", "sfia_assess.store:migrations")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest schema revision this version of sfia-assess knows."""
    found = ScriptDirectory.from_config(_config()).get_current_head()
    assert found is not None
    return found


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})


def upgrade(engine: Engine, to: str = "head") -> tuple[str | None, str]:
    """Create the schema or migrate it forward; returns (revision before, revision after)."""
    with engine.begin() as connection:
        _lock(connection)
        before = _current(connection)
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
    with engine.connect() as connection:
        revision = _current(connection)
        counts: dict[str, int] = {}
        if revision is not None:
            for table in ("people", "assessments", "reviews", "events", "attachments"):
                if connection.dialect.has_table(connection, table):
                    counts[table] = connection.execute(
                        text(f"SELECT count(*) FROM {table}")
                    ).scalar_one()
    return Status(shown(str(engine.url)), revision, head(), counts)


def ensure_current(engine: Engine) -> None:
    """A new, empty database gets the schema; an older one must be upgraded on purpose."""
    with engine.execution_options(**{READ_ONLY: True}).connect() as connection:
        revision = _current(connection)
    if revision is None:
        revision = _create(engine)
    newest = head()
    if revision != newest:
        where = shown(str(engine.url))
        raise StoreError(
            f"{where}: the database schema is at revision {revision}, this sfia-assess needs"
            f" {newest}; run `sfia-assess db upgrade --db {where}` first"
        )


def _create(engine: Engine) -> str | None:
    """Create the schema unless another process did so first; returns the revision then."""
    with engine.begin() as connection:
        _lock(connection)
        revision = _current(connection)
        if revision is None:
            command.upgrade(_config(connection), "head")
            revision = _current(connection)
        return revision

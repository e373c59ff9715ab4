"""Database triggers that refuse UPDATE and DELETE: the record is only ever added to."""

from __future__ import annotations

from sqlalchemy import Connection, text

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION sfia_assess_immutable() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'sfia-assess: % rows are never changed or deleted', TG_TABLE_NAME;
END
$$ LANGUAGE plpgsql
"""


def forbid_changes(connection: Connection, table: str) -> None:
    """Make `table` append-only, on SQLite and PostgreSQL alike."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(_PG_FUNCTION))
        connection.execute(
            text(
                f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table}"
                " FOR EACH ROW EXECUTE FUNCTION sfia_assess_immutable()"
            )
        )
        return
    for action in ("UPDATE", "DELETE"):
        connection.execute(
            text(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table}"
                f" BEGIN SELECT RAISE(ABORT, 'sfia-assess: {table} rows are never changed or"
                " deleted'); END"
            )
        )

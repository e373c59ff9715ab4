"""Repair stores made while revision 0002 lacked `events.recipient`: add what is missing.

Revision 0002 was edited after it shipped (the recipient columns were added to it in place), so
a store made by the code before that edit is at a later revision without those columns. This
revision adds them, and their index, only where they are missing; on every other store it
changes nothing.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    columns = {column["name"] for column in inspector.get_columns("events")}
    # Adding a nullable column changes no row; SQLite does it in place, without the triggers.
    for name in ("recipient", "recipient_key"):
        if name not in columns:
            op.add_column("events", sa.Column(name, sa.String(200), nullable=True))
    indexes = {index["name"] for index in inspector.get_indexes("events")}
    if "ix_events_kind_recipient_key" not in indexes:
        op.create_index("ix_events_kind_recipient_key", "events", ["kind", "recipient_key"])

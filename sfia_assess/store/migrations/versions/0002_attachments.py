"""Evidence attachments (a file linked to an evidence id, kept as bytes with its hash and type),
and the person a workflow step is addressed to (a submission goes to a manager).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sfia_assess.store.immutable import forbid_changes

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("assessment_id", sa.Integer, nullable=False),
        sa.Column("evidence_id", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_attachments"),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name="fk_attachments_assessment_id_assessments",
        ),
        sa.UniqueConstraint("assessment_id", "evidence_id", "sha256", name="uq_attachments_item"),
    )
    forbid_changes(op.get_bind(), "attachments")
    # Adding a nullable column changes no row; SQLite does it in place, without the triggers.
    op.add_column("events", sa.Column("recipient", sa.String(200), nullable=True))
    op.add_column("events", sa.Column("recipient_key", sa.String(200), nullable=True))
    op.create_index("ix_events_kind_recipient_key", "events", ["kind", "recipient_key"])

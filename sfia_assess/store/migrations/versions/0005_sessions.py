"""What several server processes share: sign-in sessions, the session-signing key, the sign-in
limits and forms kept across a sign-in; and `sign_offs`, one row per signed-off assessment, so
that the database itself refuses a second sign-off.

A store whose trail already holds two sign-offs of one assessment (two managers at the same
moment, before this revision) keeps both events; `sign_offs` names the first.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sfia_assess.store.immutable import forbid_changes

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_offs",
        sa.Column("assessment_id", sa.Integer, nullable=False),
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("assessment_id", name="pk_sign_offs"),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name="fk_sign_offs_assessment_id_assessments"
        ),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name="fk_sign_offs_event_id_events"),
    )
    op.execute(
        "INSERT INTO sign_offs (assessment_id, event_id)"
        " SELECT assessment_id, MIN(id) FROM events WHERE kind = 'signed-off'"
        " GROUP BY assessment_id"
    )
    forbid_changes(op.get_bind(), "sign_offs")
    op.create_table(
        "server_secrets",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("value", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_server_secrets"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("account_key", sa.String(200), nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("ended", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
    )
    op.create_index("ix_sessions_expires_at", "sessions", ["expires_at"])
    op.create_table(
        "sign_in_limits",
        sa.Column("key", sa.String(400), nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_at", sa.Float, nullable=False),
        sa.Column("blocked_until", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_sign_in_limits"),
    )
    op.create_index("ix_sign_in_limits_last_at", "sign_in_limits", ["last_at"])
    op.create_table(
        "kept_forms",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("account_key", sa.String(200), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("kept_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_kept_forms"),
    )
    op.create_index("ix_kept_forms_kept_at", "kept_forms", ["kept_at"])

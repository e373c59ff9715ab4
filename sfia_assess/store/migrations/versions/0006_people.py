"""An organisation's people: accounts carry a stable login (an email or an employee number)
beside the display name, an email address, a job title and whether they want email; a person
assessed may carry that id; one-time sign-in links; roles kept on the server with their history;
drafts saved as a form is filled in; and a log of the email notices sent or failed.

Accounts made before this revision keep their name as their login, so every key the record
already holds (`people.key`, `assessor_key`, `recipient_key`, `manager_key`) still names them.
Accounts made by an import may have no password: they sign in by single sign-on or a link.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sfia_assess.store.immutable import forbid_changes

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("login", sa.String(200), nullable=True))
        batch.add_column(sa.Column("name_key", sa.String(200), nullable=True))
        batch.add_column(sa.Column("email", sa.String(320), nullable=True))
        batch.add_column(sa.Column("title", sa.String(200), nullable=True))
        batch.add_column(sa.Column("notify", sa.Boolean, nullable=False, server_default=sa.true()))
        batch.alter_column("password_hash", existing_type=sa.String(255), nullable=True)
    op.execute("UPDATE accounts SET login = name, name_key = key")
    with op.batch_alter_table("accounts") as batch:
        batch.alter_column("login", existing_type=sa.String(200), nullable=False)
        batch.alter_column("name_key", existing_type=sa.String(200), nullable=False)
        batch.create_unique_constraint("uq_accounts_email", ["email"])
        batch.create_index("ix_accounts_name_key", ["name_key"])
        batch.create_index("ix_accounts_manager_key", ["manager_key"])

    op.add_column("people", sa.Column("login", sa.String(200), nullable=True))

    op.create_table(
        "sign_in_links",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("account_key", sa.String(200), nullable=False),
        sa.Column("made_by", sa.String(200), nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("used_at", sa.Float, nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name="pk_sign_in_links"),
    )
    op.create_index("ix_sign_in_links_account_key", "sign_in_links", ["account_key"])

    op.create_table(
        "roles",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("retired", sa.Boolean, nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_roles"),
        sa.UniqueConstraint("key", "version", name="uq_roles_version"),
    )
    forbid_changes(op.get_bind(), "roles")

    op.create_table(
        "drafts",
        sa.Column("account_key", sa.String(200), nullable=False),
        sa.Column("skill", sa.String(20), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("saved_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("account_key", "skill", name="pk_drafts"),
    )

    op.create_table(
        "notices",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("recipient_key", sa.String(200), nullable=False),
        sa.Column("assessment_id", sa.Integer, nullable=True),
        sa.Column("sent", sa.Boolean, nullable=False),
        sa.Column("detail", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_notices"),
    )
    op.create_index("ix_notices_recipient_key", "notices", ["recipient_key"])

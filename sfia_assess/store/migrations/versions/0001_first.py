"""The first schema: people, assessments, results, reviews and the workflow trail.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sfia_assess.store.immutable import forbid_changes

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_people"),
        sa.UniqueConstraint("key", name="uq_people_key"),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("person_id", sa.Integer, nullable=False),
        sa.Column("skill", sa.String(20), nullable=False),
        sa.Column("sfia_version", sa.Integer, nullable=False),
        sa.Column("relation", sa.String(20), nullable=False),
        sa.Column("assessor_name", sa.String(200), nullable=False),
        sa.Column("assessor_key", sa.String(200), nullable=False),
        sa.Column("role", sa.String(200), nullable=True),
        sa.Column("assessed_on", sa.Date, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("source_name", sa.String(255), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("parsed", sa.JSON, nullable=False),
        sa.Column("recorded_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_assessments"),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_assessments_person_id_people"
        ),
        sa.UniqueConstraint("sha256", name="uq_assessments_sha256"),
        sa.UniqueConstraint(
            "person_id",
            "skill",
            "sfia_version",
            "assessor_key",
            "assessed_on",
            "version",
            name="uq_assessments_version",
        ),
    )
    op.create_index("ix_assessments_person_date", "assessments", ["person_id", "assessed_on"])
    op.create_table(
        "results",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("assessment_id", sa.Integer, nullable=False),
        sa.Column("recommended_level", sa.Integer, nullable=True),
        sa.Column("target_level", sa.Integer, nullable=True),
        sa.Column("result", sa.JSON, nullable=False),
        sa.Column("scored_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_results"),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name="fk_results_assessment_id_assessments"
        ),
        sa.UniqueConstraint("assessment_id", name="uq_results_assessment_id"),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("self_id", sa.Integer, nullable=False),
        sa.Column("manager_id", sa.Integer, nullable=False),
        sa.Column("self_level", sa.Integer, nullable=True),
        sa.Column("manager_level", sa.Integer, nullable=True),
        sa.Column("agreed_level", sa.Integer, nullable=True),
        sa.Column("agreed", sa.JSON, nullable=False),
        sa.Column("recorded_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reviews"),
        sa.ForeignKeyConstraint(
            ["self_id"], ["assessments.id"], name="fk_reviews_self_id_assessments"
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["assessments.id"], name="fk_reviews_manager_id_assessments"
        ),
        sa.UniqueConstraint("self_id", "manager_id", name="uq_reviews_pair"),
    )
    op.create_index("ix_reviews_manager_id", "reviews", ["manager_id"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("assessment_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name="fk_events_assessment_id_assessments"
        ),
    )
    op.create_index("ix_events_assessment_id", "events", ["assessment_id"])
    for table in ("people", "assessments", "results", "reviews", "events"):
        forbid_changes(op.get_bind(), table)

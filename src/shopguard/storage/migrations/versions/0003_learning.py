"""Learning from the store: the model registry and missed-theft reports.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 09:00:00

``model_versions`` holds every registered behaviour model; a partial unique index keeps
at most one ``active`` version per kind. ``missed_reports`` are time spans on a camera
that a reviewer says should have raised an alert.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model column types (see 0001).
TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ACTIVE = sa.text("status = 'active'")


def upgrade() -> None:
    op.create_table(
        "model_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column(
            "status",
            sa.Enum("candidate", "active", "retired", name="model_status", native_enum=False,
                    create_constraint=True, length=16),
            nullable=False,
        ),
        sa.Column("file_key", sa.String(length=512), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("checkpoint_key", sa.String(length=512), nullable=True),
        sa.Column("metrics", JSON, nullable=False),
        sa.Column("training_data", JSON, nullable=False),
        sa.Column("thresholds", JSON, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("promoted_at", TIMESTAMP, nullable=True),
        sa.Column("promoted_by", sa.String(length=100), nullable=True),
        sa.Column("forced_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_versions")),
        sa.UniqueConstraint("version", name=op.f("uq_model_versions_version")),
    )
    op.create_index(op.f("ix_model_versions_status"), "model_versions", ["status"])
    op.create_index("uq_model_versions_one_active", "model_versions", ["kind"], unique=True,
                    sqlite_where=ACTIVE, postgresql_where=ACTIVE)
    op.create_table(
        "missed_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("since", TIMESTAMP, nullable=False),
        sa.Column("until", TIMESTAMP, nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["camera_id"], ["cameras.id"],
                                name=op.f("fk_missed_reports_camera_id_cameras"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_missed_reports_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missed_reports")),
    )
    op.create_index("ix_missed_reports_camera_since", "missed_reports", ["camera_id", "since"])


def downgrade() -> None:
    op.drop_index("ix_missed_reports_camera_since", table_name="missed_reports")
    op.drop_table("missed_reports")
    op.drop_index("uq_model_versions_one_active", table_name="model_versions")
    op.drop_index(op.f("ix_model_versions_status"), table_name="model_versions")
    op.drop_table("model_versions")

"""Events keep their score over time and the stream time of their clip's first frame.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 07:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(
            sa.Column("score_timeline", JSON, nullable=False, server_default=sa.text("'[]'"))
        )
        batch.add_column(sa.Column("clip_t0", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("clip_t0")
        batch.drop_column("score_timeline")

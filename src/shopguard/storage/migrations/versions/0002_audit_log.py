"""Audit log (append-only, enforced by triggers) and the ``poses`` evidence kind.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 09:00:00

``audit_log`` refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL) through triggers,
so neither the application nor a mistaken query can rewrite who saw what. Dropping the
table (a downgrade) is still possible for the database owner.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the model column types (see 0001).
TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
MESSAGE = "audit_log is append-only"

SQLITE_TRIGGERS = (
    f"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
)
POSTGRES_TRIGGERS = (
    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$",
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
)


def _kind(*values: str) -> sa.Enum:
    return sa.Enum(*values, name="evidence_kind", native_enum=False, create_constraint=True,
                   length=16)


OLD_KINDS = _kind("clip", "snapshot")
NEW_KINDS = _kind("clip", "snapshot", "poses")


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target_type", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.String(length=200), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.Column("detail", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    for column in ("action", "at", "camera_id", "target_id", "user_id"):
        op.create_index(op.f(f"ix_audit_log_{column}"), "audit_log", [column], unique=False)
    triggers = POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)
    _set_kinds(OLD_KINDS, NEW_KINDS)


def downgrade() -> None:
    op.execute("DELETE FROM evidence_objects WHERE kind = 'poses'")
    _set_kinds(NEW_KINDS, OLD_KINDS)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    for column in ("user_id", "target_id", "camera_id", "at", "action"):
        op.drop_index(op.f(f"ix_audit_log_{column}"), table_name="audit_log")
    op.drop_table("audit_log")  # SQLite drops the table's triggers with it


def _set_kinds(old: sa.Enum, new: sa.Enum) -> None:
    """Replace the CHECK constraint on ``evidence_objects.kind``."""
    if op.get_bind().dialect.name == "postgresql":
        name = op.f("ck_evidence_objects_evidence_kind")
        values = ", ".join(f"'{v}'" for v in new.enums)
        op.drop_constraint(name, "evidence_objects", type_="check")
        op.create_check_constraint(name, "evidence_objects", f"kind IN ({values})")
        return
    with op.batch_alter_table("evidence_objects") as batch:
        batch.alter_column("kind", existing_type=old, type_=new, existing_nullable=False)

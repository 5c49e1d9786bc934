"""outbox claims name their process; process_heartbeat says which processes are alive

A restarted bot takes back at once the rows a killed process had claimed, instead of
waiting for their lease (staffbot/dispatch_owner.py). And an index for the watch over
the applicant's documents (messages of one kind since a time).

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-10
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "process_heartbeat",
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("space", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("pid_start", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("started_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("beat_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("owner"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True)
        )
        batch_op.create_index("ix_outbox_kind_created", ["kind", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_kind_created")
        batch_op.drop_column("claimed_by")
    op.drop_table("process_heartbeat")

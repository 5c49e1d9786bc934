"""job_run: once-a-day jobs (morning digest, daily rekap) claimed per office day

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'job_run',
        sa.Column('job', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('claimed_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('sent', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('job', 'day'),
    )


def downgrade() -> None:
    op.drop_table('job_run')

"""cases.purged_at: personal data removed after the retention period (case purge)

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-25
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purged_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_cases_status_closed", ["status", "closed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_status_closed")
        batch_op.drop_column("purged_at")

"""berita_acara.status in the one stored vocabulary (English snake_case, as cases')

menunggu_ttd -> open, ditandatangani -> signed, ditolak -> rejected.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (before, after): written out here, not imported, so the migration keeps meaning
#: what it meant when it was written whatever storage/tables.py says later.
RENAMES = (("menunggu_ttd", "open"), ("ditandatangani", "signed"), ("ditolak", "rejected"))


def _rename(pairs: Sequence[tuple[str, str]]) -> None:
    statement = sa.text("UPDATE berita_acara SET status = :new WHERE status = :old")
    for old, new in pairs:
        op.execute(statement.bindparams(old=old, new=new))


def upgrade() -> None:
    _rename(RENAMES)


def downgrade() -> None:
    _rename([(new, old) for old, new in RENAMES])

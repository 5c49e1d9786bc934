"""Letters a clerk would sign: pangkat/jabatan of staff, desa of a case, the UPT of a
Berita Acara, and the per-year document number sequences (document_sequence)

Only nullable columns and a new table. The sequences the bot kept in `counter`
("surat:2026", "ba:2026") are copied, so numbering continues where it was.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: counter names (before) -> document kinds: written out here so the migration keeps
#: meaning what it meant when it was written.
COPIED = (("surat:", "surat"), ("ba:", "ba"))


def upgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pangkat", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("jabatan", sa.String(length=200), nullable=True))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("desa", sa.String(length=64), nullable=True))
    with op.batch_alter_table("berita_acara", schema=None) as batch_op:
        batch_op.add_column(sa.Column("upt", sa.String(length=120), nullable=True))
    op.create_table(
        "document_sequence",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "year"),
    )
    counters = sa.table("counter", sa.column("name", sa.String), sa.column("value", sa.Integer))
    sequences = sa.table(
        "document_sequence",
        sa.column("kind", sa.String),
        sa.column("year", sa.Integer),
        sa.column("value", sa.Integer),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(counters.c.name, counters.c.value)).all()
    copied = []
    for name, value in rows:
        for prefix, kind in COPIED:
            year = name[len(prefix) :]
            if name.startswith(prefix) and year.isdigit():
                copied.append({"kind": kind, "year": int(year), "value": int(value)})
    if copied:
        op.bulk_insert(sequences, copied)


def downgrade() -> None:
    # The numbers taken since go back to `counter`, so none is given out twice.
    bind = op.get_bind()
    taken = bind.execute(sa.text("SELECT kind, year, value FROM document_sequence")).all()
    for kind, year, value in taken:
        name = f"{kind}:{year}"
        updated = bind.execute(
            sa.text("UPDATE counter SET value = :value WHERE name = :name"),
            {"name": name, "value": value},
        )
        if updated.rowcount == 0:
            bind.execute(
                sa.text("INSERT INTO counter (name, value) VALUES (:name, :value)"),
                {"name": name, "value": value},
            )
    op.drop_table("document_sequence")
    with op.batch_alter_table("berita_acara", schema=None) as batch_op:
        batch_op.drop_column("upt")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("desa")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("jabatan")
        batch_op.drop_column("pangkat")

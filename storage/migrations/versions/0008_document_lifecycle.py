"""document lifecycle (status, version, supersedes, issuer) and the case's status-page code

Every document row gets a status (received, draft, signed, superseded, void), a version,
the links to the row it supersedes / is superseded by, when that happened, and the
issuer of the signer's certificate. Cases get the code of the applicant's public status
page. Existing rows are filled in as well as the rows themselves tell: the applicant's
files are received, signed rows signed, others drafts; within one document of a case or a
Berita Acara (its kind, the signed copy included) each later row supersedes the one
before it; the documents of a rejected Berita Acara are void. See
docs/decisions/0011-document-lifecycle.md.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""
import secrets
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out here, not imported, so the migration keeps meaning what it meant when it
# was written whatever storage/tables.py says later.
RECEIVED, DRAFT, SIGNED, SUPERSEDED, VOID = "received", "draft", "signed", "superseded", "void"
RECEIVED_KINDS = ("berkas",)


def upgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("issuer", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default=DRAFT)
        )
        batch_op.add_column(
            sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
        batch_op.add_column(sa.Column("supersedes_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("superseded_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("status_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            "fk_document_supersedes_id_document", "document", ["supersedes_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_document_superseded_by_id_document", "document", ["superseded_by_id"], ["id"]
        )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_code", sa.String(length=32), nullable=True))
    _backfill_documents()
    _backfill_status_codes()
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_cases_status_code", ["status_code"])


def _family(kind: str) -> str:
    return kind.removesuffix("_ttd")


def _backfill_documents() -> None:
    conn = op.get_bind()
    # typed, so SQLite's stored text comes back as the aware datetime written back below
    rows = conn.execute(
        sa.text(
            "SELECT id, case_id, ba_id, kind, signed, created_at FROM document ORDER BY id"
        ).columns(created_at=UTCDateTime(timezone=True))
    ).all()
    values: dict[int, dict[str, Any]] = {}
    lineages: dict[tuple[Any, Any, str], list[Any]] = defaultdict(list)
    for row in rows:
        if row.kind in RECEIVED_KINDS:
            values[row.id] = {"status": RECEIVED}
            continue
        values[row.id] = {"status": SIGNED if row.signed else DRAFT}
        if row.case_id is not None or row.ba_id is not None:
            lineages[(row.case_id, row.ba_id, _family(row.kind))].append(row)
    for lineage in lineages.values():
        version = 0
        previous = None
        for row in lineage:
            # a signed copy keeps the version of the draft it was signed from
            if previous is None or not (row.signed and not previous.signed):
                version += 1
            values[row.id]["version"] = version
            if previous is not None:
                values[previous.id].update(
                    status=SUPERSEDED, superseded_by_id=row.id, status_at=row.created_at
                )
                values[row.id]["supersedes_id"] = previous.id
            previous = row
    statement = sa.text(
        "UPDATE document SET status = :status, version = :version, supersedes_id = :supersedes_id,"
        " superseded_by_id = :superseded_by_id, status_at = :status_at WHERE id = :id"
    ).bindparams(sa.bindparam("status_at", type_=UTCDateTime(timezone=True)))
    for document_id, changes in values.items():
        conn.execute(
            statement,
            {
                "id": document_id,
                "status": changes["status"],
                "version": changes.get("version", 1),
                "supersedes_id": changes.get("supersedes_id"),
                "superseded_by_id": changes.get("superseded_by_id"),
                "status_at": changes.get("status_at"),
            },
        )
    # A Berita Acara the Kepala Dinas rejected: its documents are void from then on.
    rejected = conn.execute(
        sa.text("SELECT id, closed_at FROM berita_acara WHERE status = 'rejected'").columns(
            closed_at=UTCDateTime(timezone=True)
        )
    ).all()
    void = sa.text(
        "UPDATE document SET status = :void, status_at = :at"
        " WHERE ba_id = :ba AND status IN (:draft, :signed)"
    ).bindparams(sa.bindparam("at", type_=UTCDateTime(timezone=True)))
    for ba in rejected:
        conn.execute(
            void,
            {"void": VOID, "at": ba.closed_at, "ba": ba.id, "draft": DRAFT, "signed": SIGNED},
        )


def _backfill_status_codes() -> None:
    conn = op.get_bind()
    ids = [row.id for row in conn.execute(sa.text("SELECT id FROM cases")).all()]
    statement = sa.text("UPDATE cases SET status_code = :code WHERE id = :id")
    for case_id in ids:
        conn.execute(statement, {"code": secrets.token_urlsafe(16), "id": case_id})


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint("uq_cases_status_code", type_="unique")
        batch_op.drop_column("status_code")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_constraint("fk_document_superseded_by_id_document", type_="foreignkey")
        batch_op.drop_constraint("fk_document_supersedes_id_document", type_="foreignkey")
        batch_op.drop_column("status_at")
        batch_op.drop_column("superseded_by_id")
        batch_op.drop_column("supersedes_id")
        batch_op.drop_column("version")
        batch_op.drop_column("status")
        batch_op.drop_column("issuer")

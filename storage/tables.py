"""SQLModel tables. Times are aware UTC; ``version`` columns carry optimistic locking."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

# Status values, kept as plain strings in the database: one vocabulary (English
# snake_case) for every table; the words people read are in staffbot/texts.
CASE_OPEN = "open"
CASE_CLOSED = "closed"

OUTBOX_PENDING = "pending"
OUTBOX_SENT = "sent"
OUTBOX_FAILED = "failed"
OUTBOX_CANCELLED = "cancelled"

#: A Berita Acara moving through its steps (as a case is "open").
BA_OPEN = "open"
BA_SIGNED = "signed"
#: Sent back to the collecting step: its cases wait for a new Berita Acara.
BA_REJECTED = "rejected"

#: A document's place in its lifecycle (the register; docs/decisions/0011).
#: A file someone sent in (the applicant's berkas): kept, never issued by the office.
DOC_RECEIVED = "received"
#: Made by the office and not signed (yet).
DOC_DRAFT = "draft"
DOC_SIGNED = "signed"
#: A newer version of the same document exists: made again, or its signed copy.
DOC_SUPERSEDED = "superseded"
#: Rejected (the Kepala Dinas or the Kepala Bidang sent it back): not valid.
DOC_VOID = "void"


def _ts(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class Staff(SQLModel, table=True):
    __tablename__ = "staff"

    id: int | None = Field(default=None, primary_key=True)
    nip: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=120)
    telegram_id: int | None = Field(default=None, sa_type=BigInteger, unique=True)
    whatsapp: str | None = Field(default=None, max_length=20, unique=True)
    #: Where cards go: web, telegram or whatsapp.
    channel: str = Field(default="web", max_length=16)
    language: str | None = Field(default=None, max_length=5)
    #: Task cards as they come ("each") or gathered in one digest message ("digest"):
    #: the Kepala Dinas signs dozens a day.
    cards: str = Field(default="each", max_length=8, sa_column_kwargs={"server_default": "each"})
    supervisor_id: int | None = Field(default=None, foreign_key="staff.id")
    active: bool = True
    on_leave: bool = False
    delegate_id: int | None = Field(default=None, foreign_key="staff.id")
    pin_hash: str | None = Field(default=None, max_length=200)
    pin_failures: int = 0
    pin_locked_until: datetime | None = _ts(default=None)
    created_at: datetime = _ts()
    #: Pangkat/golongan as printed under the name in a signature block,
    #: e.g. "Pembina Utama Muda (IV/c)"; None for staff without one (non-ASN).
    pangkat: str | None = Field(default=None, max_length=80)
    #: Jabatan as documents write it, e.g. "Kepala Dinas Kependudukan dan Pencatatan
    #: Sipil Kabupaten Tanggamus"; None: the documents derive it from the role.
    jabatan: str | None = Field(default=None, max_length=200)

    # Every press asks who a staff member stands in for (storage.repos.staff.acting_roles).
    __table_args__ = (Index("ix_staff_delegate", "delegate_id"),)


class StaffRole(SQLModel, table=True):
    __tablename__ = "staff_role"

    staff_id: int = Field(foreign_key="staff.id", primary_key=True)
    role: str = Field(max_length=64, primary_key=True, index=True)


class Case(SQLModel, table=True):
    __tablename__ = "cases"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True)
    flow_key: str = Field(max_length=64)
    applicant_name: str = Field(max_length=120)
    nik: str = Field(max_length=16, index=True)
    #: The NIK's regency code is not one of the office's own (allowed, flagged).
    nik_outside: bool = False
    wa_number: str = Field(max_length=20, index=True)
    kecamatan: str = Field(max_length=64)
    layanan: str = Field(max_length=64)
    keluhan: str = Field(default="", max_length=2000)
    status: str = Field(default=CASE_OPEN, max_length=16)
    step: str = Field(max_length=64)
    version: int = 1
    registration_no: str | None = Field(default=None, max_length=32)
    ba_id: int | None = Field(default=None, foreign_key="berita_acara.id")
    #: A signing whose outcome is unknown: a person must check before anyone retries.
    needs_manual_check: bool = False
    created_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    closed_at: datetime | None = _ts(default=None)
    #: When `case purge` removed the applicant's personal data (retention period over).
    purged_at: datetime | None = _ts(default=None)
    #: Desa/pekon (village) of the applicant when known; the Berita Acara lists it.
    desa: str | None = Field(default=None, max_length=64)
    #: The unguessable code of the applicant's public status page (/s/<code>), printed
    #: as the QR of the bukti pendaftaran; not a document's verification code.
    status_code: str | None = Field(default=None, max_length=32, unique=True)

    __table_args__ = (
        Index("ix_cases_status_step", "status", "step"),
        Index("ix_cases_status_closed", "status", "closed_at"),
    )


class BeritaAcara(SQLModel, table=True):
    """A batch of cases handed over to one UPT (SOP steps 14-15)."""

    __tablename__ = "berita_acara"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=64, unique=True)
    year: int
    seq: int
    kecamatan: str = Field(max_length=64)
    status: str = Field(default=BA_OPEN, max_length=16)
    step: str = Field(max_length=64)
    version: int = 1
    created_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _ts()
    closed_at: datetime | None = _ts(default=None)
    #: The UPT the files are handed to (reference data maps kecamatan to UPT; one UPT
    #: may serve several kecamatan, then ``kecamatan`` lists them).
    upt: str | None = Field(default=None, max_length=120)

    __table_args__ = (UniqueConstraint("year", "seq"),)


class BeritaAcaraItem(SQLModel, table=True):
    """Membership of a case in a BA; kept after a rejected BA for the record."""

    __tablename__ = "berita_acara_item"

    ba_id: int = Field(foreign_key="berita_acara.id", primary_key=True)
    case_id: int = Field(foreign_key="cases.id", primary_key=True, index=True)


class Task(SQLModel, table=True):
    """One run of one step: of a case, or of a Berita Acara for per-batch steps."""

    __tablename__ = "task"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id")
    ba_id: int | None = Field(default=None, foreign_key="berita_acara.id")
    step: str = Field(max_length=64)
    role: str = Field(max_length=64)
    assignee_id: int | None = Field(default=None, foreign_key="staff.id")
    is_open: bool = True
    created_at: datetime = _ts()
    due_at: datetime | None = _ts(default=None)
    #: Set while the case waits on the applicant: the SLA clock stands still.
    paused_at: datetime | None = _ts(default=None)
    done_at: datetime | None = _ts(default=None)
    action: str | None = Field(default=None, max_length=32)
    outcome: str | None = Field(default=None, max_length=64)
    actor_id: int | None = Field(default=None, foreign_key="staff.id")
    on_behalf_of_id: int | None = Field(default=None, foreign_key="staff.id")
    note: str | None = Field(default=None, max_length=2000)
    escalation_level: int = -1
    #: When the next rung of the ladder is due; NULL when nothing more will fire.
    next_escalation_at: datetime | None = _ts(default=None)

    __table_args__ = (
        Index("ix_task_open_next_escalation", "is_open", "next_escalation_at"),
        Index("ix_task_case", "case_id", "is_open"),
        Index("ix_task_ba", "ba_id", "is_open"),
        Index("ix_task_role_open", "role", "is_open"),
        # The database itself refuses a second open task for one case: whatever
        # races above, a case is never at two steps at once.
        Index(
            "uq_task_one_open_per_case",
            "case_id",
            unique=True,
            sqlite_where=text("is_open = 1 AND case_id IS NOT NULL"),
            postgresql_where=text("is_open AND case_id IS NOT NULL"),
        ),
        Index(
            "uq_task_one_open_per_ba",
            "ba_id",
            unique=True,
            sqlite_where=text("is_open = 1 AND ba_id IS NOT NULL"),
            postgresql_where=text("is_open AND ba_id IS NOT NULL"),
        ),
    )


class RegistrationEntry(SQLModel, table=True):
    """The registration book of SOP step 6: one number per case, per-year sequence."""

    __tablename__ = "registration_book"

    id: int | None = Field(default=None, primary_key=True)
    year: int
    seq: int
    number: str = Field(max_length=32, unique=True)
    case_id: int = Field(foreign_key="cases.id", unique=True)
    wa_number: str = Field(max_length=20)
    registered_by: int | None = Field(default=None, foreign_key="staff.id")
    registered_at: datetime = _ts()

    __table_args__ = (UniqueConstraint("year", "seq"),)


class AuditEvent(SQLModel, table=True):
    """Append-only; ``hash`` covers the row and the previous row's hash (a chain)."""

    __tablename__ = "audit_event"

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = _ts()
    kind: str = Field(max_length=32)
    case_id: int | None = Field(default=None, index=True)
    ba_id: int | None = Field(default=None, index=True)
    task_id: int | None = None
    actor_id: int | None = None
    actor: str = Field(max_length=160)
    on_behalf_of: str | None = Field(default=None, max_length=160)
    action: str | None = Field(default=None, max_length=32)
    from_step: str | None = Field(default=None, max_length=64)
    to_step: str | None = Field(default=None, max_length=64)
    note: str | None = Field(default=None, max_length=2000)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The chain's last link, one row: appends lock it so the chain never forks."""

    __tablename__ = "audit_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = Field(max_length=64)


class Outbox(SQLModel, table=True):
    """A message to deliver, written in the same transaction as the change it reports."""

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = _ts()
    channel: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    #: card, edit, text, document, applicant
    kind: str = Field(max_length=16)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    idempotency_key: str = Field(max_length=160, unique=True)
    status: str = Field(default=OUTBOX_PENDING, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = _ts()
    last_error: str | None = Field(default=None, max_length=500)
    platform_message_id: str | None = Field(default=None, max_length=128)
    sent_at: datetime | None = _ts(default=None)
    #: For edits: the outbox row of the message being edited.
    ref_id: int | None = Field(default=None, foreign_key="outbox.id")
    #: What the platform reported after sending (WhatsApp: sent, delivered, read, failed).
    delivery_status: str | None = Field(default=None, max_length=16)
    delivery_status_at: datetime | None = _ts(default=None)
    #: The process (staffbot.dispatch_owner) holding the row while ``next_attempt_at``
    #: is its lease; None once rescheduled or released.
    claimed_by: str | None = Field(default=None, max_length=120)
    case_id: int | None = Field(default=None, foreign_key="cases.id")
    task_id: int | None = Field(default=None, foreign_key="task.id")
    ba_id: int | None = Field(default=None, foreign_key="berita_acara.id")

    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_chat", "channel", "chat_id", "id"),
        Index("ix_outbox_task", "task_id", "kind"),
        # WhatsApp status webhooks find their message by the platform's id.
        Index("ix_outbox_platform_message", "channel", "platform_message_id"),
        # The watch over the applicant's documents reads the last days' messages to them.
        Index("ix_outbox_kind_created", "kind", "created_at"),
    )


class ButtonToken(SQLModel, table=True):
    """An opaque button id: the server looks it up and checks everything again."""

    __tablename__ = "button_token"

    token: str = Field(max_length=24, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")
    action: str = Field(max_length=32)
    task_id: int | None = Field(default=None, foreign_key="task.id", index=True)
    #: Free-form target for non-task buttons (digest items, escalation actions, BA picks).
    target: str | None = Field(default=None, max_length=120)
    created_at: datetime = _ts()
    used_at: datetime | None = _ts(default=None)


class Document(SQLModel, table=True):
    """Every stored file: applicant uploads, generated and signed PDFs."""

    __tablename__ = "document"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    ba_id: int | None = Field(default=None, foreign_key="berita_acara.id", index=True)
    #: berkas, berkas_cetak, bukti_pendaftaran, hasil, hasil_ttd, berita_acara, ...
    kind: str = Field(max_length=32)
    filename: str = Field(max_length=200)
    mime_type: str = Field(max_length=100)
    #: Path relative to the data dir; random name, outside any web root.
    path: str = Field(max_length=300)
    size: int
    sha256: str = Field(max_length=64, index=True)
    #: Short code of the public verification page (/v/<code>).
    verify_code: str | None = Field(default=None, max_length=24, unique=True)
    signed: bool = False
    signer: str | None = Field(default=None, max_length=160)
    signed_at: datetime | None = _ts(default=None)
    #: Who issued the signer's certificate: "bsre" (BSrE, BSSN) or "local" (the
    #: office's own CA, `signing init`).
    issuer: str | None = Field(default=None, max_length=16)
    #: received, draft, signed, superseded or void (DOC_* above).
    status: str = Field(default=DOC_DRAFT, max_length=16)
    #: Counts the versions of one document of a case or a Berita Acara (its kind,
    #: signed copy included): made again is the next version, signed keeps it.
    version: int = 1
    #: The row this one replaces, and the row that replaced this one.
    supersedes_id: int | None = Field(default=None, foreign_key="document.id")
    superseded_by_id: int | None = Field(default=None, foreign_key="document.id")
    #: When it was superseded or voided.
    status_at: datetime | None = _ts(default=None)
    #: Rendering facts kept for later: where the TTE stamp goes, page count ...
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _ts()


class Conversation(SQLModel, table=True):
    """A form or prompt in progress in one chat; survives restarts."""

    __tablename__ = "conversation"

    chat_key: str = Field(max_length=100, primary_key=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    kind: str = Field(max_length=32)
    state: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    updated_at: datetime = _ts()


# The bookkeeping tables, registered with the case tables above.
from storage.bookkeeping import (  # noqa: E402
    ChatWindow,
    Counter,
    DocumentSequence,
    HolidayOverride,
    InviteCode,
    JobRun,
    LoginLink,
    ProcessedUpdate,
    ProcessHeartbeat,
    WebSession,
)

__all__ = [
    "ChatWindow",
    "Counter",
    "DocumentSequence",
    "HolidayOverride",
    "InviteCode",
    "JobRun",
    "LoginLink",
    "ProcessHeartbeat",
    "ProcessedUpdate",
    "WebSession",
]

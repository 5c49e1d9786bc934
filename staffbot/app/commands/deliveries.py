"""The messages sent to the applicant as staff see them with the case, the watch over
the applicant's documents (failed, or not delivered in time), and sending them again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from staffbot.app.command import Command
from staffbot.app.commands.cases import Who

#: What a message to the applicant was, from its idempotency key (texts "what.<key>").
INSTRUKSI, BERKAS_KURANG, TERDAFTAR, DOKUMEN = "instruksi", "berkas_kurang", "terdaftar", "dokumen"
#: Any other document, and the chat's automatic replies to what the applicant sent.
LAMPIRAN, BALASAN = "lampiran", "balasan"
#: How far a message got: the outbox's own states, then WhatsApp's statuses.
PENDING, RETRYING, SENT, DELIVERED, READ, FAILED, CANCELLED = (
    "pending",
    "retrying",
    "sent",
    "delivered",
    "read",
    "failed",
    "cancelled",
)
#: A failure reported at once, or a document still not delivered after the limit.
TROUBLE_FAILED, TROUBLE_LATE = "failed", "late"


@dataclass(frozen=True)
class DeliveryLine:
    """One message to the applicant, the phone number masked."""

    outbox_id: int
    #: instruksi, berkas_kurang, terdaftar, dokumen, lampiran, balasan
    what: str
    #: The document's file name, for a message that carried one.
    filename: str | None
    #: The applicant's number, masked (+62 812-****-7890).
    to: str
    queued_at: datetime
    sent_at: datetime | None
    #: pending, retrying, sent, delivered, read, failed, cancelled
    state: str
    #: When the platform reported the state (sent, delivered, read, failed).
    state_at: datetime | None
    #: Why it failed (the platform's words), or the last error of a message retried.
    error: str | None
    #: "template" (said again as a template for the 24-hour window) or "resend".
    again: str | None
    #: Who caused it (the staff member whose action sent it), if known.
    sender: str | None

    @property
    def is_document(self) -> bool:
        return self.filename is not None


@dataclass(frozen=True)
class WatchDeliveries(Command[int]):
    """The scheduler's look at the applicant's documents (every minute): alert the
    sender and the Kasi Inovasi, once, about each that failed, or that no delivery
    status reached after ``late_hours`` working hours (None: only failures). Returns
    the number of alerts queued."""

    now: datetime
    late_hours: float | None = None


@dataclass(frozen=True)
class ResendResult:
    number: str
    #: The file names of the documents queued again (none: nothing needed it).
    documents: tuple[str, ...]
    #: The number they go to, masked.
    to: str


@dataclass(frozen=True)
class ResendToApplicant(Command[ResendResult]):
    """Send the case's documents that did not reach the applicant again (the alert's
    button, chat /kirimulang, `case resend`): the sender of one of them, the PDF sender
    or the Kasi Inovasi."""

    who: Who
    ref: str

"""What the WhatsApp adapter asks the office to remember: its port to the application.

WhatsApp lets a business send free-form messages only within 24 hours of the person's
last message, and a status webhook may report later that a message failed for that.
The adapter decides what to send; what it must remember across processes (when each
phone last wrote, when a staff member was last invited, the delivery status of what
went out) belongs to the office's database, behind :class:`WhatsAppState`. The
adapter gets an implementation injected (use cases run through the message bus,
staffbot.services.whatsapp_state), so no channel module holds database state.

Only stdlib and storage-free modules here: the commands that carry these values import
this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from staffbot.messages import OutgoingMessage

WINDOW = timedelta(hours=24)
#: Our clock and Meta's differ a little; a message at the very edge would be refused.
WINDOW_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True)
class Templates:
    """Names of the approved message templates (docs/CHANNELS.md has their text)."""

    #: Staff, window closed: "a new task waits for you", quick reply "Lihat tugas".
    card: str = "staffbot_tugas_baru"
    #: Applicant, window closed: any message, as one body parameter.
    applicant: str = "staffbot_info_pengaduan"
    #: Applicant, window closed, with a document (the finished PDF) as its header.
    document: str = "staffbot_dokumen_selesai"
    language: str = "id"


@dataclass(frozen=True)
class Recipient:
    """What the office knows of a phone before a message goes to it."""

    phone: str
    #: An active staff member's number (they get an invitation, never a card template).
    is_staff: bool = False
    #: When the person last wrote to us (None: never, or the platform said it expired).
    last_inbound_at: datetime | None = None
    #: When we last sent them the staff invitation template.
    invited_at: datetime | None = None

    def window_open(self, now: datetime) -> bool:
        if self.last_inbound_at is None:
            return False
        return now - self.last_inbound_at < WINDOW - WINDOW_MARGIN

    def invited_since_reply(self) -> bool:
        """Invited after their last message: another invitation would say nothing new."""
        return self.invited_at is not None and (
            self.last_inbound_at is None or self.invited_at > self.last_inbound_at
        )

    def invitation_due(self, now: datetime) -> bool:
        """One invitation per closed window, and at most one a day, not one per card."""
        if self.invited_at is None or not self.invited_since_reply():
            return True
        return now - self.invited_at >= WINDOW


@dataclass(frozen=True)
class DeliveryStatus:
    """What a status webhook reported about a message we sent."""

    message_id: str
    #: sent, delivered, read or failed (anything else is ignored).
    status: str
    recipient: str
    #: Failed because the 24-hour window was closed (the platform's clock wins over ours).
    window_closed: bool = False
    #: Why it failed, as the platform said it ("131026 Message undeliverable").
    error: str = ""


class WhatsAppState(Protocol):
    """The office's memory of WhatsApp conversations, as the adapter needs it."""

    async def recipient(self, phone: str) -> Recipient:
        """The phone's window and whether it belongs to an active staff member."""
        ...

    async def note_inbound(self, phone: str, at: datetime) -> None:
        """The person wrote at ``at``: their window is open for 24 hours from then."""
        ...

    async def note_window_closed(self, phone: str) -> None:
        """The platform refused a free-form message: the window is closed."""
        ...

    async def note_invited(self, phone: str, at: datetime) -> None:
        """The staff invitation template went out at ``at``."""
        ...

    async def record_status(self, status: DeliveryStatus, templates: Templates) -> bool:
        """Record a status on our rows of that message (once per message, a failure
        for the closed window queues what failed again as ``templates``); False if no
        row of ours carries that message id (yet)."""
        ...


def card_title(rich: str) -> str:
    """A card's first line (its title), still in rich text: the template makes it plain."""
    return rich.strip().split("\n", 1)[0]


def as_template(original: OutgoingMessage, templates: Templates, *, staff: bool) -> OutgoingMessage:
    """A message the platform refused for the closed window, said again as a template:
    a staff member is invited to open their tasks, an applicant gets the text itself
    (the finished PDF as the template's document header)."""
    if staff:
        return OutgoingMessage(
            text=original.text,
            template=templates.card,
            template_params=(card_title(original.text),),
        )
    name = templates.document if original.attachment else templates.applicant
    return OutgoingMessage(
        text=original.text,
        attachment=original.attachment,
        template=name,
        template_params=(original.text,),
    )

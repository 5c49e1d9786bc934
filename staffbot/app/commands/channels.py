"""Commands of the chat channels' own bookkeeping: WhatsApp's 24-hour window and the
delivery statuses its webhook reports (the port the adapter sees is
staffbot.channels.whatsapp_port.WhatsAppState)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from staffbot.app.command import Command, Query
from staffbot.channels.whatsapp_port import DeliveryStatus, Recipient, Templates


@dataclass(frozen=True)
class ReadRecipient(Query[Recipient]):
    """A phone's 24-hour window, and whether an active staff member has that number."""

    phone: str


@dataclass(frozen=True)
class NoteInbound(Command[None]):
    """The person wrote at ``at``: their window is open for 24 hours from then."""

    phone: str
    at: datetime


@dataclass(frozen=True)
class NoteWindowClosed(Command[None]):
    """The platform refused a free-form message: the window is closed (its clock wins)."""

    phone: str


@dataclass(frozen=True)
class NoteInvited(Command[None]):
    """The staff invitation template went out to ``phone`` at ``at``."""

    phone: str
    at: datetime


@dataclass(frozen=True)
class RecordDeliveryStatus(Command[bool]):
    """A status webhook: recorded on our rows of that message; the result is False when
    no row carries that message id (yet). A failure for the closed window, the first
    time it is reported, queues what failed again as a template."""

    status: DeliveryStatus
    templates: Templates

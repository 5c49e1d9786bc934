"""The outbox as the admin sees it: messages waiting or failed, and sending one again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from staffbot.app.command import Command, Query


@dataclass(frozen=True)
class OutboxLine:
    id: int
    channel: str
    #: The chat: a WhatsApp number masked (+62 812-****-7890).
    chat: str
    kind: str
    status: str
    attempts: int
    error: str | None
    created_at: datetime
    #: What the platform reported after sending (WhatsApp: sent, delivered, read,
    #: failed) and when; None where a channel reports nothing.
    delivery_status: str | None = None
    delivery_status_at: datetime | None = None


@dataclass(frozen=True)
class ListOutbox(Query[list[OutboxLine]]):
    """The newest pending messages, or the failed ones, or the sent ones (with what the
    platform reported); or every message of one case."""

    failed: bool = False
    sent: bool = False
    #: A case number: all its messages, whatever their state.
    case: str | None = None


@dataclass(frozen=True)
class RetryOutbox(Command[None]):
    """Send a failed message again (the running bot's dispatcher picks it up)."""

    outbox_id: int

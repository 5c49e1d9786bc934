"""The outbox as the admin sees it: messages waiting or failed, and sending one again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from staffbot.app.command import Command, Query


@dataclass(frozen=True)
class OutboxLine:
    id: int
    channel: str
    chat: str
    kind: str
    status: str
    attempts: int
    error: str | None
    created_at: datetime


@dataclass(frozen=True)
class ListOutbox(Query[list[OutboxLine]]):
    """The newest pending messages, or the failed ones."""

    failed: bool = False


@dataclass(frozen=True)
class RetryOutbox(Command[None]):
    """Send a failed message again (the running bot's dispatcher picks it up)."""

    outbox_id: int

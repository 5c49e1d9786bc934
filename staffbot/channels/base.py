"""The chat port: neutral deliveries out, neutral events in.

A channel turns a :class:`Delivery` (send a message, edit one, delete one) into
platform calls and platform updates into :class:`Incoming` events. It has one
abstract method, :meth:`Channel.deliver`; everything else (pacing, retries, ordering)
is the outbox dispatcher's job. Platform errors are translated into the
staffbot.errors.ChannelError family with ``raise ... from exc``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import TracebackType
from typing import Literal, Self

from staffbot.messages import OutgoingMessage

DeliveryKind = Literal["send", "edit", "delete"]


class ChannelName(StrEnum):
    """The chat channels, by the name stored in outbox.channel and staff.channel (and
    carried by every incoming event): the one definition of these strings."""

    WEB = "web"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"


@dataclass(frozen=True)
class FileBlob:
    filename: str
    mime_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Delivery:
    """One platform call the dispatcher asks for."""

    chat_id: str
    kind: DeliveryKind
    message: OutgoingMessage
    #: For edits and deletes: the platform id of the message to change.
    message_id: str | None = None
    #: The attachment's bytes, loaded by the dispatcher from storage.
    document: FileBlob | None = None
    #: Stable across retries of the same outbox row (platforms that dedupe use it).
    idempotency_key: str = ""


@dataclass(frozen=True)
class Delivered:
    """What the platform answered: its id of the message, to edit it later."""

    message_id: str | None


@dataclass(frozen=True)
class Pacing:
    """A platform's flood limits, enforced by the dispatcher."""

    #: Minimum seconds between two messages to one private chat.
    per_chat_interval: float = 0.0
    #: Minimum seconds between two messages to one group chat.
    per_group_interval: float = 0.0
    #: Messages per second over all chats (0: unlimited).
    global_rate: float = 0.0


class Channel(ABC):
    """Base of every chat channel.

    Lifecycle: ``initialize()`` / ``shutdown()``, or ``async with``.
    """

    #: A :class:`ChannelName`: the value in outbox.channel and staff.channel.
    name: str = ""
    pacing: Pacing = Pacing()
    #: Whether the platform lets the bot delete a user's message (the PIN message).
    can_delete_user_messages: bool = False

    async def initialize(self) -> None:
        """Connect, check credentials (e.g. getMe). Idempotent."""
        return None

    async def shutdown(self) -> None:
        """Release connections. Idempotent."""
        return None

    async def __aenter__(self) -> Self:
        await self.initialize()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.shutdown()

    @abstractmethod
    async def deliver(self, delivery: Delivery) -> Delivered:
        """Perform one send / edit / delete. Raise a ChannelError subclass on failure:
        RetryAfter (flood control), ChannelUnavailable (transient), BadChannelRequest or
        RecipientUnreachable (permanent for this payload)."""

    def is_group(self, chat_id: str) -> bool:
        return False

    async def confirmed(self, delivery: Delivery) -> None:
        """Called once the delivery is recorded as sent (the web channel wakes its pages)."""
        return None


# -- incoming --------------------------------------------------------------------------


@dataclass(frozen=True)
class Incoming:
    channel: str
    chat_id: str
    #: The platform's id of the person (Telegram user id, WhatsApp phone, web staff id).
    user_id: str
    at: datetime
    #: Unique per platform update, for dropping redeliveries (None: no dedupe).
    update_id: str | None = None
    #: Display name the platform gave (for polite answers to strangers).
    user_name: str = ""


@dataclass(frozen=True)
class ChoicePressed(Incoming):
    token: str = ""
    #: The platform's message carrying the button (to edit it in place).
    message_id: str | None = None


@dataclass(frozen=True)
class TextReceived(Incoming):
    text: str = ""
    #: The platform id of this message (so a PIN message can be deleted).
    message_id: str | None = None


@dataclass(frozen=True)
class CommandReceived(Incoming):
    command: str = ""
    args: str = ""


@dataclass(frozen=True)
class FileReceived(Incoming):
    filename: str = ""
    mime_type: str = ""
    #: Loads the bytes (platforms hand out a file id first); size-checked by the handler.
    fetch: Callable[[], Awaitable[bytes]] | None = field(default=None, compare=False)
    size: int | None = None
    caption: str = ""


@dataclass(frozen=True)
class Answer:
    """What to show immediately to the person who pressed (a callback toast)."""

    text: str = ""
    alert: bool = False


EventHandler = Callable[[Incoming], Awaitable[Answer]]

"""Per-event helpers: who is talking, replying into their chat, conversation state.

A :class:`Turn` holds the turn's transaction (:class:`~staffbot.app.bus.Tx`): every read
and write of the turn is a command run on it, so the press, the conversation's record and
the replies commit together, or none of them does.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from staffbot.app.command import Command
from staffbot.app.commands.chat import (
    Button,
    EndConversation,
    IdentifyStaff,
    IssueButtons,
    QueueDelete,
    QueueReply,
    ReadConversation,
    SaveConversation,
    StaffView,
)
from staffbot.app.commands.conversations import ConversationRecord
from staffbot.channels.base import Incoming
from staffbot.messages import Choice, OutgoingMessage

if TYPE_CHECKING:
    from staffbot.app.bus import Tx
    from staffbot.services.context import Office

R = TypeVar("R")


@dataclass
class Turn:
    """One incoming event being handled, inside one transaction."""

    tx: Tx
    office: Office
    event: Incoming
    staff: StaffView | None
    replies: int = 0

    @property
    def lang(self) -> str:
        if self.staff is not None:
            return self.staff.language or self.office.language
        return self.office.language

    @property
    def chat_key(self) -> str:
        return f"{self.event.channel}:{self.event.chat_id}"

    @property
    def staff_id(self) -> int:
        """The id of the staff member talking (only asked once they are known)."""
        assert self.staff is not None
        return self.staff.id

    async def run(self, command: Command[R]) -> R:
        return await self.tx.run(command)

    def _key(self) -> str:
        self.replies += 1
        base = self.event.update_id or uuid.uuid4().hex
        return f"reply:{self.event.channel}:{self.event.chat_id}:{base}:{self.replies}"

    async def reply(
        self,
        message: OutgoingMessage,
        *,
        kind: str = "text",
        case_id: int | None = None,
        task_id: int | None = None,
    ) -> None:
        """Queue a message to the chat the event came from (delivered by the outbox)."""
        await self.run(
            QueueReply(
                self.event.channel,
                self.event.chat_id,
                self.staff.id if self.staff else None,
                message,
                key=self._key(),
                kind=kind,
                case_id=case_id,
                task_id=task_id,
            )
        )

    async def delete_message(self, message_id: str) -> None:
        """Ask the platform to delete one of the person's messages (the PIN)."""
        await self.run(
            QueueDelete(
                self.event.channel,
                self.event.chat_id,
                self.staff.id if self.staff else None,
                message_id,
                key=self._key() + ":delete",
            )
        )

    async def choices(self, buttons: Sequence[Button]) -> tuple[Choice, ...]:
        """Buttons bound to the person talking."""
        return await self.run(IssueButtons(self.staff_id, tuple(buttons)))

    # -- conversation state ---------------------------------------------------------

    async def conversation(self) -> ConversationRecord | None:
        return await self.run(ReadConversation(self.chat_key))

    async def remember(self, record: ConversationRecord) -> None:
        await self.run(
            SaveConversation(self.chat_key, record, self.staff.id if self.staff else None)
        )

    async def forget(self) -> None:
        await self.run(EndConversation(self.chat_key))


async def identify(tx: Tx, event: Incoming) -> StaffView | None:
    """The staff member behind an event, by the platform's user id."""
    return await tx.run(IdentifyStaff(event.channel, event.user_id))

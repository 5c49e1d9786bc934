"""Per-event helpers: who is talking, replying into their chat, conversation state."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from staffbot.channels.base import Incoming
from staffbot.messages import Choice, OutgoingMessage
from staffbot.services import notify
from staffbot.services.context import Office
from storage.tables import ButtonToken, Conversation, Staff
from storage.uow import UnitOfWork


@dataclass
class Turn:
    """One incoming event being handled, inside one unit of work."""

    uow: UnitOfWork
    office: Office
    event: Incoming
    staff: Staff | None
    replies: int = 0

    @property
    def lang(self) -> str:
        if self.staff is not None:
            return notify.staff_language(self.office, self.staff)
        return self.office.language

    @property
    def chat_key(self) -> str:
        return f"{self.event.channel}:{self.event.chat_id}"

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
        await notify.queue(
            self.uow,
            self.office,
            address=notify.Address(self.event.channel, self.event.chat_id),
            kind=kind,
            message=message,
            key=self._key(),
            staff=self.staff,
            case_id=case_id,
            task_id=task_id,
        )

    async def delete_message(self, message_id: str) -> None:
        """Ask the platform to delete one of the person's messages (the PIN)."""
        await notify.queue(
            self.uow,
            self.office,
            address=notify.Address(self.event.channel, self.event.chat_id),
            kind="delete",
            message=OutgoingMessage(text=""),
            key=self._key() + ":delete",
            staff=self.staff,
            extra={"message_id": message_id},
        )

    async def choices(
        self, items: Sequence[tuple[str, str, str | None, int | None]]
    ) -> tuple[Choice, ...]:
        """Buttons that are not task actions: (label, action, target, task_id)."""
        assert self.staff is not None and self.staff.id is not None
        now = self.office.now()
        tokens = [
            ButtonToken(
                token=notify.new_token(),
                staff_id=self.staff.id,
                action=action,
                target=target,
                task_id=task_id,
                created_at=now,
            )
            for _, action, target, task_id in items
        ]
        await self.uow.outbox.add_tokens(tokens)
        return tuple(
            Choice(label, tok.token) for (label, *_), tok in zip(items, tokens, strict=True)
        )

    # -- conversation state ---------------------------------------------------------

    async def conversation(self) -> Conversation | None:
        return await self.uow.conversations.get(self.chat_key)

    async def remember(self, kind: str, state: dict[str, Any]) -> None:
        await self.uow.conversations.put(
            self.chat_key,
            kind=kind,
            state=state,
            staff_id=self.staff.id if self.staff else None,
            at=self.office.now(),
        )

    async def forget(self) -> None:
        await self.uow.conversations.delete(self.chat_key)


async def identify(uow: UnitOfWork, event: Incoming) -> Staff | None:
    """The staff member behind an event, by the platform's user id."""
    if event.channel == "web":
        return await uow.staff.get(int(event.user_id)) if event.user_id.isdigit() else None
    if event.channel == "telegram":
        return (
            await uow.staff.by_telegram(int(event.user_id))
            if event.user_id.lstrip("-").isdigit()
            else None
        )
    if event.channel == "whatsapp":
        return await uow.staff.by_whatsapp(event.user_id)
    return None

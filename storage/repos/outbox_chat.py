"""The outbox read as chats: a chat's messages, its open prompt, a person's digest.

A base of :class:`storage.repos.outbox.OutboxRepository` (the same rows; kept apart so
each module reads in one sitting).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import Outbox

#: The key prefix of an edit that redraws a prompt and leaves it open (a checklist).
REDRAW = "redraw:"

__all__ = ["REDRAW", "ChatReads"]


class ChatReads:
    session: AsyncSession

    async def _settle(self) -> None:
        raise NotImplementedError

    async def latest_of_kind(self, staff_id: int, kind: str) -> Outbox | None:
        """A person's newest row of one kind (their task digest)."""
        await self._settle()
        statement = (
            select(Outbox)
            .where(Outbox.staff_id == staff_id, Outbox.kind == kind)
            .order_by(col(Outbox.id).desc())
            .limit(1)
        )
        return (await self.session.exec(statement)).first()

    async def latest_edit_of(self, row_id: int) -> Outbox | None:
        await self._settle()
        statement = (
            select(Outbox)
            .where(Outbox.ref_id == row_id, Outbox.kind == "edit")
            .order_by(col(Outbox.id).desc())
            .limit(1)
        )
        return (await self.session.exec(statement)).first()

    async def for_chat(
        self, channel: str, chat_id: str, *, after_id: int = 0, limit: int = 500
    ) -> Sequence[Outbox]:
        await self._settle()
        statement = (
            select(Outbox)
            .where(Outbox.channel == channel, Outbox.chat_id == chat_id, col(Outbox.id) > after_id)
            .order_by(col(Outbox.id))
            .limit(limit)
        )
        return (await self.session.exec(statement)).all()

    async def open_prompt(
        self, channel: str, chat_id: str, *, task_id: int | None = None
    ) -> Outbox | None:
        """The chat's latest prompt (a reply of kind "prompt": it carries choices) that
        no edit has spent yet; the one about ``task_id`` when given."""
        await self._settle()
        edit = aliased(Outbox)
        spent = exists().where(
            col(edit.ref_id) == col(Outbox.id), ~col(edit.idempotency_key).startswith(REDRAW)
        )
        statement = (
            select(Outbox)
            .where(Outbox.channel == channel, Outbox.chat_id == chat_id, Outbox.kind == "prompt")
            .where(~spent)
            .order_by(col(Outbox.id).desc())
            .limit(1)
        )
        if task_id is not None:
            statement = statement.where(col(Outbox.task_id) == task_id)
        return (await self.session.exec(statement)).first()

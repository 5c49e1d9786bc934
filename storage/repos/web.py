"""Queries of the web channel: login links, sessions, transcripts, the office view.

Used as ``WebRepository(uow.session)`` inside a unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import CASE_OPEN, OUTBOX_SENT, Case, LoginLink, Outbox, WebSession


class WebRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- login links ---------------------------------------------------------------

    async def add_login_link(self, link: LoginLink) -> None:
        self.session.add(link)
        await self.session.flush()

    async def use_login_link(self, token_hash: str, now: datetime) -> int | None:
        """Mark an unused, unexpired link used (compare-and-set); its staff id, or None.

        Two browsers opening the same link at once: exactly one wins.
        """
        result = await self.session.exec(
            update(LoginLink)
            .where(
                col(LoginLink.token_hash) == token_hash,
                col(LoginLink.used_at).is_(None),
                col(LoginLink.expires_at) > now,
            )
            .values(used_at=now)
            .returning(col(LoginLink.staff_id))
            .execution_options(synchronize_session=False)
        )
        row = result.first()
        return int(row[0]) if row is not None else None

    async def login_link_owner(self, token_hash: str, now: datetime) -> int | None:
        """The staff id of an unused, unexpired link, without using it."""
        row = await self.session.get(LoginLink, token_hash)
        if row is None or row.used_at is not None or row.expires_at <= now:
            return None
        return row.staff_id

    async def purge_login_links(self, before: datetime) -> None:
        await self.session.exec(delete(LoginLink).where(col(LoginLink.expires_at) < before))

    # -- sessions ------------------------------------------------------------------------

    async def add_session(self, row: WebSession) -> None:
        self.session.add(row)
        await self.session.flush()

    async def get_session(self, id_hash: str) -> WebSession | None:
        return await self.session.get(WebSession, id_hash)

    async def delete_session(self, id_hash: str) -> None:
        await self.session.exec(delete(WebSession).where(col(WebSession.id_hash) == id_hash))

    async def purge_sessions(self, now: datetime) -> None:
        await self.session.exec(delete(WebSession).where(col(WebSession.expires_at) <= now))

    # -- transcripts -----------------------------------------------------------------------

    async def sent_after(
        self, channel: str, chat_id: str, *, after_id: int, limit: int
    ) -> Sequence[Outbox]:
        """Delivered rows of one chat with id > after_id, oldest first."""
        statement = (
            select(Outbox)
            .where(
                Outbox.channel == channel,
                Outbox.chat_id == chat_id,
                Outbox.status == OUTBOX_SENT,
                col(Outbox.id) > after_id,
            )
            .order_by(col(Outbox.id))
            .limit(limit)
        )
        return (await self.session.exec(statement)).all()

    async def sent_last(self, channel: str, chat_id: str, *, limit: int) -> Sequence[Outbox]:
        """The newest ``limit`` delivered rows of one chat, oldest first."""
        statement = (
            select(Outbox)
            .where(
                Outbox.channel == channel,
                Outbox.chat_id == chat_id,
                Outbox.status == OUTBOX_SENT,
            )
            .order_by(col(Outbox.id).desc())
            .limit(limit)
        )
        return list(reversed((await self.session.exec(statement)).all()))

    async def chats_of_channel(self, channel: str, *, limit: int = 200) -> list[tuple[str, int]]:
        """Chats with delivered rows on a channel: (chat_id, rows), newest activity first."""
        statement = (
            select(col(Outbox.chat_id), func.count(), func.max(col(Outbox.id)))
            .where(Outbox.channel == channel, Outbox.status == OUTBOX_SENT)
            .group_by(col(Outbox.chat_id))
            .order_by(func.max(col(Outbox.id)).desc())
            .limit(limit)
        )
        return [(str(chat), int(n)) for chat, n, _ in (await self.session.exec(statement)).all()]

    async def document_sent_to(self, channel: str, chat_id: str, document_id: int) -> bool:
        """Whether a delivered row of this chat carries that document."""
        rows = await self.session.exec(
            select(Outbox.payload).where(
                Outbox.channel == channel,
                Outbox.chat_id == chat_id,
                Outbox.status == OUTBOX_SENT,
            )
        )
        for payload in rows.all():
            attachment = payload.get("attachment") if isinstance(payload, dict) else None
            if attachment and int(attachment.get("document_id", 0)) == document_id:
                return True
        return False

    # -- office view -------------------------------------------------------------------

    async def open_cases_per_step(self) -> dict[str, int]:
        statement = (
            select(col(Case.step), func.count())
            .where(Case.status == CASE_OPEN)
            .group_by(col(Case.step))
        )
        return {str(step): int(n) for step, n in (await self.session.exec(statement)).all()}

    async def cases_per_kecamatan(self) -> list[tuple[str, str, int]]:
        """(kecamatan, status, count) over all cases."""
        statement = (
            select(col(Case.kecamatan), col(Case.status), func.count())
            .group_by(col(Case.kecamatan), col(Case.status))
            .order_by(col(Case.kecamatan))
        )
        return [(str(k), str(s), int(n)) for k, s, n in (await self.session.exec(statement)).all()]

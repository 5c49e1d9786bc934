"""Queries for personal data: who a case reached (access to its files) and the purge of
closed cases after the retention period.

Used as ``PrivacyRepository(uow.session)`` inside a unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, false, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import (
    CASE_CLOSED,
    CASE_OPEN,
    BeritaAcaraItem,
    Case,
    ChatWindow,
    Conversation,
    Document,
    Outbox,
    RegistrationEntry,
    Task,
)


class PrivacyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- who a case reached ------------------------------------------------------------

    async def case_reached(self, case_id: int, staff_id: int, roles: frozenset[str]) -> bool:
        """The case was at a step of one of ``roles``, or this person recorded it, acted on
        it, was assigned it or was sent one of its messages."""
        touched = or_(
            col(Task.assignee_id) == staff_id,
            col(Task.actor_id) == staff_id,
            col(Task.role).in_(sorted(roles)) if roles else false(),
        )
        statement = select(
            exists().where(col(Case.id) == case_id, col(Case.created_by) == staff_id)
            | exists().where(col(Task.case_id) == case_id, touched)
            | exists().where(col(Outbox.case_id) == case_id, col(Outbox.staff_id) == staff_id)
        )
        return bool((await self.session.exec(statement)).one())

    async def ba_reached(self, ba_id: int, staff_id: int, roles: frozenset[str]) -> bool:
        touched = or_(
            col(Task.assignee_id) == staff_id,
            col(Task.actor_id) == staff_id,
            col(Task.role).in_(sorted(roles)) if roles else false(),
        )
        statement = select(
            exists().where(col(Task.ba_id) == ba_id, touched)
            | exists().where(col(Outbox.ba_id) == ba_id, col(Outbox.staff_id) == staff_id)
        )
        return bool((await self.session.exec(statement)).one())

    # -- the purge ----------------------------------------------------------------------

    async def purgeable_cases(self, cutoff: datetime, *, limit: int) -> Sequence[Case]:
        statement = (
            select(Case)
            .where(
                Case.status == CASE_CLOSED,
                col(Case.closed_at) < cutoff,
                col(Case.purged_at).is_(None),
            )
            .order_by(col(Case.id))
            .limit(limit)
        )
        return (await self.session.exec(statement)).all()

    async def documents_of_cases(self, case_ids: Sequence[int]) -> Sequence[Document]:
        statement = select(Document).where(col(Document.case_id).in_(list(case_ids)))
        return (await self.session.exec(statement.order_by(col(Document.id)))).all()

    async def fully_purged_bas(self, case_ids: Sequence[int]) -> list[int]:
        """Berita Acara of these cases whose every case is purged (or being purged now)."""
        items = await self.session.exec(
            select(BeritaAcaraItem.ba_id).where(col(BeritaAcaraItem.case_id).in_(list(case_ids)))
        )
        candidates = sorted(set(items.all()))
        done = []
        for ba_id in candidates:
            others = select(func.count()).where(
                col(BeritaAcaraItem.ba_id) == ba_id,
                col(BeritaAcaraItem.case_id) == Case.id,
                col(Case.purged_at).is_(None),
                col(Case.id).not_in(list(case_ids)),
            )
            if int((await self.session.exec(others)).one()) == 0:
                done.append(ba_id)
        return done

    async def documents_of_bas(self, ba_ids: Sequence[int]) -> Sequence[Document]:
        statement = select(Document).where(col(Document.ba_id).in_(list(ba_ids)))
        return (await self.session.exec(statement.order_by(col(Document.id)))).all()

    async def forget_document(self, document: Document, *, filename: str, at: datetime) -> None:
        await self.session.exec(
            update(Document)
            .where(col(Document.id) == document.id)
            .values(path="", filename=filename, meta={**document.meta, "purged_at": at.isoformat()})
            .execution_options(synchronize_session=False)
        )

    async def forget_cases(self, case_ids: Sequence[int], *, at: datetime) -> None:
        await self.session.exec(
            update(Case)
            .where(col(Case.id).in_(list(case_ids)))
            .values(applicant_name="", nik="", wa_number="", keluhan="", desa=None, purged_at=at)
            .execution_options(synchronize_session=False)
        )
        await self.session.exec(
            update(RegistrationEntry)
            .where(col(RegistrationEntry.case_id).in_(list(case_ids)))
            .values(wa_number="")
            .execution_options(synchronize_session=False)
        )

    async def outbox_of_cases(self, case_ids: Sequence[int]) -> Sequence[Outbox]:
        statement = select(Outbox).where(col(Outbox.case_id).in_(list(case_ids)))
        return (await self.session.exec(statement.order_by(col(Outbox.id)))).all()

    async def outbox_without_case(self, *, after_id: int, limit: int) -> Sequence[Outbox]:
        statement = (
            select(Outbox)
            .where(col(Outbox.case_id).is_(None), col(Outbox.id) > after_id)
            .order_by(col(Outbox.id))
            .limit(limit)
        )
        return (await self.session.exec(statement)).all()

    async def rewrite_outbox(
        self, outbox_id: int, *, payload: dict[str, Any], chat_id: str | None = None
    ) -> None:
        values: dict[str, Any] = {"payload": payload}
        if chat_id is not None:
            values["chat_id"] = chat_id
        await self.session.exec(
            update(Outbox)
            .where(col(Outbox.id) == outbox_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    async def conversations(self) -> Sequence[Conversation]:
        return (await self.session.exec(select(Conversation))).all()

    async def drop_conversation(self, chat_key: str) -> None:
        await self.session.exec(
            delete(Conversation)
            .where(col(Conversation.chat_key) == chat_key)
            .execution_options(synchronize_session=False)
        )

    async def task_ids_of_cases(self, case_ids: Sequence[int]) -> set[int]:
        rows = await self.session.exec(select(Task.id).where(col(Task.case_id).in_(list(case_ids))))
        return {int(i) for i in rows.all() if i is not None}

    async def drop_windows(self, phones: Sequence[str]) -> int:
        """Forget the WhatsApp window of numbers no open case uses any more."""
        still_used = select(Case.wa_number).where(
            Case.status == CASE_OPEN, col(Case.wa_number).in_(list(phones))
        )
        used = set((await self.session.exec(still_used)).all())
        gone = [p for p in phones if p and p not in used]
        if not gone:
            return 0
        result = await self.session.exec(
            delete(ChatWindow)
            .where(col(ChatWindow.phone).in_(gone))
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)


__all__ = ["PrivacyRepository"]

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.audit_chain import GENESIS, chain_hash
from storage.tables import AuditEvent, AuditHead


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def append(
        self,
        *,
        at: datetime,
        kind: str,
        actor: str,
        actor_id: int | None = None,
        on_behalf_of: str | None = None,
        case_id: int | None = None,
        ba_id: int | None = None,
        task_id: int | None = None,
        action: str | None = None,
        from_step: str | None = None,
        to_step: str | None = None,
        note: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> AuditEvent:
        # Bumping the head row first takes its lock (PostgreSQL) inside this
        # transaction, so concurrent appends queue up and the chain never forks.
        bumped = await self.session.exec(
            update(AuditHead)
            .where(col(AuditHead.id) == 1)
            .values(seq=AuditHead.seq + 1)
            .returning(col(AuditHead.seq), col(AuditHead.hash))
        )
        row = bumped.first()
        if row is None:
            raise RuntimeError("audit_head is missing: run `migrate`")
        seq, prev_hash = int(row[0]), str(row[1])
        fields: dict[str, Any] = {
            "seq": seq,
            "at": at,
            "kind": kind,
            "case_id": case_id,
            "ba_id": ba_id,
            "task_id": task_id,
            "actor_id": actor_id,
            "actor": actor,
            "on_behalf_of": on_behalf_of,
            "action": action,
            "from_step": from_step,
            "to_step": to_step,
            "note": note,
            "data": data or {},
        }
        digest = chain_hash(prev_hash, fields)
        event = AuditEvent(prev_hash=prev_hash, hash=digest, **fields)
        self.session.add(event)
        await self.session.exec(update(AuditHead).where(col(AuditHead.id) == 1).values(hash=digest))
        await self.session.flush()
        return event

    async def head(self) -> AuditHead | None:
        return await self.session.get(AuditHead, 1)

    async def for_case(self, case_id: int) -> Sequence[AuditEvent]:
        statement = select(AuditEvent).where(AuditEvent.case_id == case_id)
        return (await self.session.exec(statement.order_by(col(AuditEvent.seq)))).all()

    async def for_ba(self, ba_id: int) -> Sequence[AuditEvent]:
        statement = select(AuditEvent).where(AuditEvent.ba_id == ba_id)
        return (await self.session.exec(statement.order_by(col(AuditEvent.seq)))).all()

    async def count(self) -> int:
        result = await self.session.exec(select(func.count()).select_from(AuditEvent))
        return int(result.one())

    async def stream(self, batch: int = 2000) -> AsyncIterator[AuditEvent]:
        last = 0
        while True:
            statement = (
                select(AuditEvent)
                .where(col(AuditEvent.seq) > last)
                .order_by(col(AuditEvent.seq))
                .limit(batch)
            )
            rows = (await self.session.exec(statement)).all()
            if not rows:
                return
            for event in rows:
                yield event
            last = rows[-1].seq


__all__ = ["GENESIS", "AuditRepository"]

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
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

    async def append_many(self, events: Sequence[Mapping[str, Any]]) -> int:
        """Append ``events`` (the keyword arguments of :meth:`append`) in order, with one
        head bump and one multi-row insert: the same chain as appending them one by one,
        for jobs that write hundreds of events in one transaction (the escalation scan)."""
        if not events:
            return 0
        count = len(events)
        bumped = await self.session.exec(
            update(AuditHead)
            .where(col(AuditHead.id) == 1)
            .values(seq=AuditHead.seq + count)
            .returning(col(AuditHead.seq), col(AuditHead.hash))
        )
        row = bumped.first()
        if row is None:
            raise RuntimeError("audit_head is missing: run `migrate`")
        first, prev_hash = int(row[0]) - count + 1, str(row[1])
        rows: list[dict[str, Any]] = []
        for offset, given in enumerate(events):
            fields: dict[str, Any] = {
                "seq": first + offset,
                "at": given["at"],
                "kind": given["kind"],
                "case_id": given.get("case_id"),
                "ba_id": given.get("ba_id"),
                "task_id": given.get("task_id"),
                "actor_id": given.get("actor_id"),
                "actor": given["actor"],
                "on_behalf_of": given.get("on_behalf_of"),
                "action": given.get("action"),
                "from_step": given.get("from_step"),
                "to_step": given.get("to_step"),
                "note": given.get("note"),
                "data": dict(given.get("data") or {}),
            }
            digest = chain_hash(prev_hash, fields)
            rows.append({**fields, "prev_hash": prev_hash, "hash": digest})
            prev_hash = digest
        await self.session.exec(insert(AuditEvent), params=rows)
        await self.session.exec(
            update(AuditHead).where(col(AuditHead.id) == 1).values(hash=prev_hash)
        )
        return count

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

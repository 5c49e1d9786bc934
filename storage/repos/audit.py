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
    """The hash-chained audit trail.

    Appends are collected and written when the unit of work commits (:meth:`flush`):
    one head bump and one multi-row insert per transaction, however many events it
    has, in the order they were appended. The head row is locked (PostgreSQL) only for
    the last moments of the transaction instead of from its first event on, so
    transactions that render a PDF do not hold every other writer back.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._pending: list[tuple[dict[str, Any], AuditEvent]] = []

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
        """Add an event to the chain when this transaction commits; the returned event
        gets its ``seq`` and hashes then."""
        fields: dict[str, Any] = {
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
            "data": dict(data or {}),
        }
        event = AuditEvent(seq=0, prev_hash="", hash="", **fields)
        self._pending.append((fields, event))
        return event

    async def append_many(self, events: Sequence[Mapping[str, Any]]) -> int:
        """Append ``events`` (the keyword arguments of :meth:`append`) in order."""
        for event in events:
            await self.append(**event)
        return len(events)

    def discard(self) -> None:
        """Forget the events of a rolled-back transaction."""
        self._pending.clear()

    async def flush(self) -> int:
        """Write the collected events: one head bump, one insert, one head update."""
        events, self._pending = self._pending, []
        if not events:
            return 0
        count = len(events)
        # Bumping the head row takes its lock (PostgreSQL) inside this transaction,
        # so concurrent appends queue up and the chain never forks.
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
        for offset, (given, event) in enumerate(events):
            fields = {"seq": first + offset, **given}
            digest = chain_hash(prev_hash, fields)
            rows.append({**fields, "prev_hash": prev_hash, "hash": digest})
            event.seq, event.prev_hash, event.hash = first + offset, prev_hash, digest
            prev_hash = digest
        await self.session.exec(insert(AuditEvent), params=rows)
        await self.session.exec(
            update(AuditHead).where(col(AuditHead.id) == 1).values(hash=prev_hash)
        )
        return count

    async def head(self) -> AuditHead | None:
        await self.flush()
        return await self.session.get(AuditHead, 1)

    async def for_case(self, case_id: int) -> Sequence[AuditEvent]:
        await self.flush()
        statement = select(AuditEvent).where(AuditEvent.case_id == case_id)
        return (await self.session.exec(statement.order_by(col(AuditEvent.seq)))).all()

    async def for_ba(self, ba_id: int) -> Sequence[AuditEvent]:
        await self.flush()
        statement = select(AuditEvent).where(AuditEvent.ba_id == ba_id)
        return (await self.session.exec(statement.order_by(col(AuditEvent.seq)))).all()

    async def count(self) -> int:
        await self.flush()
        result = await self.session.exec(select(func.count()).select_from(AuditEvent))
        return int(result.one())

    async def stream(self, batch: int = 2000) -> AsyncIterator[AuditEvent]:
        await self.flush()
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

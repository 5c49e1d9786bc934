"""Read-only queries for reports and /metrics."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import OUTBOX_FAILED, AuditEvent, Case, Outbox, Task


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def tasks_done_between(self, low: datetime, high: datetime) -> Sequence[Task]:
        """Tasks a staff member finished in [low, high)."""
        statement = select(Task).where(
            col(Task.done_at) >= low, col(Task.done_at) < high, col(Task.actor_id).is_not(None)
        )
        return (await self.session.exec(statement)).all()

    async def places_done_between(
        self, step: str, action: str, low: datetime, high: datetime
    ) -> Sequence[tuple[str, str]]:
        """(kecamatan, layanan) of each case whose ``step`` ended with ``action`` then."""
        statement = (
            select(Case.kecamatan, Case.layanan)
            .join(Task, col(Task.case_id) == col(Case.id))
            .where(
                Task.step == step,
                Task.action == action,
                col(Task.done_at) >= low,
                col(Task.done_at) < high,
            )
        )
        return (await self.session.exec(statement)).all()

    async def gauges(self, now: datetime) -> dict[str, int]:
        """Counts for /metrics."""
        session = self.session

        async def count(statement: object) -> int:
            return int((await session.exec(statement)).one())  # type: ignore[call-overload]

        return {
            "failed": await count(
                select(func.count()).select_from(Outbox).where(Outbox.status == OUTBOX_FAILED)
            ),
            "transitions": await count(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "transition")
            ),
            "open_tasks": await count(
                select(func.count()).select_from(Task).where(col(Task.is_open))
            ),
            "overdue": await count(
                select(func.count())
                .select_from(Task)
                .where(col(Task.is_open), col(Task.due_at) < now, col(Task.paused_at).is_(None))
            ),
            "escalations": await count(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "escalation")
            ),
        }

"""Queries of the SLA scan, the digests and the daily rekap, and the once-a-day claims.

The scan reads ``ix_task_open_next_escalation (is_open, next_escalation_at)``: its
cost follows the number of tasks whose next rung is due, not the size of the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    cast,
    column,
    func,
    or_,
    update,
    values,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from storage.repos.misc import dialect_of
from storage.tables import CASE_CLOSED, BeritaAcara, Case, JobRun, Outbox, Task
from storage.types import UTCDateTime

#: Rows per multi-row INSERT: SQLite allows 32,766 bound parameters per statement.
_CHUNK = 500


@dataclass(frozen=True)
class Claim:
    """Move a task's ladder from ``old_level`` to ``new_level``, next rung at ``next_at``."""

    task_id: int
    old_level: int
    new_level: int
    next_at: datetime | None


def due_statement(now: datetime, *, limit: int) -> SelectOfScalar[Task]:
    """Open tasks whose next rung is due, oldest first: a range scan of the index.

    ``is_open = true`` is spelled out (not ``WHERE is_open``) so that SQLite can use the
    index's first column too.
    """
    return (
        select(Task)
        .where(col(Task.is_open) == True, col(Task.next_escalation_at) <= now)  # noqa: E712
        .order_by(col(Task.next_escalation_at), col(Task.id))
        .limit(limit)
    )


class EscalationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return dialect_of(self.session)

    # -- the scan -------------------------------------------------------------------------

    async def any_due(self, now: datetime) -> bool:
        statement = (
            select(col(Task.id))
            .where(col(Task.is_open) == True, col(Task.next_escalation_at) <= now)  # noqa: E712
            .limit(1)
        )
        return (await self.session.exec(statement)).first() is not None

    async def due(self, now: datetime, *, limit: int) -> Sequence[Task]:
        """Due tasks, locked for this transaction; on PostgreSQL rows another scan holds
        are skipped (``FOR UPDATE SKIP LOCKED``), on SQLite the writer lock serialises."""
        statement = due_statement(now, limit=limit)
        if self.dialect == "postgresql":
            statement = statement.with_for_update(skip_locked=True)
        return (await self.session.exec(statement)).all()

    async def claim_many(self, claims: Sequence[Claim]) -> set[int]:
        """Compare-and-set on the ladder position of many tasks, one statement per chunk:
        ``UPDATE task ... FROM (VALUES ...) v WHERE id = v.id AND is_open AND
        escalation_level = v.old RETURNING id``. Each row is its own CAS (exactly one
        claimant moves it from ``old``); the ids that won are returned."""
        won: set[int] = set()
        for start in range(0, len(claims), _CHUNK):
            part = claims[start : start + _CHUNK]
            wanted = values(
                column("id", Integer),
                column("old", Integer),
                column("new", Integer),
                column("next_at", UTCDateTime()),
                name="wanted",
            ).data([(c.task_id, c.old_level, c.new_level, c.next_at) for c in part])
            # SQLite cannot name the columns of a VALUES subquery: a CTE can, on both
            wanted_rows = wanted.cte("wanted")
            next_at: ColumnElement[Any] = wanted_rows.c.next_at
            if self.dialect == "postgresql":
                # a chunk whose rungs are all NULL would leave the VALUES column untyped
                next_at = cast(next_at, UTCDateTime())
            statement = (
                update(Task)
                .where(
                    col(Task.id) == wanted_rows.c.id,
                    col(Task.is_open),
                    col(Task.escalation_level) == wanted_rows.c.old,
                )
                .values(escalation_level=wanted_rows.c.new, next_escalation_at=next_at)
                .returning(col(Task.id))
                .execution_options(synchronize_session=False)
            )
            result = await self.session.exec(statement)
            won.update(int(row[0]) for row in result.all())
        return won

    async def insert_outbox(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert outbox rows; a row whose idempotency key exists is skipped, so even a
        race between two scans cannot queue the same alert twice."""
        if not rows:
            return 0
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        inserted = 0
        for start in range(0, len(rows), _CHUNK):
            statement = (
                insert(Outbox)
                .values([dict(r) for r in rows[start : start + _CHUNK]])
                .on_conflict_do_nothing(index_elements=[col(Outbox.idempotency_key)])
            )
            result = await self.session.exec(statement)
            inserted += int(getattr(result, "rowcount", 0) or 0)
        return inserted

    # -- once a day -------------------------------------------------------------------------

    async def claim_day(self, job: str, day: date, *, at: datetime, owner: str) -> bool:
        """Insert the (job, day) row; False when another run has it (or had it)."""
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        statement = (
            insert(JobRun)
            .values(job=job, day=day, claimed_at=at, owner=owner[:120], sent=0)
            .on_conflict_do_nothing(index_elements=[col(JobRun.job), col(JobRun.day)])
        )
        result = await self.session.exec(statement)
        return bool(getattr(result, "rowcount", 0) == 1)

    async def set_sent(self, job: str, day: date, sent: int) -> None:
        await self.session.exec(
            update(JobRun)
            .where(col(JobRun.job) == job, col(JobRun.day) == day)
            .values(sent=sent)
            .execution_options(synchronize_session=False)
        )

    # -- digests and the rekap ----------------------------------------------------------------

    async def open_tasks_for(
        self, roles: Iterable[str], staff_ids: Iterable[int], *, limit: int = 5000
    ) -> Sequence[Task]:
        """Open tasks of these roles that nobody claimed, plus those assigned to these
        staff (whatever their role: a takeover gives a supervisor a task of another)."""
        wanted, mine = sorted(set(roles)), sorted(set(staff_ids))
        conditions: list[ColumnElement[bool]] = []
        if wanted:
            conditions.append(and_(col(Task.role).in_(wanted), col(Task.assignee_id).is_(None)))
        if mine:
            conditions.append(col(Task.assignee_id).in_(mine))
        if not conditions:
            return []
        statement = (
            select(Task)
            .where(col(Task.is_open), or_(*conditions))
            .order_by(col(Task.due_at).asc().nulls_last(), col(Task.id))
            .limit(limit)
        )
        return (await self.session.exec(statement)).all()

    async def cases_opened(self, start: datetime, end: datetime) -> dict[str, int]:
        statement = (
            select(Case.kecamatan, func.count())
            .where(col(Case.created_at) >= start, col(Case.created_at) < end)
            .group_by(col(Case.kecamatan))
        )
        return {k: int(n) for k, n in (await self.session.exec(statement)).all()}

    async def cases_finished(self, start: datetime, end: datetime) -> dict[str, int]:
        statement = (
            select(Case.kecamatan, func.count())
            .where(
                Case.status == CASE_CLOSED,
                col(Case.closed_at) >= start,
                col(Case.closed_at) < end,
            )
            .group_by(col(Case.kecamatan))
        )
        return {k: int(n) for k, n in (await self.session.exec(statement)).all()}

    async def overdue_by_kecamatan(self, now: datetime) -> dict[str, int]:
        """Open tasks past their due time (not paused), per kecamatan of the case or BA."""
        per_case = (
            select(Case.kecamatan, func.count())
            .join(Task, col(Task.case_id) == col(Case.id))
            .where(col(Task.is_open), col(Task.due_at) < now, col(Task.paused_at).is_(None))
            .group_by(col(Case.kecamatan))
        )
        per_ba = (
            select(BeritaAcara.kecamatan, func.count())
            .join(Task, col(Task.ba_id) == col(BeritaAcara.id))
            .where(col(Task.is_open), col(Task.due_at) < now, col(Task.paused_at).is_(None))
            .group_by(col(BeritaAcara.kecamatan))
        )
        out: dict[str, int] = {}
        for statement in (per_case, per_ba):
            for kecamatan, count in (await self.session.exec(statement)).all():
                out[kecamatan] = out.get(kecamatan, 0) + int(count)
        return out

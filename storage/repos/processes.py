"""The heartbeats of the processes that claim outbox rows (staffbot.dispatch_owner).

Used as ``ProcessRepository(uow.session)`` by the dispatcher's claim keeper; not one of
the unit of work's attributes (no use case reads it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.repos.misc import dialect_of
from storage.tables import ProcessHeartbeat


class ProcessRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def beat(self, me: ProcessHeartbeat, at: datetime) -> None:
        """Say this process is alive at ``at`` (its row made again if another process
        removed it, having taken it for dead)."""
        insert = postgresql.insert if dialect_of(self.session) == "postgresql" else sqlite.insert
        statement = (
            insert(ProcessHeartbeat)
            .values(
                owner=me.owner,
                pid=me.pid,
                space=me.space,
                pid_start=me.pid_start,
                started_at=me.started_at,
                beat_at=at,
            )
            .on_conflict_do_update(
                index_elements=[col(ProcessHeartbeat.owner)], set_={"beat_at": at}
            )
        )
        await self.session.exec(statement)

    async def all(self) -> Sequence[ProcessHeartbeat]:
        statement = select(ProcessHeartbeat).order_by(col(ProcessHeartbeat.owner))
        return (await self.session.exec(statement)).all()

    async def forget(self, owners: Sequence[str]) -> None:
        if owners:
            await self.session.exec(
                delete(ProcessHeartbeat).where(col(ProcessHeartbeat.owner).in_(list(owners)))
            )

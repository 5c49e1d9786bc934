"""The async unit of work: one transaction, the repositories over it, commit or roll back."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database
from storage.repos.audit import AuditRepository
from storage.repos.cases import CaseRepository
from storage.repos.misc import (
    ConversationRepository,
    CounterRepository,
    DocumentRepository,
    HolidayRepository,
    ProcessedRepository,
    dialect_of,
)
from storage.repos.outbox import OutboxRepository
from storage.repos.reports import ReportRepository
from storage.repos.staff import StaffRepository
from storage.repos.tasks import TaskRepository


class UnitOfWork:
    """``async with db.uow() as uow: ...; await uow.commit()``.

    Leaving the block without ``commit()`` rolls everything back. After a commit
    that wrote outbox rows, the database's commit listeners run (they wake the
    outbox dispatcher, so delivery starts without waiting for a poll).
    """

    def __init__(self, db: Database, *, readonly: bool = False) -> None:
        self._db = db
        self._readonly = readonly
        self._session: AsyncSession | None = None
        self.wrote_outbox = False

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside 'async with'")
        return self._session

    @property
    def dialect(self) -> str:
        return dialect_of(self.session)

    async def __aenter__(self) -> Self:
        engine = self._db.read_engine if self._readonly else self._db.write_engine
        self._session = AsyncSession(engine, expire_on_commit=False, autoflush=False)
        session = self._session
        self.staff = StaffRepository(session)
        self.cases = CaseRepository(session)
        self.tasks = TaskRepository(session)
        self.audit = AuditRepository(session)
        self.outbox = OutboxRepository(session)
        self.counters = CounterRepository(session)
        self.documents = DocumentRepository(session)
        self.conversations = ConversationRepository(session)
        self.holidays = HolidayRepository(session)
        self.processed = ProcessedRepository(session)
        self.reports = ReportRepository(session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back anything uncommitted but, unlike rollback(), keeps the
        # loaded objects' state, so results can be read after the block.
        try:
            await self.session.close()
        finally:
            self._session = None

    async def commit(self) -> None:
        if self._readonly:
            raise RuntimeError("read-only unit of work cannot commit")
        await self.session.commit()
        if self.wrote_outbox:
            self.wrote_outbox = False
            self._db.notify_commit()

    async def rollback(self) -> None:
        await self.session.rollback()

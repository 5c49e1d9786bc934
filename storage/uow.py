"""The async unit of work: one transaction, the repositories over it, commit or roll back."""

from __future__ import annotations

import asyncio
import weakref
from types import TracebackType
from typing import TYPE_CHECKING, Self

from sqlmodel.ext.asyncio.session import AsyncSession

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

if TYPE_CHECKING:
    from storage.db import Database


class _WriterQueue:
    """Writers of one SQLite database in this process take turns, first come first served.

    SQLite has one writer at a time (``BEGIN IMMEDIATE``). Without a queue, a second
    writer learns that only from SQLITE_BUSY and sleeps in its busy handler in steps of
    up to 100 ms, long after the lock came free: under load, presses and deliveries
    waited for those sleeps. Here a writer waits on an asyncio lock instead and starts
    the moment the previous one finished. Re-entrant per task (a unit of work opened
    inside another behaves as before); other processes still meet the busy handler.
    """

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self._depth = 0

    async def enter(self) -> None:
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            self._depth += 1
            return
        await self._lock.acquire()
        self._owner = task
        self._depth = 1

    def leave(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
            self._lock.release()


_writer_queues: weakref.WeakKeyDictionary[Database, _WriterQueue] = weakref.WeakKeyDictionary()


def _writer_queue(db: Database) -> _WriterQueue:
    queue = _writer_queues.get(db)
    if queue is None or queue.loop is not asyncio.get_running_loop():
        queue = _writer_queues[db] = _WriterQueue()
    return queue


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
        self._queue: _WriterQueue | None = None
        self.wrote_outbox = False

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside 'async with'")
        return self._session

    @property
    def readonly(self) -> bool:
        return self._readonly

    @property
    def dialect(self) -> str:
        return dialect_of(self.session)

    async def __aenter__(self) -> Self:
        if not self._readonly and self._db.is_sqlite:
            queue = _writer_queue(self._db)
            await queue.enter()
            self._queue = queue
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
            self._leave_queue()

    def _leave_queue(self) -> None:
        queue, self._queue = self._queue, None
        if queue is not None:
            queue.leave()

    async def commit(self) -> None:
        if self._readonly:
            raise RuntimeError("read-only unit of work cannot commit")
        await self.outbox.flush_staged()
        await self.audit.flush()
        await self.session.commit()
        self._leave_queue()
        if self.wrote_outbox:
            self.wrote_outbox = False
            self._db.notify_commit()

    async def rollback(self) -> None:
        self.audit.discard()
        self.outbox.discard()
        await self.session.rollback()

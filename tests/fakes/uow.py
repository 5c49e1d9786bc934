"""The fake database and its unit of work: storage.db.Database and storage.uow.UnitOfWork
in memory, attribute for attribute, for the handler tests (milliseconds, no SQL)."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any, NoReturn, Self

from sqlmodel import SQLModel

from storage.db import CommitListeners
from tests.fakes.repos_small import (
    FakeConversationRepository,
    FakeCounterRepository,
    FakeDocumentRepository,
    FakeHolidayRepository,
    FakeProcessedRepository,
    FakeReportRepository,
)
from tests.fakes.repos_trail import FakeAuditRepository, FakeOutboxRepository
from tests.fakes.repos_work import FakeCaseRepository, FakeStaffRepository, FakeTaskRepository
from tests.fakes.schema import Row
from tests.fakes.store import Store, Tx
from tests.fakes.unfaked import not_in_fake


class _WriterTurns:
    """Write transactions take turns, first come first served, re-entrant per task:
    what storage.uow._WriterQueue and SQLite's one writer give the real database. So
    two presses at once run one after the other, and the second sees the first."""

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


class FakeSession:
    """The two session calls handlers make (``add``, ``flush``); anything else is SQL,
    which the fake does not speak."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    def add(self, entity: SQLModel) -> None:
        self._tx.add(entity)

    async def flush(self) -> None:
        self._tx.flush()

    def __getattr__(self, name: str) -> NoReturn:
        not_in_fake(f"AsyncSession.{name} (raw SQL through uow.session)")


class FakeUnitOfWork:
    """``async with db.uow() as uow: ...; await uow.commit()``, as storage.uow.UnitOfWork:
    the same repositories (in memory), ``wrote_outbox``, commit listeners after a commit
    that wrote outbox rows, and leaving without commit rolls everything back."""

    def __init__(self, db: FakeDatabase, *, readonly: bool = False) -> None:
        self._db = db
        self._readonly = readonly
        self._tx: Tx | None = None
        self._turns: _WriterTurns | None = None
        self.wrote_outbox = False

    @property
    def session(self) -> FakeSession:
        if self._tx is None:
            raise RuntimeError("unit of work used outside 'async with'")
        return FakeSession(self._tx)

    @property
    def dialect(self) -> str:
        return self._db.dialect

    async def __aenter__(self) -> Self:
        if not self._readonly:
            turns = self._db.writer_turns()
            await turns.enter()
            self._turns = turns
        tx = self._tx = Tx(self._db.store, readonly=self._readonly)
        self.staff = FakeStaffRepository(tx)
        self.cases = FakeCaseRepository(tx)
        self.tasks = FakeTaskRepository(tx)
        self.audit = FakeAuditRepository(tx)
        self.outbox = FakeOutboxRepository(tx)
        self.counters = FakeCounterRepository(tx)
        self.documents = FakeDocumentRepository(tx)
        self.conversations = FakeConversationRepository(tx)
        self.holidays = FakeHolidayRepository(tx)
        self.processed = FakeProcessedRepository(tx)
        self.reports = FakeReportRepository(tx)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._tx is not None:
                self._tx.close()
        finally:
            self._tx = None
            self._leave_turns()

    def _leave_turns(self) -> None:
        turns, self._turns = self._turns, None
        if turns is not None:
            turns.leave()

    def _open(self) -> Tx:
        if self._tx is None:
            raise RuntimeError("unit of work used outside 'async with'")
        return self._tx

    async def commit(self) -> None:
        if self._readonly:
            raise RuntimeError("read-only unit of work cannot commit")
        tx = self._open()
        await self.outbox.flush_staged()
        await self.audit.flush()
        tx.commit()
        self._leave_turns()
        if self.wrote_outbox:
            self.wrote_outbox = False
            self._db.notify_commit()

    async def rollback(self) -> None:
        self.audit.discard()
        self.outbox.discard()
        self._open().rollback()


class FakeDatabase(CommitListeners):
    """storage.db.Database in memory: ``uow(readonly=False)``, commit listeners and the
    lifecycle calls; ``snapshot()`` gives every committed row, for "nothing written"."""

    url = "fake://"
    dialect = "fake"
    is_sqlite = False

    def __init__(self) -> None:
        self.store = Store()
        self._turns: _WriterTurns | None = None
        super().__init__()

    def writer_turns(self) -> _WriterTurns:
        if self._turns is None or self._turns.loop is not asyncio.get_running_loop():
            self._turns = _WriterTurns()
        return self._turns

    def uow(self, *, readonly: bool = False) -> FakeUnitOfWork:
        return FakeUnitOfWork(self, readonly=readonly)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def ping(self) -> bool:
        return True

    @property
    def write_engine(self) -> Any:
        not_in_fake("Database.write_engine (SQL)")

    @property
    def read_engine(self) -> Any:
        not_in_fake("Database.read_engine (SQL)")

    def snapshot(self) -> dict[str, list[Row]]:
        """Every committed row of every table (copies), ordered by key."""
        return self.store.snapshot()

"""Engines and the database lifecycle (SQLite with WAL, or PostgreSQL via asyncpg)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from storage import sqlite_driver
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How long an SQLite writer waits for the lock before "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 15_000


class CommitListeners:
    """Who is told after a unit of work that wrote outbox rows commits (the dispatcher
    wakes up); shared by the database and the tests' in-memory fake of it."""

    def __init__(self) -> None:
        self._commit_listeners: list[Callable[[], None]] = []

    def add_commit_listener(self, listener: Callable[[], None]) -> None:
        """Called after every unit of work that wrote outbox rows commits."""
        self._commit_listeners.append(listener)

    def remove_commit_listener(self, listener: Callable[[], None]) -> None:
        if listener in self._commit_listeners:
            self._commit_listeners.remove(listener)

    def notify_commit(self) -> None:
        for listener in list(self._commit_listeners):
            try:
                listener()
            except Exception:  # a listener must never undo a committed change
                log.exception("commit listener failed")


class Database(CommitListeners):
    """Owns the engines. ``initialize()`` / ``shutdown()`` or ``async with``.

    SQLite gets two engines: writers begin with ``BEGIN IMMEDIATE`` so a
    transaction takes the write lock before it reads (no read-then-upgrade
    deadlocks), readers use deferred transactions and never wait under WAL.
    """

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        pool_size: int = 10,
        busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
    ) -> None:
        self.url = url
        self.busy_timeout_ms = busy_timeout_ms
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        self._echo = echo
        self._pool_size = pool_size
        self._write: AsyncEngine | None = None
        self._read: AsyncEngine | None = None
        super().__init__()

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @property
    def write_engine(self) -> AsyncEngine:
        if self._write is None:
            raise RuntimeError("Database.initialize() was not called")
        return self._write

    @property
    def read_engine(self) -> AsyncEngine:
        if self._read is None:
            raise RuntimeError("Database.initialize() was not called")
        return self._read

    async def initialize(self) -> None:
        if self._write is not None:
            return
        if self.is_sqlite:
            database = make_url(self.url).database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            self._write = self._sqlite_engine(immediate=True)
            self._read = self._sqlite_engine(immediate=False)
        else:
            self._write = create_async_engine(
                self.url,
                echo=self._echo,
                # error messages (and so logs) never carry the row values: personal data
                hide_parameters=True,
                pool_size=self._pool_size,
                max_overflow=self._pool_size,
                pool_pre_ping=True,
                pool_recycle=1800,
            )
            self._read = self._write

    def _sqlite_engine(self, *, immediate: bool) -> AsyncEngine:
        engine = create_async_engine(
            self.url,
            echo=self._echo,
            hide_parameters=True,
            connect_args={
                "timeout": self.busy_timeout_ms / 1000,
                # one thread hop per statement instead of four (storage/sqlite_driver.py)
                "async_creator_fn": sqlite_driver.connect,
            },
        )
        begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
            # Take transaction control away from the driver so that our BEGIN is used.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql(begin)

        return engine

    async def shutdown(self) -> None:
        engines = {id(e): e for e in (self._write, self._read) if e is not None}
        self._write = self._read = None
        for engine in engines.values():
            await engine.dispose()

    async def __aenter__(self) -> Self:
        await self.initialize()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.shutdown()

    def uow(self, *, readonly: bool = False) -> UnitOfWork:
        return UnitOfWork(self, readonly=readonly)

    async def ping(self) -> bool:
        try:
            async with self.read_engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except (OSError, DBAPIError, RuntimeError):
            return False
        return True


def url_password(url: str) -> str | None:
    """The password in a database URL (for the log scrubber), if any."""
    try:
        password = make_url(url).password
    except Exception:  # a malformed URL fails later, with its own message
        return None
    return str(password) if password else None


def is_transient(exc: BaseException) -> bool:
    """Errors after which the whole transaction can safely be run again."""
    if isinstance(exc, OperationalError):
        message = str(exc).lower()
        if "database is locked" in message or "database table is locked" in message:
            return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        code = getattr(getattr(exc, "orig", None), "sqlstate", None) or getattr(
            getattr(exc, "orig", None), "pgcode", None
        )
        # serialization_failure, deadlock_detected, connection failures, admin shutdown
        if code in {"40001", "40P01", "57P01", "57P02", "57P03", "08000", "08003", "08006"}:
            return True
        name = type(getattr(exc, "orig", None)).__name__
        if name in {
            "ConnectionDoesNotExistError",
            "CannotConnectNowError",
            "InterfaceError",
            "ConnectionFailureError",
        }:
            return True
    return isinstance(exc, (ConnectionError, TimeoutError))


async def retrying(
    work: Callable[[], Awaitable[T]], *, attempts: int = 8, base_delay: float = 0.05
) -> T:
    """Run ``work`` (one whole unit of work) again after a transient database error."""
    for attempt in range(1, attempts + 1):
        try:
            return await work()
        except Exception as exc:
            if attempt == attempts or not is_transient(exc):
                raise
            delay = min(base_delay * 2 ** (attempt - 1), 2.0)
            log.warning("transient database error (attempt %s), retrying: %s", attempt, exc)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")

"""aiosqlite with one thread hop per statement.

aiosqlite runs every sqlite3 call on the connection's own thread, and SQLAlchemy's
adapter makes four such calls per statement: create a cursor, execute, fetch the rows,
close the cursor. Each is a round trip through a queue to the thread and back through
the event loop; a transition's dozen statements made some fifty, and each waited its
turn behind whatever else the loop had to do (deliveries, other presses).

Here a statement is one call: the cursor is made on the thread when the statement runs,
its rows are fetched in the same call and handed back with the result, and closing
it is queued without waiting. Everything else is aiosqlite as it is (same thread, same
sqlite3 connection, same errors). SQLAlchemy opens connections through
:func:`connect` (its aiosqlite dialect's ``async_creator_fn``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

import aiosqlite


class _Cursor(aiosqlite.Cursor):
    """An aiosqlite cursor whose sqlite3 cursor is made, used and read in one call."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.iter_chunk_size = conn._iter_chunk_size
        self._conn = conn
        self._cursor: sqlite3.Cursor | None = None  # type: ignore[assignment]
        self._rows: list[Any] = []

    def _sqlite_cursor(self) -> sqlite3.Cursor:
        # on the connection's thread
        if self._cursor is None:
            self._cursor = self._conn._conn.cursor()
        return self._cursor

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> _Cursor:
        params = [] if parameters is None else parameters

        def run() -> list[Any]:
            cursor = self._sqlite_cursor()
            cursor.execute(sql, params)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []

        self._rows = await self._conn._execute(run)  # type: ignore[no-untyped-call]
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> _Cursor:
        def run() -> list[Any]:
            cursor = self._sqlite_cursor()
            cursor.executemany(sql, parameters)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []

        self._rows = await self._conn._execute(run)  # type: ignore[no-untyped-call]
        return self

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        count = size if size is not None else (self._cursor.arraysize if self._cursor else 1)
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def fetchall(self) -> Sequence[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def close(self) -> None:
        self._rows = []
        if self._cursor is not None:
            # Closing frees the statement; nobody needs to wait for that. The closed
            # cursor stays referenced: rowcount and lastrowid are read after close.
            self._conn._tx.put_nowait((None, self._cursor.close))

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount if self._cursor is not None else -1

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid if self._cursor is not None else None

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize if self._cursor is not None else 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        if self._cursor is not None:
            self._cursor.arraysize = value

    @property
    def description(self) -> Any:
        return self._cursor.description if self._cursor is not None else None


class _NewCursor:
    """What ``Connection.cursor()`` returns: awaitable, and an async context manager."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._made = _Cursor(conn)

    def __await__(self) -> Any:
        yield from ()
        return self._made

    async def __aenter__(self) -> _Cursor:
        return self._made

    async def __aexit__(self, *exc: object) -> None:
        await self._made.close()


class Connection(aiosqlite.Connection):
    def cursor(self) -> _NewCursor:  # type: ignore[override]
        return _NewCursor(self)


def connect(database: str, **kwargs: Any) -> Connection:
    """Open a connection (await the result), as ``aiosqlite.connect`` does."""
    connection = Connection(partial(sqlite3.connect, database, **kwargs), iter_chunk_size=64)
    connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite's own connect
    return connection

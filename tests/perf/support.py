"""What both performance guards listen to: the SQL a block of code sends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from storage.db import Database

Sent = list[tuple[str, Any]]


@contextmanager
def statements_sent(db: Database) -> Iterator[Sent]:
    """Every statement (SQL, parameters) sent on the database's engines inside the block."""
    seen: Sent = []

    def listen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_a: Any) -> None:
        seen.append((statement, parameters))

    engines = {id(e.sync_engine): e.sync_engine for e in (db.write_engine, db.read_engine)}
    for engine in engines.values():
        event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        for engine in engines.values():
            event.remove(engine, "before_cursor_execute", listen)

"""The hot queries read an index, on SQLite and on PostgreSQL (EXPLAIN, not a stopwatch).

Each query is captured as the repository sends it (SQL and parameters) and explained on
the same connection. SQLite: the plan must not SCAN the table the query is about.
PostgreSQL: with sequential scans switched off the planner must find an index (on a
small table it would rightly prefer a sequential scan, so the switch asks whether an
index *can* serve the query, which is what breaks when an index goes missing).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from storage.db import Database
from storage.repos.escalation import EscalationRepository
from storage.uow import UnitOfWork
from tests.perf.support import Sent, statements_sent
from tests.support import Desk

Captured = Sent


def hot(sent: Captured) -> Captured:
    """The reads and writes worth explaining (not BEGIN, INSERT or COMMIT)."""
    starts = ("SELECT", "UPDATE", "DELETE", "WITH")
    return [(sql, params) for sql, params in sent if sql.lstrip().upper().startswith(starts)]


async def plans(db: Database, queries: Captured) -> list[Any]:
    """SQLite: the plan's lines; PostgreSQL: the plan as JSON."""
    found: list[Any] = []
    async with db.write_engine.connect() as conn:
        if not db.is_sqlite:
            await conn.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in queries:
            if db.is_sqlite:
                explain = "EXPLAIN QUERY PLAN " + statement
                rows = (await conn.exec_driver_sql(explain, parameters)).all()
                found.append([str(row[-1]) for row in rows])
            else:
                explain = "EXPLAIN (FORMAT JSON) " + statement
                plan = (await conn.exec_driver_sql(explain, parameters)).scalar_one()
                found.append(json.loads(plan) if isinstance(plan, str) else plan)
        await conn.rollback()
    return found


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def full_scans(plan: Any, table: str, *, sqlite: bool) -> list[str]:
    """The steps of the plan that read the whole of ``table`` (or all of an index on it)."""
    if sqlite:
        # "SCAN outbox" reads every row; "SEARCH outbox USING INDEX ..." does not
        return [line for line in plan if line.strip().startswith(f"SCAN {table}")]
    return [
        f"{node['Node Type']} on {table}"
        for root in plan
        for node in _nodes(root["Plan"])
        if node.get("Relation Name") == table
        and (
            node["Node Type"] == "Seq Scan"
            or (node["Node Type"] in ("Index Scan", "Index Only Scan") and "Index Cond" not in node)
        )
    ]


Query = Callable[[UnitOfWork], Awaitable[Any]]


async def hot_queries(desk: Desk) -> dict[str, tuple[str, Query]]:
    """name -> (table, the repository call), on a database with cases at several steps."""
    numbers = [(await desk.new_case()).number for _ in range(6)]
    for number in numbers[:3]:
        await desk.advance_to(number, "loket")
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(numbers[0])
        assert case is not None and case.id is not None
        task = await uow.tasks.open_for_case(case.id)
        assert task is not None and task.id is not None
        cards = await uow.outbox.cards_of_task(task.id)
        token = "x" * 12
        for row in cards:
            for choice in row.payload.get("choices", []):
                token = choice["token"]
    now = desk.office.now()
    later = now + timedelta(days=30)
    case_id, task_id, staff_id = case.id, task.id, cards[0].staff_id or 0

    return {
        "outbox due (dispatcher pass)": (
            "outbox",
            lambda uow: uow.outbox.due(now, channels=["web", "telegram", "whatsapp"]),
        ),
        "outbox next row of a chat": (
            "outbox",
            lambda uow: uow.outbox.claim_next("web", [cards[0].chat_id], now=now, lease_until=now),
        ),
        "outbox cards of a task": ("outbox", lambda uow: uow.outbox.cards_of_task(task_id)),
        "outbox of a chat (web transcript)": (
            "outbox",
            lambda uow: uow.outbox.for_chat("web", cards[0].chat_id),
        ),
        "button token": ("button_token", lambda uow: uow.outbox.token(token)),
        "open task of a case": ("task", lambda uow: uow.tasks.open_for_case(case_id)),
        "case by number": ("cases", lambda uow: uow.cases.by_number(numbers[1])),
        "holders of a role": ("staff_role", lambda uow: uow.staff.holders("kepala_dinas")),
        "what a staff member may act as": ("staff", lambda uow: uow.staff.acting_roles(staff_id)),
        "escalation scan": (
            "task",
            lambda uow: EscalationRepository(uow.session).due(later, limit=500),
        ),
        "open tasks of roles (Tugas saya)": (
            "task",
            lambda uow: uow.tasks.open_for_roles(["kasi_identitas_penduduk"], staff_ids=[staff_id]),
        ),
    }


async def test_hot_queries_read_an_index(desk: Desk) -> None:
    queries = await hot_queries(desk)
    problems: list[str] = []
    for name, (table, call) in queries.items():
        with statements_sent(desk.db) as sent:
            async with desk.db.uow() as uow:
                await call(uow)
                await uow.rollback()
        seen = hot(sent)
        assert seen, f"{name}: no statement captured"
        for (statement, _), plan in zip(seen, await plans(desk.db, seen), strict=True):
            scans = full_scans(plan, table, sqlite=desk.db.is_sqlite)
            if scans:
                problems.append(f"{name}: {scans}\n  {statement[:300]}\n{plan}")
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("bad", ["SELECT * FROM outbox WHERE payload IS NOT NULL"])
async def test_the_check_sees_a_full_scan(desk: Desk, bad: str) -> None:
    [plan] = await plans(desk.db, [(bad, ())])
    assert full_scans(plan, "outbox", sqlite=desk.db.is_sqlite)

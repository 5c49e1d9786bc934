"""Helpers of the SLA tests: wall-clock times in WIB, the outbox read as alerts, staff."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from staffbot.app.commands.sla import EscalationPass, EscalationReport
from staffbot.bootstrap import build_bus
from staffbot.clock import FixedClock
from staffbot.services.context import Office
from storage.db import Database
from tests.support import ROSTER

WIB = ZoneInfo("Asia/Jakarta")


def wib(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=WIB)


@dataclass(frozen=True)
class Alert:
    """An alert card of the outbox, read back from its idempotency key."""

    task_id: int
    level: int
    staff_id: int
    due: str
    at: datetime
    text: str
    labels: tuple[str, ...]


async def alerts(db: Database) -> list[Alert]:
    async with db.uow(readonly=True) as uow:
        rows = await uow.outbox.listing(limit=100_000)
    out = []
    for row in rows:
        if row.idempotency_key.startswith("alert:"):
            _, task, level, staff, due = row.idempotency_key.split(":")
            out.append(
                Alert(
                    int(task),
                    int(level),
                    int(staff),
                    due,
                    row.created_at.astimezone(WIB),
                    row.payload["text"],
                    tuple(c["label"] for c in row.payload.get("choices", ())),
                )
            )
    return sorted(out, key=lambda a: (a.at, a.task_id, a.level, a.staff_id))


async def digests(db: Database) -> list[dict[str, Any]]:
    async with db.uow(readonly=True) as uow:
        rows = await uow.outbox.listing(limit=100_000)
    return [
        {"staff_id": r.staff_id, "key": r.idempotency_key, **r.payload}
        for r in rows
        if r.idempotency_key.startswith("digest:")
    ]


async def delivered_once(db: Database) -> Counter[tuple[int, int, int, str]]:
    """(task, level, staff, due) -> how many times it reached that person, as a card of
    its own or inside a digest."""
    seen: Counter[tuple[int, int, int, str]] = Counter()
    for alert in await alerts(db):
        seen[(alert.task_id, alert.level, alert.staff_id, alert.due)] += 1
    for digest in await digests(db):
        for ident in digest["alerts"]:
            task, level, due = ident.split(":")
            seen[(int(task), int(level), int(digest["staff_id"]), due)] += 1
    return seen


async def staff_ids(db: Database) -> dict[str, int]:
    """role -> staff id of the demo roster."""
    async with db.uow(readonly=True) as uow:
        out = {}
        for role, nip in ROSTER.items():
            staff = await uow.staff.by_nip(nip)
            assert staff is not None and staff.id is not None
            out[role] = staff.id
        return out


async def scan(
    db: Database, office: Office, clock: FixedClock, at: datetime, **kw: Any
) -> EscalationReport:
    clock.set(at)
    return await build_bus(db, office).handle(EscalationPass(now=at, **kw))


async def every_minute(
    db: Database, office: Office, clock: FixedClock, start: datetime, end: datetime
) -> list[EscalationReport]:
    """The scheduler's minute scan, from ``start`` to ``end`` inclusive."""
    fired = []
    at = start
    while at <= end:
        report = await scan(db, office, clock, at)
        if report.fired:
            fired.append(report)
        at += timedelta(minutes=1)
    return fired


async def count(db: Database, sql: str) -> int:
    async with db.read_engine.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


KECAMATAN = ("Kota Agung", "Gisting", "Talang Padang", "Pugung", "Wonosobo")


async def bulk_overdue(
    db: Database,
    *,
    n: int,
    step: str,
    role: str,
    due: datetime,
    next_at: datetime,
    level: int = 0,
    prefix: str = "PO-2026-9",
) -> list[int]:
    """``n`` open cases with one open task each, inserted in bulk (not through the flow):
    the task's ladder has fired up to ``level`` and waits for its next rung at ``next_at``."""
    from sqlalchemy import insert
    from sqlmodel import col

    from storage.tables import Case, Task

    created = due - timedelta(days=1)
    cases = [
        {
            "number": f"{prefix}{i:05d}",
            "flow_key": "pengaduan_online",
            "applicant_name": f"Pemohon {i}",
            "nik": f"18060545019{i:05d}",
            "nik_outside": False,
            "wa_number": f"+62812{i:08d}",
            "kecamatan": KECAMATAN[i % len(KECAMATAN)],
            "layanan": "KTP-el",
            "keluhan": "",
            "status": "open",
            "step": step,
            "version": 1,
            "needs_manual_check": False,
            "created_at": created,
            "updated_at": created,
        }
        for i in range(n)
    ]
    async with db.uow() as uow:
        result = await uow.session.exec(insert(Case).returning(col(Case.id)), params=cases)
        ids = [int(row[0]) for row in result.all()]
        await uow.session.exec(
            insert(Task),
            params=[
                {
                    "case_id": case_id,
                    "step": step,
                    "role": role,
                    "is_open": True,
                    "created_at": created,
                    # a second apart, so "the oldest first" has an order to show
                    "due_at": due + timedelta(seconds=i),
                    "escalation_level": level,
                    "next_escalation_at": next_at,
                }
                for i, case_id in enumerate(ids)
            ],
        )
        await uow.commit()
    return ids

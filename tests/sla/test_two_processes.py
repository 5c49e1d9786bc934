"""Two (three) bot processes on one database scan the same overdue tasks at the same
time: every alert reaches every recipient exactly once, as a card or in a digest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from staffbot.clock import FixedClock
from staffbot.services.context import Office
from staffbot.settings import Settings
from storage.db import Database
from tests.sla.support import bulk_overdue, count, delivered_once, wib
from tests.support import Desk

ROOT = Path(__file__).resolve().parents[2]


def _env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "STAFFBOT_DATABASE_URL": settings.database_url,
        "STAFFBOT_DATA_DIR": str(settings.data_dir),
    }


def _race(commands: list[list[str]], env: dict[str, str]) -> list[str]:
    running = [
        subprocess.Popen(
            [sys.executable, *command],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    outputs = []
    for process in running:
        stdout, stderr = process.communicate(timeout=240)
        assert process.returncode == 0, stderr
        outputs.append(stdout)
    return outputs


async def test_every_alert_is_sent_exactly_once_by_racing_processes(
    desk: Desk, db: Database, office: Office, clock: FixedClock, settings: Settings, tmp_path: Path
) -> None:
    # six cases through the flow (step 3, Andi) and forty print jobs in bulk (step 5,
    # Budi): the Kasi supervises both and will get digests
    for _ in range(6):
        await desk.new_case()
    due = wib(2026, 11, 25, 11)
    await bulk_overdue(
        db,
        n=40,
        step="cetak_berkas",
        role="operator_cetak_berkas",
        due=due,
        next_at=due,
    )
    env = _env(settings)

    # round 1: two `escalate --now` commands at once (Thursday 09:00)
    outputs = _race([["main.py", "escalate", "--now", "2026-11-26T09:00", "--json"]] * 2, env)
    reports = [json.loads(out) for out in outputs]
    first = Counter((f["task_id"], f["level"]) for r in reports for f in r["fired"])
    assert first and set(first.values()) == {1}

    # round 2: three scheduler processes, a scan every 20 minutes until Friday noon
    times, at = [], wib(2026, 11, 26, 9)
    while at <= wib(2026, 11, 27, 12):
        times.append(at.isoformat())
        at += timedelta(minutes=20)
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    worker = ["-m", "tests.sla.escalate_worker", str(barrier)]
    _race([[*worker, f"w{i}", "3", *times] for i in range(3)], env)

    deliveries = await delivered_once(db)
    assert deliveries and set(deliveries.values()) == {1}
    # ... and every claimed rung reached exactly the people its audit event names
    async with db.read_engine.connect() as conn:
        rows = (
            await conn.execute(
                text("SELECT task_id, data FROM audit_event WHERE kind = 'escalation'")
            )
        ).all()
    expected: Counter[tuple[int, int, int]] = Counter()
    levels: Counter[tuple[int, int]] = Counter()
    for task_id, data in rows:
        data = json.loads(data) if isinstance(data, str) else data
        levels[(task_id, data["level"])] += 1
        for staff_id in data["recipient_ids"]:
            expected[(task_id, data["level"], staff_id)] += 1
    assert set(levels.values()) == {1}
    assert Counter((t, lv, s) for (t, lv, s, _due) in deliveries.elements()) == expected
    # every ladder ran to its last rung
    assert await count(db, "SELECT count(*) FROM task WHERE is_open AND escalation_level <> 3") == 0

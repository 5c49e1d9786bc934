"""One "scheduler process" of the two-process test: escalation passes at given times.

    python -m tests.sla.escalate_worker BARRIER_DIR NAME PROCESSES ISO-TIME...

Settings come from the environment (STAFFBOT_DATABASE_URL ...). The worker waits until
all PROCESSES workers are ready (files in BARRIER_DIR), then runs one pass per time,
in order, as fast as it can, racing the others.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import datetime
from pathlib import Path

from staffbot.app.commands.sla import EscalationPass
from staffbot.bootstrap import open_app
from staffbot.clock import FixedClock
from staffbot.settings import Settings


def _all_ready(barrier: Path, name: str, processes: int) -> None:
    (barrier / name).touch()
    while len(list(barrier.iterdir())) < processes:
        time.sleep(0.01)


async def run(barrier: Path, name: str, processes: int, times: list[datetime]) -> int:
    settings = Settings()
    clock = FixedClock(times[0])
    fired = 0
    async with open_app(settings, clock=clock, migrate=False) as rt:
        await asyncio.to_thread(_all_ready, barrier, name, processes)
        for at in times:
            clock.set(at)
            report = await rt.bus.handle(
                EscalationPass(now=at, digest_threshold=settings.digest_threshold)
            )
            fired += len(report.fired)
    return fired


if __name__ == "__main__":
    barrier_dir, worker, count, *stamps = sys.argv[1:]
    started = time.perf_counter()
    total = asyncio.run(
        run(Path(barrier_dir), worker, int(count), [datetime.fromisoformat(s) for s in stamps])
    )
    print(f"{worker}: {total} rungs in {time.perf_counter() - started:.1f}s")

"""Claims of a dead process come back at once; a live process's claims are never taken.

A row claimed by a process that was killed used to wait for the whole lease (60 s)
and hold its chat's later messages behind it. The claim names its process now, and
a starting dispatcher takes back what a dead process held (staffbot/dispatch_owner).
Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from staffbot.channels.base import Channel, Delivered, Delivery
from staffbot.clock import FixedClock
from staffbot.dispatch_owner import ClaimKeeper, ProcessIdentity, pid_start
from staffbot.dispatcher import OutboxDispatcher
from storage.db import Database
from storage.repos.processes import ProcessRepository
from storage.tables import OUTBOX_PENDING, OUTBOX_SENT, ProcessHeartbeat
from tests.support import Desk

LEASE = timedelta(seconds=60)


class Recording(Channel):
    name = "web"

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def deliver(self, delivery: Delivery) -> Delivered:
        self.sent.append(delivery.idempotency_key)
        return Delivered(message_id=f"web-{len(self.sent)}")


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """Another live process on this machine."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


def gone_pid() -> int:
    """The pid of a process that has exited (and was reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def another(pid: int, *, space: str | None = None, started: str | None = None) -> ProcessIdentity:
    me = ProcessIdentity.of_this_process()
    return ProcessIdentity(
        owner=f"elsewhere:{pid}:abcd",
        pid=pid,
        space=me.space if space is None else space,
        pid_start=(pid_start(pid) or "") if started is None else started,
    )


async def claim_all_as(db: Database, who: ProcessIdentity, clock: FixedClock) -> list[int]:
    """``who`` says it is alive and claims every pending row, as a dispatcher does."""
    await say_alive(db, who, clock)
    now = clock.now()
    async with db.uow() as uow:
        rows = await uow.outbox.due(now, channels=["web"])
        won = await uow.outbox.claim_many(
            [r.id for r in rows if r.id is not None],
            now=now,
            lease_until=now + LEASE,
            owner=who.owner,
        )
        await uow.commit()
    assert won
    return sorted(won)


async def statuses(db: Database, ids: list[int]) -> list[str]:
    async with db.uow(readonly=True) as uow:
        return [(await uow.outbox.get(i)).status for i in ids]  # type: ignore[union-attr]


async def heartbeats(db: Database) -> list[str]:
    async with db.uow(readonly=True) as uow:
        return [p.owner for p in await ProcessRepository(uow.session).all()]


async def test_a_starting_dispatcher_delivers_what_a_killed_process_had_claimed_at_once(
    desk: Desk, clock: FixedClock
) -> None:
    await desk.new_case()
    await desk.new_case()
    dead = another(gone_pid())
    claimed = await claim_all_as(desk.db, dead, clock)
    web = Recording()
    # the clock stands still: only the release can make the rows due before the lease
    dispatcher = OutboxDispatcher(desk.db, {"web": web}, clock=clock, sweep_interval=3600)
    await dispatcher.start()
    try:
        for _ in range(200):
            if await statuses(desk.db, claimed) == [OUTBOX_SENT] * len(claimed):
                break
            await asyncio.sleep(0.05)
    finally:
        await dispatcher.stop()
    assert await statuses(desk.db, claimed) == [OUTBOX_SENT] * len(claimed)
    assert dispatcher.keeper.released == len(claimed) and web.sent
    # the dead process's heartbeat is gone; ours went with the clean stop
    assert await heartbeats(desk.db) == []


async def test_claims_of_a_live_process_stay_and_a_silent_one_elsewhere_loses_them(
    desk: Desk, clock: FixedClock, sleeper: subprocess.Popen[bytes]
) -> None:
    await desk.new_case()
    alive_here = another(sleeper.pid)
    claimed = await claim_all_as(desk.db, alive_here, clock)
    keeper = ClaimKeeper(desk.db, clock, dead_after_seconds=10)
    clock.advance(timedelta(seconds=30))  # its heartbeat is old, but its pid lives
    assert await keeper.beat() == 0
    assert await statuses(desk.db, claimed) == [OUTBOX_PENDING]
    async with desk.db.uow(readonly=True) as uow:
        row = await uow.outbox.get(claimed[0])
    assert row is not None and row.claimed_by == alive_here.owner
    assert row.next_attempt_at > clock.now()

    # the same pid given to a process that started at another time: that one is dead
    reused = replace(alive_here, owner="elsewhere:reused:0001", pid_start="1")
    await say_alive(desk.db, reused, clock)
    await _reclaim(desk.db, claimed, reused, clock)
    assert await keeper.beat() == 1
    assert reused.owner not in await heartbeats(desk.db)

    # another machine: alive while its heartbeat is fresh, dead once it is older than
    # dead_after
    remote = another(os.getpid() + 1_000_000, space="other-machine/pid:[1]", started="")
    await say_alive(desk.db, remote, clock)
    await _reclaim(desk.db, claimed, remote, clock)
    clock.advance(timedelta(seconds=9))
    assert await keeper.beat() == 0
    clock.advance(timedelta(seconds=2))
    assert await keeper.beat() == 1
    async with desk.db.uow(readonly=True) as uow:
        row = await uow.outbox.get(claimed[0])
    assert row is not None and row.claimed_by is None and row.next_attempt_at == clock.now()
    assert set(await heartbeats(desk.db)) == {alive_here.owner, keeper.owner}


async def say_alive(db: Database, who: ProcessIdentity, clock: FixedClock) -> None:
    now = clock.now()
    async with db.uow() as uow:
        await ProcessRepository(uow.session).beat(
            ProcessHeartbeat(
                owner=who.owner,
                pid=who.pid,
                space=who.space,
                pid_start=who.pid_start,
                started_at=now,
                beat_at=now,
            ),
            now,
        )
        await uow.commit()


async def _reclaim(db: Database, ids: list[int], who: ProcessIdentity, clock: FixedClock) -> None:
    """Hand the rows to ``who``, as if it had claimed them now."""
    from sqlalchemy import update
    from sqlmodel import col

    from storage.tables import Outbox

    async with db.uow() as uow:
        await uow.session.exec(
            update(Outbox)
            .where(col(Outbox.id).in_(ids))
            .values(claimed_by=who.owner, next_attempt_at=clock.now() + LEASE)
        )
        await uow.commit()

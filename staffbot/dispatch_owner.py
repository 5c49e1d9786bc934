"""Whose claims these are: this process's identity and heartbeat, and taking back at
once the outbox rows a dead process had claimed.

A claim names the process holding it (``outbox.claimed_by``). Every process that
delivers the outbox keeps a row in ``process_heartbeat``, renewed every
``beat_seconds``, and at start and with every beat it looks at the others:

* on the same machine and in the same pid namespace (the boot id and the namespace
  are compared), another process is dead when its pid is gone, is a zombie, or now
  belongs to a process that started at another time: known at once, so a bot that is
  killed and started again delivers what it had claimed right away, not after the
  lease (60 s);
* on another machine (processes sharing one PostgreSQL database), when its
  heartbeat is older than ``dead_after`` seconds (the machines' clocks must agree).

A dead process's pending claims are due again at once and its heartbeat row goes, in
one transaction. A live process's claims are never taken: on the same machine a pid
that lives is alive however late its heartbeat (a stalled event loop); its rows come
back only when their lease runs out, as before. Rows claimed by a process that never
kept a heartbeat (a dispatcher that was only drained, never started) also wait for
their lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from staffbot.clock import Clock
from storage.db import Database, retrying
from storage.repos.processes import ProcessRepository
from storage.tables import ProcessHeartbeat

log = logging.getLogger(__name__)

_PROC = Path("/proc")


def machine_space() -> str:
    """Which pids are comparable with ours: the machine's boot and our pid namespace
    ("" where /proc does not tell, e.g. not Linux)."""
    try:
        boot = (_PROC / "sys/kernel/random/boot_id").read_text().strip()
        namespace = (_PROC / "self/ns/pid").readlink()
    except OSError:
        return ""
    return f"{boot}/{namespace}"[:120]


#: A process that exists but whose start time /proc does not show (another user's,
#: with /proc mounted hidepid).
UNKNOWN_START = "?"


def pid_start(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot); None when there is no
    such living process (gone, or a zombie waiting to be reaped)."""
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except OSError:
            pass  # it exists, we may not signal it
        return UNKNOWN_START
    fields = stat[stat.rfind(")") + 1 :].split()
    if len(fields) < 20 or fields[0] in ("Z", "X", "x"):
        return None
    return fields[19]


@dataclass(frozen=True)
class ProcessIdentity:
    owner: str
    pid: int
    space: str
    pid_start: str

    @classmethod
    def of_this_process(cls) -> ProcessIdentity:
        pid = os.getpid()
        host = socket.gethostname()[:80]
        space = machine_space()
        started = (pid_start(pid) or "") if space else ""
        return cls(f"{host}:{pid}:{secrets.token_hex(4)}", pid, space, started)

    def sees_dead(self, other: ProcessHeartbeat, *, now: datetime, dead_after: timedelta) -> bool:
        """Whether ``other`` (not this process) is dead, as far as this one can tell."""
        if other.owner == self.owner:
            return False
        if self.space and other.space == self.space:
            if other.pid == self.pid:
                return False  # another dispatcher of this very process
            started = pid_start(other.pid)
            if started is None:
                return True
            # the same pid, started at another time: the pid was given to a new process
            return started not in (UNKNOWN_START, other.pid_start) and bool(other.pid_start)
        return other.beat_at < now - dead_after


class ClaimKeeper:
    """This process's heartbeat, and the release of dead processes' claims."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        on_release: Callable[[], None] | None = None,
        beat_seconds: float = 2.0,
        dead_after_seconds: float = 10.0,
        identity: ProcessIdentity | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.identity = identity or ProcessIdentity.of_this_process()
        self.on_release = on_release
        self.beat_seconds = beat_seconds
        self.dead_after = timedelta(seconds=dead_after_seconds)
        self._started_at: datetime | None = None
        self._task: asyncio.Task[None] | None = None
        #: Rows taken back from dead processes since start (for the log and tests).
        self.released = 0

    @property
    def owner(self) -> str:
        return self.identity.owner

    async def start(self) -> None:
        """Say we are alive and take back what dead processes held, before the
        first delivery pass."""
        self._started_at = self.clock.now()
        await self.beat()
        self._task = asyncio.create_task(self._loop(), name="outbox-heartbeat")

    async def stop(self) -> None:
        """After the last delivery: what this process still holds is due again now,
        and its heartbeat goes."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._started_at is None:
            return
        self._started_at = None

        async def leave() -> None:
            async with self.db.uow() as uow:
                await uow.outbox.release_claims([self.owner], at=self.clock.now())
                await ProcessRepository(uow.session).forget([self.owner])
                await uow.commit()

        try:
            await retrying(leave)
        except Exception:
            log.exception("releasing this process's outbox claims failed; their lease ends them")

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.beat_seconds)
            try:
                await self.beat()
            except Exception:
                log.exception("outbox heartbeat failed; trying again")

    async def beat(self) -> int:
        """One heartbeat: ours renewed; dead processes' claims released. Returns how many
        rows came back."""
        me = ProcessHeartbeat(
            owner=self.owner,
            pid=self.identity.pid,
            space=self.identity.space,
            pid_start=self.identity.pid_start,
            started_at=self._started_at or self.clock.now(),
            beat_at=self.clock.now(),
        )

        async def write() -> tuple[list[str], int]:
            now = self.clock.now()
            async with self.db.uow() as uow:
                processes = ProcessRepository(uow.session)
                await processes.beat(me, now)
                dead = self._dead(await processes.all(), now)
                released = await uow.outbox.release_claims(dead, at=now)
                await processes.forget(dead)
                await uow.commit()
            return dead, released

        dead, released = await retrying(write)
        if dead:
            log.info(
                "outbox: %d claimed row(s) of %d stopped process(es) taken back",
                released,
                len(dead),
            )
        if released:
            self.released += released
            if self.on_release is not None:
                self.on_release()
        return released

    def _dead(self, processes: Sequence[ProcessHeartbeat], now: datetime) -> list[str]:
        return [
            p.owner
            for p in processes
            if self.identity.sees_dead(p, now=now, dead_after=self.dead_after)
        ]

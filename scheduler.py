"""The bot's clockwork: escalation scan, outbox sweep, delivery watch, morning digest,
daily rekap.

APScheduler 3.11 ``AsyncIOScheduler`` in the bot process with the memory job store:
the jobs are fixed at start-up and every bit of state lives in our own tables, so two
bot processes on one database may run the same jobs at the same time and still never
send anything twice:

* escalation scan (every minute): each (task, level) is claimed by a compare-and-set
  on ``task.escalation_level`` (PostgreSQL: rows selected ``FOR UPDATE SKIP LOCKED``),
  and each alert's outbox row has a unique idempotency key;
* morning digest (07:45 WIB) and daily rekap (at each weekday's closing time): one
  ``job_run`` row per (job, office day), inserted in the same transaction as the cards;
* outbox sweep (every 15 s): wakes the dispatcher, whose rows are leased by CAS;
* task digests (with the escalation scan): for who chose a digest over a card per
  task; each digest's outbox row carries a fingerprint of what it listed and a unique
  key, so a second process writes nothing new.
* delivery watch (with each escalation scan): the applicant's documents that failed
  or were not delivered in time alert their sender and the Kasi Inovasi once (a
  ``processed_update`` row and unique outbox keys, services/delivery_alerts.py).

Weekends and holidays are skipped by the working-day calendar inside the jobs (the
cron triggers only know weekdays). The calendar itself is reloaded before each scan
when the admin changed the holiday overrides (``calendar add-holiday``).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime, time, timedelta
from typing import Any

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from flows.calendar import OfficeHours
from staffbot.app.bus import MessageBus
from staffbot.app.commands.deliveries import WatchDeliveries
from staffbot.app.commands.sla import (
    DIGEST_THRESHOLD,
    DailyRekap,
    EscalationPass,
    EscalationReport,
    MorningDigest,
    TaskDigests,
)
from staffbot.clock import Clock
from staffbot.services.calendar_admin import CalendarBuilder, CalendarReloader
from staffbot.services.sla_support import owner_name

log = logging.getLogger("staffbot.scheduler")

_CRON_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ESCALATION_JOB = "escalation_scan"
SWEEP_JOB = "outbox_sweep"
DELIVERY_JOB = "delivery_watch"
MORNING_JOB = "morning_digest"
DIGESTS_JOB = "task_digests"
REKAP_JOB_PREFIX = "daily_rekap"


class Jobs:
    """The job functions, bound to the message bus and the clock."""

    def __init__(
        self,
        bus: MessageBus,
        *,
        clock: Clock,
        sweep: Callable[[], object] | None,
        reloader: CalendarReloader | None,
        digest_threshold: int,
        digest_every: timedelta = timedelta(hours=1),
        delivery_alert_hours: float | None = None,
    ) -> None:
        self.bus = bus
        self._digest_every = digest_every
        self.clock = clock
        self._sweep = sweep
        self._reloader = reloader
        self._threshold = digest_threshold
        self._late_hours = delivery_alert_hours
        self._owner = owner_name()
        self.running: set[asyncio.Task[Any]] = set()

    def _enter(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.running.add(task)

    def _leave(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.running.discard(task)

    async def _calendar(self, now: datetime) -> None:
        if self._reloader is not None:
            await self._reloader.refresh(self.bus, now)

    async def escalate(self) -> EscalationReport | None:
        self._enter()
        try:
            now = self.clock.now()
            await self._calendar(now)
            return await self.bus.handle(EscalationPass(now=now, digest_threshold=self._threshold))
        except Exception:
            log.exception("escalation scan failed; the next scan tries again")
            return None
        finally:
            self._leave()

    async def watch_deliveries(self) -> int:
        self._enter()
        try:
            now = self.clock.now()
            await self._calendar(now)
            return await self.bus.handle(WatchDeliveries(now=now, late_hours=self._late_hours))
        except Exception:
            log.exception("delivery watch failed; the next one tries again")
            return 0
        finally:
            self._leave()

    async def sweep(self) -> None:
        if self._sweep is None:
            return
        self._enter()
        try:
            result = self._sweep()
            if inspect.isawaitable(result):
                await result
        except Exception:
            log.exception("outbox sweep failed")
        finally:
            self._leave()

    async def digests(self) -> int:
        self._enter()
        try:
            now = self.clock.now()
            return await self.bus.handle(TaskDigests(now=now, every=self._digest_every))
        except Exception:
            log.exception("task digests failed; the next scan tries again")
            return 0
        finally:
            self._leave()

    async def morning(self) -> int:
        self._enter()
        try:
            now = self.clock.now()
            await self._calendar(now)
            sent = await self.bus.handle(MorningDigest(now=now, owner=self._owner))
            log.info("morning digest %s: %s cards", self.bus.office.local(now).date(), sent)
            return sent
        except Exception:
            log.exception("morning digest failed")
            return 0
        finally:
            self._leave()

    async def rekap(self) -> int:
        self._enter()
        try:
            now = self.clock.now()
            await self._calendar(now)
            sent = await self.bus.handle(DailyRekap(now=now, owner=self._owner))
            log.info("daily rekap %s: %s cards", self.bus.office.local(now).date(), sent)
            return sent
        except Exception:
            log.exception("daily rekap failed")
            return 0
        finally:
            self._leave()


class StaffbotScheduler(AsyncIOScheduler):  # type: ignore[misc]  # apscheduler is untyped
    """An AsyncIOScheduler that can be stopped without cutting a scan in half."""

    staffbot_jobs: Jobs

    async def aclose(self, *, grace: float = 10.0) -> None:
        if not self.running:
            return
        self.pause()
        running = [t for t in self.staffbot_jobs.running if not t.done()]
        if running:
            await asyncio.wait(running, timeout=grace)
        # shutdown cancels what is still running: its transaction rolls back whole
        self.shutdown(wait=False)
        # AsyncIOScheduler shuts down in a loop callback (call_soon_threadsafe): let it run
        await asyncio.sleep(0)


def closing_times(hours: Mapping[int, OfficeHours]) -> dict[time, list[int]]:
    """Weekdays grouped by closing time: one rekap trigger per distinct time."""
    groups: dict[time, list[int]] = defaultdict(list)
    for weekday, span in sorted(hours.items()):
        groups[span.closes].append(weekday)
    return dict(groups)


def _days(weekdays: list[int]) -> str:
    return ",".join(_CRON_DAYS[d] for d in weekdays)


def build_scheduler(
    bus: MessageBus,
    *,
    clock: Clock,
    sweep: Callable[[], object] | None = None,
    reload_calendar: CalendarBuilder | None = None,
    digest_threshold: int = DIGEST_THRESHOLD,
    morning_at: time = time(7, 45),
    escalation_seconds: int = 60,
    sweep_seconds: int = 15,
    digest_every: timedelta = timedelta(hours=1),
    delivery_alert_hours: float | None = None,
) -> StaffbotScheduler:
    """The scheduler with its fixed jobs, not started (``start()`` inside the loop).

    ``sweep`` is called every ``sweep_seconds`` (e.g. the dispatcher's ``wake``);
    ``reload_calendar`` rebuilds the calendar from the overrides when they change;
    ``delivery_alert_hours``: office hours after which an applicant's document that
    WhatsApp never reported delivered alerts (None or 0: only failures alert).
    """
    office = bus.office
    tz = office.tz
    scheduler = StaffbotScheduler(
        jobstores={"default": MemoryJobStore()},
        executors={"default": AsyncIOExecutor()},
        timezone=tz,
        job_defaults={"coalesce": True, "max_instances": 1},
    )
    jobs = Jobs(
        bus,
        clock=clock,
        sweep=sweep,
        reloader=CalendarReloader(reload_calendar) if reload_calendar is not None else None,
        digest_threshold=digest_threshold,
        digest_every=digest_every,
        delivery_alert_hours=delivery_alert_hours,
    )
    scheduler.staffbot_jobs = jobs

    def every(seconds: int, job: Callable[[], Any], job_id: str, name: str, **kw: Any) -> None:
        scheduler.add_job(
            job,
            IntervalTrigger(seconds=seconds, timezone=tz),
            id=job_id,
            name=name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=seconds,
            **kw,
        )

    # a scan right at start-up catches up on what fell due while the bot was down
    soon = datetime.now(tz) + timedelta(seconds=1)
    every(escalation_seconds, jobs.escalate, ESCALATION_JOB, "escalation scan", next_run_time=soon)
    every(escalation_seconds, jobs.digests, DIGESTS_JOB, "task digests")
    every(escalation_seconds, jobs.watch_deliveries, DELIVERY_JOB, "delivery watch")
    if sweep is not None:
        every(sweep_seconds, jobs.sweep, SWEEP_JOB, "outbox sweep")
    hours = office.calendar.office_hours
    scheduler.add_job(
        jobs.morning,
        CronTrigger(
            day_of_week=_days(sorted(hours)),
            hour=morning_at.hour,
            minute=morning_at.minute,
            timezone=tz,
        ),
        id=MORNING_JOB,
        name="morning digest",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=3600,
    )
    for closes, weekdays in closing_times(hours).items():
        scheduler.add_job(
            jobs.rekap,
            CronTrigger(
                day_of_week=_days(weekdays), hour=closes.hour, minute=closes.minute, timezone=tz
            ),
            id=f"{REKAP_JOB_PREFIX}_{closes:%H%M}",
            name=f"daily rekap {closes:%H:%M}",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=3600,
        )
    return scheduler

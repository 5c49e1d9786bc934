"""scheduler.py: the fixed jobs, and the once-a-day jobs run once across processes."""

from __future__ import annotations

import asyncio
import functools

from scheduler import build_scheduler
from staffbot.bootstrap import build_bus, build_calendar
from staffbot.clock import FixedClock
from staffbot.services.context import Office
from staffbot.settings import Settings
from storage.db import Database
from tests.sla.support import bulk_overdue, count, wib
from tests.support import FORM, Desk


def scheduler_for(db: Database, office: Office, clock: FixedClock, settings: Settings) -> object:
    return build_scheduler(
        build_bus(db, office),
        clock=clock,
        sweep=lambda: None,
        reload_calendar=functools.partial(build_calendar, settings),
    )


async def test_the_jobs_and_their_triggers(
    db: Database, office: Office, clock: FixedClock, settings: Settings
) -> None:
    scheduler = build_scheduler(build_bus(db, office), clock=clock, sweep=lambda: None)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {
        "escalation_scan",
        "task_digests",
        "outbox_sweep",
        "delivery_watch",
        "morning_digest",
        "daily_rekap_1600",
        "daily_rekap_1630",
    }
    scan = jobs["escalation_scan"]
    assert (scan.coalesce, scan.max_instances, scan.misfire_grace_time) == (True, 1, 60)
    assert scan.trigger.interval.total_seconds() == 60
    assert jobs["outbox_sweep"].trigger.interval.total_seconds() == 15
    assert jobs["task_digests"].trigger.interval.total_seconds() == 60
    assert jobs["delivery_watch"].trigger.interval.total_seconds() == 60
    assert str(jobs["morning_digest"].trigger) == (
        "cron[day_of_week='mon,tue,wed,thu,fri', hour='7', minute='45']"
    )
    assert str(jobs["daily_rekap_1600"].trigger) == (
        "cron[day_of_week='mon,tue,wed,thu', hour='16', minute='0']"
    )
    assert (
        str(jobs["daily_rekap_1630"].trigger) == "cron[day_of_week='fri', hour='16', minute='30']"
    )
    assert str(scan.trigger.timezone) == "Asia/Jakarta"


async def test_start_and_stop_inside_the_loop(
    db: Database, office: Office, clock: FixedClock
) -> None:
    swept: list[int] = []
    bus = build_bus(db, office)
    scheduler = build_scheduler(bus, clock=clock, sweep=lambda: swept.append(1))
    scheduler.start()
    assert scheduler.running
    await scheduler.staffbot_jobs.sweep()
    await scheduler.aclose()
    assert not scheduler.running and swept == [1]


async def test_the_scan_job_reloads_the_calendar_first(
    desk: Desk, db: Database, office: Office, clock: FixedClock, settings: Settings
) -> None:
    from datetime import date

    from staffbot.app.commands.calendar import AddHoliday

    await desk.new_case()
    await desk.bus.handle(AddHoliday(date(2026, 11, 26), name="Libur daerah"))
    scheduler = build_scheduler(
        desk.bus,
        clock=clock,
        reload_calendar=functools.partial(build_calendar, settings),
    )
    clock.set(wib(2026, 11, 26, 9))
    report = await scheduler.staffbot_jobs.escalate()
    # Thursday is a holiday now: the level-1 rung (due 09:00) was computed before the
    # holiday existed; at due it fires, but the next rungs count on the new calendar
    assert report is not None and not office.calendar.is_working_day(date(2026, 11, 26))
    async with db.uow(readonly=True) as uow:
        [task] = await uow.tasks.open_at_step("terima_wa")
    assert task.next_escalation_at == wib(2026, 11, 27, 11, 30)


async def test_the_morning_digest_goes_out_once_from_two_schedulers(
    desk: Desk, db: Database, office: Office, clock: FixedClock, settings: Settings
) -> None:
    number = (await desk.new_case()).number
    due = wib(2026, 11, 24, 9)
    await bulk_overdue(
        db,
        n=7,
        step="cetak_berkas",
        role="operator_cetak_berkas",
        due=due,
        next_at=wib(2026, 12, 31, 9),
    )
    first = scheduler_for(db, office, clock, settings)
    second = scheduler_for(db, office, clock, settings)
    clock.set(wib(2026, 11, 26, 7, 45))
    sent = await asyncio.gather(
        first.staffbot_jobs.morning(),  # type: ignore[attr-defined]
        second.staffbot_jobs.morning(),  # type: ignore[attr-defined]
    )
    assert sorted(sent) == [0, 2]  # Andi (one case) and Budi (seven print jobs)
    async with db.uow(readonly=True) as uow:
        rows = [
            r
            for r in await uow.outbox.listing(limit=100)
            if r.idempotency_key.startswith("morning:")
        ]
    texts = {r.payload["text"].splitlines()[0]: r.payload for r in rows}
    andi = texts["<b>☀ Selamat pagi, Andi Saputra</b>"]
    assert "Tugas menunggu Anda: 1 (0 terlambat)" in andi["text"]
    assert [c["label"] for c in andi["choices"]] == [f"Buka {number}"]
    budi = texts["<b>☀ Selamat pagi, Budi Santoso</b>"]
    assert "Tugas menunggu Anda: 7 (7 terlambat)" in budi["text"]
    assert len(budi["choices"]) == 5
    # the same day again: nothing
    assert await first.staffbot_jobs.morning() == 0  # type: ignore[attr-defined]


async def test_no_digest_or_rekap_on_holidays_and_weekends(
    desk: Desk, db: Database, office: Office, clock: FixedClock, settings: Settings
) -> None:
    await desk.new_case()
    jobs = scheduler_for(db, office, clock, settings).staffbot_jobs  # type: ignore[attr-defined]
    for day in (wib(2026, 12, 24, 7, 45), wib(2026, 11, 28, 7, 45)):  # cuti bersama, Saturday
        clock.set(day)
        assert await jobs.morning() == 0
        assert await jobs.rekap() == 0
    assert await count(db, "SELECT count(*) FROM job_run") == 0


async def test_the_daily_rekap_reaches_the_kepala_bidang_once(
    desk: Desk, db: Database, office: Office, clock: FixedClock, settings: Settings
) -> None:
    from dataclasses import replace

    await desk.new_case()
    await desk.new_case(replace(FORM, kecamatan="Gisting", nik="1806054501900002"))
    await bulk_overdue(
        db,
        n=3,
        step="cetak_berkas",
        role="operator_cetak_berkas",
        due=wib(2026, 11, 24, 9),
        next_at=wib(2026, 12, 31, 9),
    )
    clock.set(wib(2026, 11, 25, 16))
    a = scheduler_for(db, office, clock, settings).staffbot_jobs  # type: ignore[attr-defined]
    b = scheduler_for(db, office, clock, settings).staffbot_jobs  # type: ignore[attr-defined]
    assert sorted(await asyncio.gather(a.rekap(), b.rekap())) == [0, 1]
    async with db.uow(readonly=True) as uow:
        [row] = [
            r for r in await uow.outbox.listing(limit=100) if r.idempotency_key.startswith("rekap:")
        ]
        kabid = await uow.staff.get(row.staff_id or 0)
    assert kabid is not None and kabid.name == "Nurhayati, S.E."
    text = row.payload["text"]
    assert text.startswith("<b>📊 Rekap harian 25 November 2026</b>")
    assert "Kasus masuk: 2 · selesai: 0 · tugas terlambat: 3" in text
    # the bulk print jobs lie in Kota Agung, Gisting and Talang Padang
    assert text.endswith(
        "• Gisting: 1 / 0 / 1\n• Kota Agung: 1 / 0 / 1\n• Talang Padang: 0 / 0 / 1"
    )

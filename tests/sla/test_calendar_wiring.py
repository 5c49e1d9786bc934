"""The working-day calendar as the bot uses it: settings, package holidays, the admin's
overrides (CLI), steps started outside office hours, and the pause while a case waits
on the applicant. The calendar arithmetic itself is tested in tests/unit/."""

from __future__ import annotations

import asyncio
import functools
import json
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from staffbot.app.commands.calendar import AddHoliday
from staffbot.bootstrap import build_bus, build_calendar, build_office, open_app, signing_dir
from staffbot.channels.base import FileReceived
from staffbot.chat.service import ChatService
from staffbot.cli.root import app
from staffbot.clock import FixedClock
from staffbot.services import calendar_admin
from staffbot.services.context import Office
from staffbot.settings import Settings
from storage.db import Database
from tests.sla.support import alerts, count, scan, wib
from tests.support import FORM, Desk, tiny_pdf
from tests.unit.test_holidays_source import CUTI_BERSAMA_2026


async def due_of_new_case(desk: Desk, clock: FixedClock, at: datetime) -> datetime | None:
    clock.set(at)
    number = (await desk.new_case()).number
    async with desk.db.uow(readonly=True) as uow:
        task = await uow.tasks.get(await desk.open_task_id(number))
    assert task is not None
    return task.due_at


# -- holidays and office hours, through the flow ---------------------------------------


async def test_friday_before_a_holiday_weekend_is_due_the_next_working_day(
    desk: Desk, clock: FixedClock
) -> None:
    # Waisak on Sunday 31 May and Hari Lahir Pancasila on Monday 1 June 2026
    assert await due_of_new_case(desk, clock, wib(2026, 5, 29, 15)) == wib(2026, 6, 2, 15)


async def test_the_package_cuti_bersama_are_days_off_for_the_bot(office: Office) -> None:
    for day in CUTI_BERSAMA_2026:
        assert not office.calendar.is_working_day(day), day


@pytest.mark.parametrize(
    ("start", "due"),
    [
        # Saturday: counts from Monday 07:30
        (wib(2026, 11, 28, 10), wib(2026, 12, 1, 7, 30)),
        # before opening on a Thursday
        (wib(2026, 11, 26, 6), wib(2026, 11, 27, 7, 30)),
        # exactly at closing on a Wednesday: the office is closed, Thursday 07:30 counts
        (wib(2026, 11, 25, 16), wib(2026, 11, 27, 7, 30)),
        # one minute before closing: due at the same time the next working day
        (wib(2026, 11, 25, 15, 59), wib(2026, 11, 26, 15, 59)),
        # Friday 16:20 (open until 16:30) is due Monday, clamped to its 16:00 closing
        (wib(2026, 11, 27, 16, 20), wib(2026, 11, 30, 16)),
    ],
)
async def test_a_step_started_outside_or_at_the_edge_of_office_hours(
    desk: Desk, clock: FixedClock, start: datetime, due: datetime
) -> None:
    assert await due_of_new_case(desk, clock, start) == due


async def test_office_hours_come_from_the_setting(
    db: Database, settings: Settings, clock: FixedClock, demo_pki: Path
) -> None:
    custom = settings.model_copy(update={"office_hours": "Sen-Jum 08.00-15.00"})
    calendar = build_calendar(custom, clock.now(), {}, set())
    assert calendar.hours_on(date(2026, 11, 27)) == calendar.hours_on(date(2026, 11, 25))
    shutil.copytree(demo_pki, signing_dir(custom))
    desk = Desk(db, build_office(custom, clock, calendar))
    await desk.seed()
    # Wednesday 15:00 is closing time with these hours: Thursday 08:00 + 1 day
    assert await due_of_new_case(desk, clock, wib(2026, 11, 25, 15)) == wib(2026, 11, 27, 8)


def test_a_bad_office_hours_setting_stops_the_start() -> None:
    with pytest.raises(ValueError, match="office hours"):
        Settings(office_hours="Senin pagi", _env_file=None)  # type: ignore[call-arg]


# -- the admin's overrides -----------------------------------------------------------------


@pytest.fixture
def cli_env(sqlite_template: Path, tmp_path: Path) -> dict[str, str]:
    target = tmp_path / "cli.db"
    shutil.copy(sqlite_template, target)
    return {
        "STAFFBOT_DATABASE_URL": f"sqlite+aiosqlite:///{target}",
        "STAFFBOT_DATA_DIR": str(tmp_path / "data"),
        "COLUMNS": "200",
    }


def cli(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


async def _due_with_overrides(env: dict[str, str]) -> datetime | None:
    settings = Settings(database_url=env["STAFFBOT_DATABASE_URL"], _env_file=None)  # type: ignore[call-arg]
    clock = FixedClock(wib(2026, 11, 25, 9))
    async with open_app(settings, clock=clock) as rt:
        desk = Desk(rt.db, rt.office)
        await desk.seed()
        number = (await desk.new_case(FORM)).number
        async with rt.db.uow(readonly=True) as uow:
            task = await uow.tasks.get(await desk.open_task_id(number))
        assert task is not None
        return task.due_at


def test_a_holiday_added_on_the_command_line_moves_the_due_date(cli_env: dict[str, str]) -> None:
    assert asyncio.run(_due_with_overrides(cli_env)) == wib(2026, 11, 26, 9)
    out = cli(cli_env, "calendar", "add-holiday", "2026-11-26", "--name", "Libur daerah")
    assert "2026-11-26" in out
    # the next case opened on Wednesday skips Thursday 26 November
    assert asyncio.run(_due_with_overrides(cli_env)) == wib(2026, 11, 27, 9)
    shown = json.loads(cli(cli_env, "calendar", "show", "--year", "2026", "--json"))
    rows = {row["day"]: row for row in shown["holidays"]}
    assert rows["2026-11-26"] == {"day": "2026-11-26", "name": "Libur daerah", "source": "tambahan"}
    assert rows["2026-12-24"]["source"] == "paket"
    assert shown["office_hours"] == "Sen-Kam 07.30-16.00, Jum 07.30-16.30"

    cli(cli_env, "calendar", "remove-holiday", "2026-11-26")
    assert asyncio.run(_due_with_overrides(cli_env)) == wib(2026, 11, 26, 9)
    # a package date made a working day is listed as removed
    cli(cli_env, "calendar", "remove-holiday", "2026-12-24")
    shown = json.loads(cli(cli_env, "calendar", "show", "--year", "2026", "--json"))
    assert {r["day"]: r["source"] for r in shown["holidays"]}["2026-12-24"] == "dihapus"
    refused = CliRunner().invoke(app, ["calendar", "remove-holiday", "2026-11-25"], env=cli_env)
    assert refused.exit_code == 1
    bad = CliRunner().invoke(
        app, ["calendar", "add-holiday", "26-11-2026", "--name", "x"], env=cli_env
    )
    assert bad.exit_code != 0


async def test_a_running_bot_picks_an_override_up_at_the_next_scan(
    db: Database, office: Office, settings: Settings
) -> None:
    reloader = calendar_admin.CalendarReloader(functools.partial(build_calendar, settings))
    bus = build_bus(db, office)
    now = office.now()
    assert await reloader.refresh(bus, now)
    assert not await reloader.refresh(bus, now)
    day = date(2026, 11, 26)
    assert office.calendar.is_working_day(day)
    await bus.handle(AddHoliday(day, name="Libur daerah", by="Admin"))
    assert await reloader.refresh(bus, now)
    assert not office.calendar.is_working_day(day)
    assert await count(db, "SELECT count(*) FROM audit_event WHERE kind = 'holiday_added'") == 1


# -- the pause while the case waits on the applicant ---------------------------------------


async def _reject_back_to_the_applicant(desk: Desk, clock: FixedClock) -> tuple[str, int]:
    number = (await desk.new_case()).number
    clock.set(wib(2026, 11, 25, 10))
    await desk.act(number, "reject", note="Foto KK buram, mohon kirim ulang")
    return number, await desk.open_task_id(number)


async def test_files_from_the_applicant_resume_the_clock(
    desk: Desk, db: Database, office: Office, clock: FixedClock
) -> None:
    _, task_id = await _reject_back_to_the_applicant(desk, clock)
    assert (await scan(db, office, clock, wib(2026, 11, 27, 10))).fired == ()

    async def fetch() -> bytes:
        return tiny_pdf("kk")

    clock.set(wib(2026, 11, 30, 10))
    await ChatService(build_bus(db, office)).handle(
        FileReceived(
            channel="whatsapp",
            chat_id="+6281234567890",
            user_id="+6281234567890",
            at=clock.now(),
            update_id="wamid.kk",
            filename="kk.pdf",
            mime_type="application/pdf",
            fetch=fetch,
        )
    )
    async with db.uow(readonly=True) as uow:
        task = await uow.tasks.get(task_id)
        events = [e.kind for e in await uow.audit.for_case(task.case_id or 0)] if task else []
    assert task is not None and task.paused_at is None
    assert task.due_at == wib(2026, 12, 1, 10) and task.next_escalation_at is not None
    assert "resumed" in events
    report = await scan(db, office, clock, wib(2026, 12, 1, 10))
    assert [(f.task_id, f.level) for f in report.fired] == [(task_id, 1)]


async def test_the_holder_acting_anyway_ends_the_pause(
    desk: Desk, db: Database, office: Office, clock: FixedClock
) -> None:
    number, paused = await _reject_back_to_the_applicant(desk, clock)
    # the files came some other way: the operator forwards the paused case on Monday
    clock.set(wib(2026, 11, 30, 9))
    await desk.act(number, "forward")
    following = await desk.open_task_id(number)
    async with db.uow(readonly=True) as uow:
        task = await uow.tasks.get(following)
    assert task is not None and task.paused_at is None
    assert task.due_at == wib(2026, 12, 1, 9)
    await scan(db, office, clock, wib(2026, 12, 1, 9))
    assert {(a.task_id, a.level) for a in await alerts(db)} == {(following, 1)}
    assert all(a.task_id != paused for a in await alerts(db))


def test_escalate_prints_what_fired(cli_env: dict[str, str]) -> None:
    asyncio.run(_due_with_overrides(cli_env))  # seeds the roster and opens one case
    quiet = cli(cli_env, "escalate", "--now", "2026-11-25T10:00")
    assert "tidak ada eskalasi" in quiet
    shown = cli(cli_env, "escalate", "--now", "2026-11-26T09:00")
    assert "Eskalasi per 2026-11-26 09:00" in shown
    assert "PO-2026-00001" in shown and "Hendra Gunawan" in shown
    again = json.loads(cli(cli_env, "escalate", "--now", "2026-11-26T09:00", "--json"))
    assert again["fired"] == []

"""`escalate` and `calendar ...`: the SLA scan as of a time, and the working-day
calendar it runs on (holidays, cuti bersama, office hours)."""

from __future__ import annotations

from typing import Annotated

import typer

from staffbot import cli_output as out
from staffbot.cli.common import JsonOpt, command, group, opened, parse_day, parse_instant
from staffbot.clock import FixedClock
from staffbot.settings import Settings

verbs = group("Kalender kerja: hari libur, cuti bersama, jam kantor.")


@command
async def escalate_cmd(
    now: Annotated[
        str | None, typer.Option("--now", help="Waktu ISO; tanpa zona = WIB (bawaan: sekarang)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Run one escalation pass as of a time: alerts, reminders, digests."""
    from staffbot.app.commands.sla import EscalationPass

    settings = Settings()
    at = parse_instant(now, settings)
    async with opened(settings, clock=FixedClock(at)) as app:
        report = await app.bus.handle(
            EscalationPass(now=at, digest_threshold=settings.digest_threshold)
        )
    if as_json:
        out.print_json(report)
        return
    local = at.astimezone(settings.tz)
    if not report.fired:
        out.ok(f"tidak ada eskalasi yang jatuh tempo pada {local:%Y-%m-%d %H:%M}")
        return
    out.print_table(
        f"Eskalasi per {local:%Y-%m-%d %H:%M}",
        ["Kasus", "Langkah", "Tingkat", "Terlambat (menit kerja)", "Penerima", "Ringkasan"],
        [
            (
                f.number,
                f"{f.sop_no}. {f.step}",
                str(f.level) + (f" (+{','.join(map(str, f.skipped))})" if f.skipped else ""),
                f.late_minutes,
                ", ".join(f.recipients),
                ", ".join(f.in_digest),
            )
            for f in report.fired
        ],
    )
    folded = f"; {len(report.digests)} petugas menerima ringkasan" if report.digests else ""
    out.ok(f"{len(report.fired)} eskalasi, {report.cards} pesan{folded}")


@verbs.command("add-holiday")
@command
async def calendar_add_holiday(
    day: Annotated[str, typer.Argument(help="Tanggal YYYY-MM-DD")],
    name: Annotated[str, typer.Option("--name", help="Nama hari libur / cuti bersama")],
    by: Annotated[str, typer.Option("--by", help="Nama admin untuk jejak audit")] = "admin",
) -> None:
    """Make a date a holiday (a decree the holidays package does not know yet)."""
    from staffbot.app.commands.calendar import AddHoliday

    when = parse_day(day)
    async with opened() as app:
        await app.bus.handle(AddHoliday(when, name=name, by=by))
    out.ok(f"{when} hari libur: {name} (bot yang berjalan memakainya pada pemindaian berikut)")


@verbs.command("remove-holiday")
@command
async def calendar_remove_holiday(
    day: Annotated[str, typer.Argument(help="Tanggal YYYY-MM-DD")],
    by: Annotated[str, typer.Option("--by", help="Nama admin untuk jejak audit")] = "admin",
) -> None:
    """Make a holiday a working day again (or drop a date added by mistake)."""
    from staffbot.app.commands.calendar import Removal, RemoveHoliday

    when = parse_day(day)
    async with opened() as app:
        outcome = await app.bus.handle(RemoveHoliday(when, by=by))
    if outcome is Removal.NOT_A_HOLIDAY:
        out.fail(f"{when} bukan hari libur")
        raise typer.Exit(1)
    out.ok(f"{when} kini hari kerja")


@verbs.command("show")
@command
async def calendar_show(
    year: Annotated[int | None, typer.Option("--year", help="Tahun (bawaan: tahun ini)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the year's holidays (package, added, removed) and the office hours."""
    from flows.calendar import format_office_hours
    from staffbot.app.commands.calendar import ListHolidays
    from staffbot.holidays_source import missing_cuti_bersama
    from staffbot.texts import day_name

    settings = Settings()
    async with opened(settings) as app:
        wanted = year or app.office.now().astimezone(settings.tz).year
        rows = await app.bus.handle(ListHolidays(wanted))
    hours = format_office_hours(settings.office_hours_table)
    missing = missing_cuti_bersama([wanted])
    if as_json:
        out.print_json(
            {"year": wanted, "office_hours": hours, "holidays": rows, "no_cuti_bersama": missing}
        )
        return
    out.print_table(
        f"Hari libur {wanted}",
        ["Tanggal", "Hari", "Nama", "Sumber"],
        [(r.day, day_name(r.day.weekday()), r.name, r.source) for r in rows],
    )
    out.console.print(f"Jam kantor ({settings.timezone}): {hours}")
    if missing:
        out.warn(
            f"paket holidays belum memuat cuti bersama {wanted}: masukkan SKB tahun itu "
            "dengan `calendar add-holiday`"
        )

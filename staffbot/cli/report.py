"""`report ...`: the rekap per kecamatan, the Mutu Baku report, the SOP chart (PDFs)."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from staffbot import cli_output as out
from staffbot.app.commands.reports import MakeReport, Period, ReportKind
from staffbot.cli.common import command, group, opened
from staffbot.errors import ConfigurationError

verbs = group("Laporan: rekap per kecamatan, Mutu Baku, bagan SOP.")


def _period(start: str, end: str) -> Period:
    try:
        return Period(date.fromisoformat(start), date.fromisoformat(end))
    except ValueError as exc:
        raise ConfigurationError(problem="dates are YYYY-MM-DD") from exc


async def _report(
    kind: ReportKind, start: str | None, end: str | None, out_file: Path | None
) -> None:
    period = _period(start, end) if start and end else None
    with out.console.status("menyusun laporan…"):
        async with opened() as app:
            report = await app.bus.handle(MakeReport(kind, period))
    target = out_file or Path(report.filename)
    await asyncio.to_thread(target.write_bytes, report.pdf)
    if kind == "rekap" and report.period is not None:
        per_place: dict[str, int] = {}
        for c in report.counts:
            per_place[c.kecamatan] = per_place.get(c.kecamatan, 0) + c.count
        out.print_table(
            f"Rekap {report.period.start} s.d. {report.period.end}",
            ["Kecamatan", "Jumlah"],
            sorted(per_place.items()),
        )
    out.ok(f"laporan ditulis ke {target}")


@verbs.command("rekap")
@command
async def report_rekap(
    start: Annotated[str | None, typer.Option("--from", help="YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="File PDF")] = None,
) -> None:
    """Files sorted at step 12 per kecamatan and layanan (PDF)."""
    await _report("rekap", start, end, out_file)


@verbs.command("mutu-baku")
@command
async def report_mutu_baku(
    start: Annotated[str | None, typer.Option("--from", help="YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="File PDF")] = None,
) -> None:
    """Per step and role: share within Waktu, median and worst time (PDF)."""
    await _report("mutu_baku", start, end, out_file)


@verbs.command("sop")
@command
async def report_sop(
    out_file: Annotated[Path | None, typer.Option("--out", help="File PDF")] = None,
) -> None:
    """The flow the office runs, drawn as the SOP's table (PDF)."""
    await _report("sop", None, None, out_file)

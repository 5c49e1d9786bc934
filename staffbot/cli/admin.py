"""The installation: `migrate`, `backup`, `restore` (they work on the database and the
data dir as a whole, through :mod:`staffbot.admin`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from staffbot import cli_output as out
from staffbot.cli.common import JsonOpt, command
from staffbot.settings import Settings


@command
async def backup_cmd(
    out_file: Annotated[
        Path | None,
        typer.Option("--out", help="Berkas arsip (bawaan: staffbot-backup-<waktu>.tar.gz)"),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Back up the database and the data dir into one archive (mode 0600)."""
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from staffbot import admin

    settings = Settings()
    now = datetime.now(settings.tz)
    target = out_file or Path(f"staffbot-backup-{now:%Y%m%d-%H%M%S}.tar.gz")
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=out.err_console, transient=True
    ) as progress:
        bar = progress.add_task("mencadangkan…")
        report = await admin.backup(
            settings,
            target,
            now=now,
            progress=lambda what: progress.update(bar, description=f"mencadangkan {what}"),
        )
    if as_json:
        out.print_json(report)
        return
    out.ok(
        f"cadangan {report.archive} ({report.size // 1024} KiB): basis data {report.dialect} "
        f"(skema {report.revision}), {report.files} berkas"
    )


@command
async def restore_cmd(
    archive: Annotated[Path, typer.Argument(help="Arsip dari `backup`")],
    force: Annotated[
        bool, typer.Option("--force", help="Timpa basis data dan folder data yang sudah berisi")
    ] = False,
) -> None:
    """Restore a backup into the configured database and data dir (stop the bot first)."""
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from staffbot import admin

    settings = Settings()
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=out.err_console, transient=True
    ) as progress:
        bar = progress.add_task("memulihkan…")
        report = await admin.restore(
            settings,
            archive,
            force=force,
            progress=lambda what: progress.update(bar, description=f"memulihkan {what}"),
        )
    out.ok(
        f"dipulihkan dari {report.archive} (dibuat {report.created_at}): basis data "
        f"{report.dialect}, {report.files} berkas"
    )
    if report.dialect == "postgresql" and report.revision != admin.schema_head():
        out.warn("jalankan `migrate` untuk membawa skema ke versi ini")


@command
async def migrate_cmd() -> None:
    """Bring the database schema up to date."""
    from staffbot import admin

    revision = await admin.migrate(Settings())
    out.ok(f"skema basis data terbaru ({revision})")

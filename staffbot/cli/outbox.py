"""`outbox ...`: outgoing messages that wait or failed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from staffbot import cli_output as out
from staffbot.cli.common import JsonOpt, command, group, opened

verbs = group("Pesan keluar yang menunggu atau gagal.")


@verbs.command("list")
@command
async def outbox_list(
    failed: Annotated[bool, typer.Option("--failed", help="Hanya yang gagal")] = False,
    sent: Annotated[
        bool, typer.Option("--sent", help="Yang sudah terkirim, dengan status pengirimannya")
    ] = False,
    case: Annotated[
        str | None, typer.Option("--case", help="Semua pesan satu kasus (nomor kasus)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Pending (or failed, or sent) outgoing messages, with the delivery status the
    platform reported (WhatsApp: sent, delivered, read, failed)."""
    from staffbot.app.commands.outbox import ListOutbox

    async with opened() as app:
        rows = await app.bus.handle(ListOutbox(failed=failed, sent=sent, case=case))
        tz = app.office.tz
    if as_json:
        out.print_json(rows)
        return

    def delivery(status: str | None, at: datetime | None) -> str:
        if status is None:
            return ""
        return f"{status} {at.astimezone(tz):%H:%M}" if at is not None else status

    out.print_table(
        "Pesan keluar",
        ["ID", "Kanal", "Chat", "Jenis", "Status", "Pengiriman", "Coba", "Galat"],
        [
            (
                r.id,
                r.channel,
                r.chat,
                r.kind,
                r.status,
                delivery(r.delivery_status, r.delivery_status_at),
                r.attempts,
                r.error or "",
            )
            for r in rows
        ],
    )


@verbs.command("retry")
@command
async def outbox_retry(outbox_id: Annotated[int, typer.Argument(help="ID pesan")]) -> None:
    """Send a failed message again (the running bot picks it up)."""
    from staffbot.app.commands.outbox import RetryOutbox

    async with opened() as app:
        await app.bus.handle(RetryOutbox(outbox_id))
    out.ok(f"pesan {outbox_id} dijadwalkan ulang")

"""`outbox ...`: outgoing messages that wait or failed."""

from __future__ import annotations

from typing import Annotated

import typer

from staffbot import cli_output as out
from staffbot.cli.common import JsonOpt, command, group, opened

verbs = group("Pesan keluar yang menunggu atau gagal.")


@verbs.command("list")
@command
async def outbox_list(
    failed: Annotated[bool, typer.Option("--failed", help="Hanya yang gagal")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Pending (or failed) outgoing messages."""
    from staffbot.app.commands.outbox import ListOutbox

    async with opened() as app:
        rows = await app.bus.handle(ListOutbox(failed=failed))
    if as_json:
        out.print_json(rows)
        return
    out.print_table(
        "Pesan keluar",
        ["ID", "Kanal", "Chat", "Jenis", "Status", "Coba", "Galat"],
        [(r.id, r.channel, r.chat, r.kind, r.status, r.attempts, r.error or "") for r in rows],
    )


@verbs.command("retry")
@command
async def outbox_retry(outbox_id: Annotated[int, typer.Argument(help="ID pesan")]) -> None:
    """Send a failed message again (the running bot picks it up)."""
    from staffbot.app.commands.outbox import RetryOutbox

    async with opened() as app:
        await app.bus.handle(RetryOutbox(outbox_id))
    out.ok(f"pesan {outbox_id} dijadwalkan ulang")

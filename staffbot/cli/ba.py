"""`ba ...`: the Berita Acara of SOP step 14 (cases sent to the UPT, per kecamatan)."""

from __future__ import annotations

from typing import Annotated

import typer

from staffbot import cli_output as out
from staffbot.app.commands.batches import WaitingForBa
from staffbot.app.commands.cases import MakeBa, Who
from staffbot.cli.common import JsonOpt, command, group, opened

verbs = group("Berita Acara pengiriman berkas ke UPT.")


@verbs.command("make")
@command
async def ba_make(
    as_nip: Annotated[str, typer.Option("--as", help="NIP Kasi Inovasi")],
    kecamatan: Annotated[
        str | None, typer.Option(help="Semua kasus menunggu di kecamatan ini")
    ] = None,
    cases: Annotated[list[str] | None, typer.Argument(help="Nomor kasus")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Put waiting cases into Berita Acara (one per kecamatan)."""
    async with opened() as app:
        results = await app.bus.handle(
            MakeBa(Who(nip=as_nip), refs=tuple(cases or ()), kecamatan=kecamatan)
        )
    if as_json:
        out.print_json(results)
        return
    for r in results:
        out.ok(f"Berita Acara {r.number}: {len(r.cases)} kasus ({', '.join(r.cases)})")


@verbs.command("waiting")
@command
async def ba_waiting(as_json: JsonOpt = False) -> None:
    """Cases waiting for a Berita Acara, per kecamatan."""
    async with opened() as app:
        waiting = await app.bus.handle(WaitingForBa())
    if as_json:
        out.print_json({w.kecamatan: list(w.cases) for w in waiting})
        return
    out.print_table(
        "Menunggu Berita Acara",
        ["Kecamatan", "Jumlah", "Kasus"],
        [(w.kecamatan, len(w.cases), ", ".join(w.cases)) for w in waiting],
    )

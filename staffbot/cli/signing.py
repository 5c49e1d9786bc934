"""`pdf verify` and `signing init`: the documents the office issues and the key that
signs them (installations without BSrE)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from staffbot import cli_output as out
from staffbot.app.commands.staff import FindStaff
from staffbot.cli.common import JsonOpt, command, default_actor, group, opened
from staffbot.errors import ConfigurationError

pdf_verbs = group("Periksa PDF yang diterbitkan.")
signing_verbs = group("Tanda tangan elektronik (TTE).")


@pdf_verbs.command("verify")
@command
async def pdf_verify(
    file: Annotated[Path, typer.Argument(help="Berkas PDF")],
    as_json: JsonOpt = False,
) -> None:
    """Check a PDF: issued by us byte for byte, in force, and its PAdES signature trusted.

    Exit 0 for a document in force (signed and valid, or a kind that is never signed);
    1 for a draft still to be signed, an old version, a cancelled document, a changed or
    unknown file, or a signature that does not validate."""
    from staffbot.app.commands.verification import CheckFile
    from staffbot.timefmt import long_date

    data = await asyncio.to_thread(file.read_bytes)
    async with opened() as app:
        verdict = await app.bus.handle(CheckFile(data))
        tz = app.office.tz
    what = f"{verdict.kind} {verdict.number}".strip()
    in_force = (
        verdict.known
        and verdict.signature_ok is not False
        and verdict.status not in ("void", "superseded")
        and not (verdict.status == "draft" and verdict.needs_signature)
    )
    if as_json:
        out.print_json(verdict)
    elif in_force and verdict.status == "received":
        out.ok(f"terdaftar: berkas kiriman pemohon {verdict.number}".strip())
    elif in_force:
        signed = f"; ditandatangani {verdict.signer}" if verdict.signed else ""
        out.ok(f"sah: {what}{signed}")
    elif verdict.known and verdict.status == "void":
        when = long_date(verdict.status_at, tz) if verdict.status_at else "-"
        out.fail(f"DIBATALKAN: {what} dibatalkan/ditolak pada {when}")
    elif verdict.known and verdict.status == "superseded":
        out.fail(f"VERSI LAMA: {what} sudah diganti versi yang lebih baru")
    elif verdict.known and verdict.signature_ok is not False:
        out.fail(f"BELUM DITANDATANGANI: {what} masih draf")
    elif verdict.matches_record is False and verdict.signed:
        out.fail(
            f"BERUBAH: berkas tidak sama dengan yang diterbitkan ({verdict.signature_problem})"
        )
    elif verdict.matches_record is False:
        out.fail("tidak dikenal: berkas ini tidak diterbitkan oleh kantor (atau berubah)")
    else:
        out.fail(f"tanda tangan tidak sah: {verdict.signature_problem}")
    if not in_force:
        raise typer.Exit(1)


@signing_verbs.command("init")
@command
async def signing_init(
    nip: Annotated[
        str | None, typer.Option(help="NIP Kepala Dinas (default: pemegang peran)")
    ] = None,
) -> None:
    """Create the office CA and the Kepala Dinas's signing key (installations without BSrE)."""
    from staffbot.bootstrap import signing_dir
    from staffbot.documents.pki import init_office_pki

    async with opened() as app:
        nip = nip or await default_actor(app.bus, "kepala_dinas")
        kadis = await app.bus.handle(FindStaff(nip))
        if kadis is None:
            raise ConfigurationError(problem=f"no staff with NIP {nip}")
        passphrase = typer.prompt(
            "PIN/passphrase tanda tangan Kepala Dinas", hide_input=True, confirmation_prompt=True
        )
        paths = await asyncio.to_thread(
            init_office_pki,
            signing_dir(app.settings),
            office_name=app.settings.office_short_name,
            kadis_name=kadis.name,
            kadis_nip=kadis.nip,
            passphrase=passphrase,
            now=app.office.now(),
        )
    out.ok(f"CA kantor: {paths.ca_cert}; kunci TTE: {paths.pkcs12}")

"""`case ...`: record a call, list, show (with the messages to the applicant and their
delivery), act (a case or a Berita Acara), claim, send the applicant's documents again,
purge old personal data, clear a manual signing check."""

from __future__ import annotations

import asyncio
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from staffbot import cli_output as out
from staffbot.app.commands.cases import (
    Act,
    ActResult,
    Claim,
    ClearManualCheck,
    IntakeForm,
    MakeBa,
    RecordCase,
    Sign,
    Who,
)
from staffbot.app.commands.deliveries import ResendToApplicant
from staffbot.app.commands.queries import ListCases, ShowCase
from staffbot.cli.common import JsonOpt, command, default_actor, group, opened
from staffbot.errors import ConfigurationError
from staffbot.settings import Settings
from staffbot.texts.delivery import dt, reason_text, state_label, what_label

if TYPE_CHECKING:
    from staffbot.app.bus import MessageBus, Tx

verbs = group("Kasus pengaduan.")


@verbs.command("new")
@command
async def case_new(
    name: Annotated[str, typer.Option("--name", help="Nama pemohon")],
    nik: Annotated[str, typer.Option("--nik", help="NIK (16 digit)")],
    wa: Annotated[str, typer.Option("--wa", help="Nomor WhatsApp pemohon")],
    kecamatan: Annotated[str, typer.Option("--kecamatan")],
    layanan: Annotated[str, typer.Option("--layanan", help="Jenis layanan")],
    keluhan: Annotated[str, typer.Option("--keluhan")] = "",
    desa: Annotated[str, typer.Option("--desa", help="Desa/pekon pemohon (bila diketahui)")] = "",
    as_nip: Annotated[str | None, typer.Option("--as", help="NIP petugas call center")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a call (SOP steps 1-2) as a new case."""
    async with opened() as app:
        nip = as_nip or await default_actor(app.bus, app.office.flow.step("catat").role)
        result = await app.bus.handle(
            RecordCase(
                Who(nip=nip),
                IntakeForm(
                    name=name,
                    nik=nik,
                    wa=wa,
                    kecamatan=kecamatan,
                    layanan=layanan,
                    keluhan=keluhan,
                    desa=desa,
                ),
            )
        )
    if as_json:
        out.print_json(result)
        return
    for warning in result.warnings:
        out.warn(warning)
    out.ok(f"kasus {result.number} dicatat; sekarang di langkah {result.step}")


@verbs.command("list")
@command
async def case_list(
    status: Annotated[str | None, typer.Option(help="open atau closed")] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Hanya yang lewat batas waktu")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """List cases."""
    async with opened() as app:
        rows = await app.bus.handle(ListCases(status=status, overdue=overdue))
    if as_json:
        out.print_json(rows)
        return
    out.print_table(
        "Kasus",
        ["Nomor", "Status", "Langkah", "Kecamatan", "Layanan", "No. Reg"],
        [
            (
                r.number,
                r.status,
                f"{r.sop_no}. {r.step}",
                r.kecamatan,
                r.layanan,
                r.registration_no or "",
            )
            for r in rows
        ],
    )


@verbs.command("show")
@command
async def case_show(
    ref: Annotated[str, typer.Argument(help="Nomor kasus, nomor Berita Acara atau id")],
    as_json: JsonOpt = False,
) -> None:
    """Show one case (or Berita Acara): state, available actions, history."""
    async with opened() as app:
        view = await app.bus.handle(ShowCase(ref))
    if as_json:
        out.print_json(view)
        return
    out.console.print(
        f"[bold]{view['number']}[/] · {view['status']} · langkah "
        f"{view['sop_no']}. {view['step_title']} ({view['role']})"
    )
    if view["applicant"] is not None:
        out.console.print(
            f"Pemohon: {view['applicant']['name']} · NIK {view['applicant']['nik']} · "
            f"{view['kecamatan']} · {view['layanan']}"
        )
    else:  # a Berita Acara: the cases it carries
        out.console.print(f"{view['kecamatan']} · kasus: {', '.join(view['cases'])}")
    if view["registration_no"]:
        out.console.print(f"No. registrasi: {view['registration_no']}")
    out.console.print(f"Tindakan sekarang: {', '.join(view['actions']) or '-'}")
    out.print_table(
        "Riwayat",
        ["Langkah", "Hasil", "Oleh", "Waktu", "Catatan"],
        [
            (
                h["step"],
                h["outcome"] or ("(terbuka)" if h["open"] else ""),
                h["actor"] or "",
                h["done_at"] or h["created_at"],
                h["note"] or "",
            )
            for h in view["history"]
        ],
    )
    if view["deliveries"]:
        _print_deliveries(view["deliveries"], app.office.tz)


def _print_deliveries(lines: list[dict[str, Any]], tz: tzinfo) -> None:
    """What went to the applicant and how far it got (WhatsApp's statuses)."""

    def local(value: str | None) -> str:
        return f"{datetime.fromisoformat(value).astimezone(tz):%Y-%m-%d %H:%M}" if value else ""

    out.print_table(
        dt("heading"),
        [dt(f"column.{c}") for c in ("what", "to", "sent", "state", "state_at", "note")],
        [
            (
                what_label(d["what"], d["again"]),
                d["to"],
                local(d["sent_at"] or d["queued_at"]),
                state_label(d["state"]),
                local(d["state_at"]),
                reason_text(d["error"]),
            )
            for d in lines
        ],
    )


@verbs.command("resend")
@command
async def case_resend(
    ref: Annotated[str, typer.Argument(help="Nomor kasus")],
    as_nip: Annotated[str, typer.Option("--as", help="NIP pengirim PDF atau Kasi Inovasi")],
    as_json: JsonOpt = False,
) -> None:
    """Send the case's documents that did not reach the applicant again (WhatsApp)."""
    async with opened() as app:
        result = await app.bus.handle(ResendToApplicant(Who(nip=as_nip), ref))
    if as_json:
        out.print_json(result)
        return
    if not result.documents:
        out.ok(dt("resend.nothing", number=result.number))
        return
    out.ok(
        dt(
            "resend.done",
            count=len(result.documents),
            number=result.number,
            phone=result.to,
            names=", ".join(result.documents),
        )
    )


@verbs.command("act")
@command
async def case_act(
    refs: Annotated[
        list[str], typer.Argument(help="Nomor kasus atau BA (beberapa kasus untuk make_ba)")
    ],
    as_nip: Annotated[str, typer.Option("--as", help="NIP petugas")],
    action: Annotated[str, typer.Option("--action", help="record, forward, done, approve, ...")],
    note: Annotated[str | None, typer.Option("--note", help="Alasan / catatan")] = None,
    pin: Annotated[str | None, typer.Option("--pin", help="PIN tanda tangan")] = None,
    attachment: Annotated[Path | None, typer.Option("--attachment", help="PDF hasil")] = None,
    generate: Annotated[
        bool,
        typer.Option("--generate", help="Buat Surat Tanggapan standar sebagai dokumen hasil"),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Take an action on a case (or a Berita Acara) as a staff member."""
    who = Who(nip=as_nip)
    if generate and attachment is not None:
        raise ConfigurationError(problem="--generate or --attachment, not both")
    async with opened() as app:
        if action == "make_ba":
            results = await app.bus.handle(MakeBa(who, refs=tuple(refs)))
        elif len(refs) != 1:
            raise ConfigurationError(problem="one case at a time (except make_ba)")
        elif any(a.key == action and a.requires_pin for _, a in app.office.flow.edges()):
            results = [await _sign(app.bus, refs[0], who, action, pin)]
        else:
            results = [await _act(app.bus, refs[0], who, action, note, attachment, generate)]
    if as_json:
        out.print_json(results)
        return
    for r in results:
        target = "selesai" if r.closed else r.to_step
        out.ok(f"{r.number}: {r.outcome} oleh {r.actor} → {target}")


async def _act(
    bus: MessageBus,
    ref: str,
    who: Who,
    action: str,
    note: str | None,
    attachment: Path | None,
    generate: bool = False,
) -> ActResult:
    """With an attachment (uploaded, or the standard letter made with ``--generate`` as
    the chat's "Buat Surat Tanggapan" makes it), storing it and the action commit
    together: a refused action leaves no stray document behind."""
    if attachment is None and not generate:
        return await bus.handle(Act(who, action, ref=ref, note=note))
    from staffbot.app.commands.files import Attach, GenerateResult

    data = await asyncio.to_thread(attachment.read_bytes) if attachment is not None else b""

    async def attach_and_act(tx: Tx) -> ActResult:
        if attachment is None:
            document_id = await tx.run(GenerateResult(who, ref))
        else:
            document_id = await tx.run(Attach(who, ref, attachment.name, data))
        return await tx.run(Act(who, action, ref=ref, note=note, attachment_id=document_id))

    return await bus.atomically(attach_and_act)


async def _sign(bus: MessageBus, ref: str, who: Who, action: str, pin: str | None) -> ActResult:
    secret = (
        pin if pin is not None else typer.prompt("PIN/passphrase tanda tangan", hide_input=True)
    )
    [outcome] = await bus.handle(Sign(who, secret, refs=(ref,), action=action))
    if outcome.error is not None:
        raise outcome.error
    assert outcome.result is not None
    return outcome.result


@verbs.command("claim")
@command
async def case_claim(
    ref: Annotated[str, typer.Argument(help="Nomor kasus atau BA")],
    as_nip: Annotated[str, typer.Option("--as", help="NIP petugas pemegang peran langkah itu")],
    as_json: JsonOpt = False,
) -> None:
    """Take a case's open task: colleagues of the same role can no longer act on it."""
    async with opened() as app:
        result = await app.bus.handle(Claim(Who(nip=as_nip), ref=ref))
    if as_json:
        out.print_json(result)
        return
    if not result.changed:
        out.ok(f"{result.number}: sudah dipegang {result.claimer}")
        return
    told = f"; kartu {', '.join(result.told)} diperbarui" if result.told else ""
    out.ok(f"{result.number}: langkah {result.sop_no} kini dipegang {result.claimer}{told}")


@verbs.command("purge")
@command
async def case_purge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Hanya tampilkan kasus yang akan dihapus datanya")
    ] = False,
    days: Annotated[
        int | None,
        typer.Option("--days", help="Masa simpan dalam hari (bawaan: STAFFBOT_RETENTION_DAYS)"),
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Nama admin untuk jejak audit")] = "admin",
    as_json: JsonOpt = False,
) -> None:
    """Remove the personal data of cases closed longer ago than the retention period."""
    from staffbot.app.commands.privacy import PurgeClosedCases

    settings = Settings()
    retention = settings.retention_days if days is None else days
    with out.err_console.status("menghapus data pribadi kasus lama…"):
        async with opened(settings) as app:
            report = await app.bus.handle(
                PurgeClosedCases(retention_days=retention, by=by, dry_run=dry_run)
            )
    if as_json:
        out.print_json(report)
        return
    cutoff = report.cutoff.astimezone(settings.tz)
    if dry_run:
        out.ok(f"{len(report.cases)} kasus ditutup sebelum {cutoff:%Y-%m-%d} akan dihapus datanya")
        for number in report.cases:
            out.console.print(number)
        return
    out.ok(
        f"data pribadi {len(report.cases)} kasus (ditutup sebelum {cutoff:%Y-%m-%d}) dihapus: "
        f"{report.files} berkas, {report.outbox_rows} pesan, {report.conversations} percakapan"
    )


@verbs.command("clear-check")
@command
async def case_clear_check(
    ref: Annotated[str, typer.Argument(help="Nomor kasus atau BA")],
    note: Annotated[str, typer.Option("--note", help="Hasil pemeriksaan di BSrE")],
    by: Annotated[str, typer.Option("--by", help="Nama pemeriksa")] = "admin",
) -> None:
    """After checking the signer by hand: allow signing this case (or BA) again."""
    async with opened() as app:
        number = await app.bus.handle(ClearManualCheck(ref, by=by, note=note))
    out.ok(f"{number}: pemeriksaan manual selesai")

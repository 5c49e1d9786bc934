"""`staff ...`: the roster, leave, invitations, login links, the signing PIN."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from staffbot import cli_output as out
from staffbot.app.commands.staff import (
    DEMO_PIN,
    KEEP,
    AddStaff,
    ChangeStaff,
    EndLeave,
    ListStaff,
    SeedDemo,
    SetLeave,
)
from staffbot.cli.common import JsonOpt, command, group, opened
from staffbot.errors import ConfigurationError

verbs = group("Petugas: daftar, tambah, cuti, PIN.")


@verbs.command("add")
@command
async def staff_add(
    name: Annotated[str, typer.Option("--name", help="Nama lengkap")],
    nip: Annotated[str, typer.Option("--nip", help="NIP (18 digit)")],
    role: Annotated[list[str], typer.Option("--role", help="Peran (boleh diulang)")],
    telegram: Annotated[int | None, typer.Option("--telegram", help="ID Telegram")] = None,
    whatsapp: Annotated[str | None, typer.Option("--whatsapp", help="Nomor WhatsApp")] = None,
    supervisor: Annotated[str | None, typer.Option("--supervisor", help="NIP atasan")] = None,
    channel: Annotated[str | None, typer.Option(help="web, telegram atau whatsapp")] = None,
    pin: Annotated[str | None, typer.Option(help="PIN tanda tangan (6 digit)")] = None,
    pangkat: Annotated[
        str | None, typer.Option(help='Pangkat/golongan, mis. "Pembina Utama Muda (IV/c)"')
    ] = None,
    jabatan: Annotated[str | None, typer.Option(help="Jabatan seperti ditulis di surat")] = None,
) -> None:
    """Add a staff member."""
    async with opened() as app:
        staff = await app.bus.handle(
            AddStaff(
                name=name,
                nip=nip,
                roles=tuple(role),
                telegram_id=telegram,
                whatsapp=whatsapp,
                supervisor_nip=supervisor,
                channel=channel,
                pin=pin,
                pangkat=pangkat,
                jabatan=jabatan,
            )
        )
    out.ok(f"petugas {staff.name} ({staff.nip}) ditambahkan")


@verbs.command("edit")
@command
async def staff_edit(
    nip: Annotated[str, typer.Argument(help="NIP petugas")],
    name: Annotated[str | None, typer.Option("--name", help="Nama lengkap")] = None,
    pangkat: Annotated[
        str | None,
        typer.Option(help='Pangkat/golongan, mis. "Penata (III/c)"; "" menghapus'),
    ] = None,
    jabatan: Annotated[
        str | None, typer.Option(help='Jabatan seperti ditulis di surat; "" menghapus')
    ] = None,
    whatsapp: Annotated[str | None, typer.Option("--whatsapp", help="Nomor WhatsApp")] = None,
    telegram: Annotated[int | None, typer.Option("--telegram", help="ID Telegram")] = None,
    supervisor: Annotated[str | None, typer.Option("--supervisor", help="NIP atasan")] = None,
    channel: Annotated[str | None, typer.Option(help="web, telegram atau whatsapp")] = None,
    role: Annotated[
        list[str] | None, typer.Option("--role", help="Peran (boleh diulang; mengganti semua)")
    ] = None,
) -> None:
    """Change a staff member: name, pangkat/golongan, jabatan, contacts, roles."""

    def keep(value: Any) -> Any:
        return KEEP if value is None else value

    async with opened() as app:
        staff = await app.bus.handle(
            ChangeStaff(
                nip,
                name=keep(name),
                pangkat=keep(pangkat),
                jabatan=keep(jabatan),
                whatsapp=keep(whatsapp),
                telegram_id=keep(telegram),
                supervisor_nip=keep(supervisor),
                channel=keep(channel),
                roles=tuple(role) if role else KEEP,
            )
        )
    out.ok(f"petugas {staff.name} ({staff.nip}) diperbarui")


@verbs.command("list")
@command
async def staff_list(as_json: JsonOpt = False) -> None:
    """List the roster."""
    async with opened() as app:
        rows = await app.bus.handle(ListStaff())
    if as_json:
        out.print_json(rows)
        return
    out.print_table(
        "Petugas",
        ["NIP", "Nama", "Pangkat/Gol.", "Peran", "Kanal", "Atasan", "Status"],
        [
            (
                r.nip,
                r.name,
                r.pangkat or "",
                ", ".join(r.roles),
                r.channel,
                r.supervisor or "",
                ("cuti → " + (r.delegate or "-"))
                if r.on_leave
                else ("aktif" if r.active else "nonaktif"),
            )
            for r in rows
        ],
    )


@verbs.command("seed-demo")
@command
async def staff_seed_demo() -> None:
    """Create one demo staff member per role (Kepala Dinas PIN: 123456)."""
    async with opened() as app:
        created = await app.bus.handle(SeedDemo())
    out.ok(f"{created} petugas demo dibuat; PIN tanda tangan Kepala Dinas: {DEMO_PIN}")


@verbs.command("leave")
@command
async def staff_leave(
    nip: Annotated[str, typer.Argument(help="NIP petugas yang cuti")],
    delegate: Annotated[str | None, typer.Option("--delegate", help="NIP wakil")] = None,
    back: Annotated[bool, typer.Option("--back", help="Cuti selesai")] = False,
) -> None:
    """Put a staff member on leave with a delegate (or --back to end it)."""
    async with opened() as app:
        if back:
            await app.bus.handle(EndLeave(nip))
            out.ok("cuti selesai")
            return
        result = await app.bus.handle(SetLeave(nip, delegate_nip=delegate))
    out.ok(
        f"{result.staff} cuti; wakil: {result.delegate or '-'}; {result.reassigned} tugas dialihkan"
    )


@verbs.command("invite")
@command
async def staff_invite(
    role: Annotated[str | None, typer.Option(help="Peran orang baru")] = None,
    nip: Annotated[str | None, typer.Option(help="NIP petugas yang sudah terdaftar")] = None,
    hours: Annotated[int, typer.Option(help="Berlaku berapa jam")] = 72,
) -> None:
    """Print a one-time t.me deep link that binds a Telegram account to staff."""
    from staffbot.app.commands.invites import CreateInvite
    from staffbot.channels.telegram import bot_username, invite_link

    if (role is None) == (nip is None):
        raise ConfigurationError(problem="give either --role or --nip")
    async with opened() as app:
        username = await bot_username(app.settings)
        code = await app.bus.handle(CreateInvite(role=role, nip=nip, hours=hours))
    print(invite_link(username, code))


@verbs.command("import")
@command
async def staff_import(
    file: Annotated[Path, typer.Argument(help="Berkas .xlsx atau .csv")],
    as_json: JsonOpt = False,
) -> None:
    """Add or update staff from a spreadsheet (nama, nip, peran, telegram, whatsapp, atasan,
    pangkat, jabatan)."""
    from rich.progress import Progress

    from staffbot.app.commands.staff import ImportRoster

    async with opened() as app:
        with Progress(console=out.err_console, transient=True) as progress:
            bar = progress.add_task("mengimpor petugas", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(bar, completed=done, total=total)

            report = await app.bus.handle(ImportRoster(file, progress=advance))
    if as_json:
        out.print_json(report)
    else:
        out.ok(f"{len(report.added)} ditambah, {len(report.updated)} diperbarui")
        for line, message in report.errors:
            out.warn(f"baris {line}: {message}")
    if report.errors:
        raise typer.Exit(1)


@verbs.command("login-link")
@command
async def staff_login_link(
    nip: Annotated[str, typer.Argument(help="NIP petugas")],
    hours: Annotated[int, typer.Option(help="Berlaku berapa jam")] = 24,
) -> None:
    """Print a one-time login link to the web channel for a staff member."""
    from staffbot.app.commands.web_auth import CreateLoginLink

    async with opened() as app:
        url = await app.bus.handle(
            CreateLoginLink(nip=nip, hours=hours, public_url=app.settings.public_url)
        )
    print(url)


@verbs.command("set-pin")
@command
async def staff_set_pin(
    nip: Annotated[str, typer.Argument()],
    pin: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Set the signing PIN of a staff member."""
    async with opened() as app:
        await app.bus.handle(ChangeStaff(nip, pin=pin))
    out.ok("PIN diperbarui")


@verbs.command("set-cards")
@command
async def staff_set_cards(
    nip: Annotated[str, typer.Argument()],
    cards: Annotated[
        str,
        typer.Argument(help="each: satu kartu per dokumen; digest: satu ringkasan"),
    ],
) -> None:
    """Task cards one per document (each) or gathered in one digest (digest)."""
    async with opened() as app:
        await app.bus.handle(ChangeStaff(nip, cards=cards.strip().lower()))
    out.ok(f"kartu tugas {nip}: {cards}")

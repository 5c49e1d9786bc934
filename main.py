"""staffbot's command line and wiring: the only place that builds things.

``python main.py --help`` (or the ``staffbot`` script) lists the verbs.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer

from flows.pengaduan_online import pengaduan_online
from flows.render import mermaid, step_rows
from flows.validate import validate_flow
from staffbot import cli_output as out
from staffbot.app.bus import MessageBus
from staffbot.app.commands.audit import VerifyAuditChain
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
from staffbot.app.commands.queries import ListCases, ShowCase
from staffbot.app.commands.reports import MakeReport, Period, ReportKind
from staffbot.app.commands.staff import (
    DEMO_PIN,
    DEMO_ROSTER,
    AddStaff,
    ChangeStaff,
    EndLeave,
    ListStaff,
    SeedDemo,
    SetLeave,
)
from staffbot.bootstrap import (
    build_bus,
    build_calendar,
    build_engine,
    build_office,
    build_trust_anchor,
    load_overrides,
    open_app,
    signing_dir,
)
from staffbot.channels.base import Channel, FileBlob
from staffbot.channels.receiver import Receiver
from staffbot.clock import Clock, FixedClock, SystemClock
from staffbot.errors import ConfigurationError, StaffbotError
from staffbot.services import batches
from staffbot.services.context import Office
from staffbot.services.files import store_document
from staffbot.services.locate import find_case
from staffbot.settings import Settings
from staffbot.texts import error_text
from storage.db import Database, url_password
from storage.migrate import head_revision, upgrade, upgrade_if_needed
from storage.uow import UnitOfWork

P = ParamSpec("P")
T = TypeVar("T")

log = logging.getLogger("staffbot")


# -- wiring ------------------------------------------------------------------------------


@dataclass
class Runtime:
    settings: Settings
    db: Database
    office: Office
    bus: MessageBus

    def uow(self, *, readonly: bool = False) -> UnitOfWork:
        return self.db.uow(readonly=readonly)


def init_demo_pki(settings: Settings, clock: Clock, *, kadis_name: str, kadis_nip: str) -> None:
    """The demo signs with the documented demo PIN; production runs `signing init`."""
    from staffbot.documents.pki import init_office_pki

    init_office_pki(
        signing_dir(settings),
        office_name=settings.office_short_name,
        kadis_name=kadis_name,
        kadis_nip=kadis_nip,
        passphrase=DEMO_PIN,
        now=clock.now(),
        min_passphrase=len(DEMO_PIN),
    )


@asynccontextmanager
async def runtime(
    settings: Settings | None = None, *, clock: Clock | None = None, migrate: bool = True
) -> AsyncIterator[Runtime]:
    async with open_app(settings, clock=clock, migrate=migrate) as built:
        yield Runtime(built.settings, built.db, built.office, built.bus)


# -- the running bot ------------------------------------------------------------------------


def _own_signals_server() -> type:
    import uvicorn

    class OwnSignalsServer(uvicorn.Server):
        """`run` handles SIGINT/SIGTERM itself (a clean stop of every part), so the web
        server must not take them over."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    return OwnSignalsServer


class BotApp:
    """Everything `run` starts, in order, and stops in reverse.

    Database (migrated; demo roster seeded when there is no staff), the chat service,
    the channels, the outbox dispatcher, the scheduler and one web server for the web
    channel, the webhooks, the verification pages, /healthz and /metrics.
    """

    def __init__(self, settings: Settings, *, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.db = Database(settings.database_url)
        self.stack = contextlib.AsyncExitStack()
        self.url = settings.public_url
        self.demo = False
        self.started = asyncio.Event()

    async def start(self) -> None:
        from staffbot.channels.web import WebChannel
        from staffbot.chat.service import ChatService
        from staffbot.dispatcher import OutboxDispatcher

        settings = self.settings
        install_log_safety(settings)
        await upgrade_if_needed(settings.database_url)
        await self.db.initialize()
        self.stack.push_async_callback(self.db.shutdown)
        self.engine = build_engine(settings, workers=settings.document_workers)
        self.stack.push_async_callback(self.engine.aclose)
        # The workers import fpdf2 and pyHanko and subset the fonts (about a second)
        # while the rest starts; the first document does not wait for that.
        self._warm_up = asyncio.create_task(self._start_engine(), name="document-engine")
        self.stack.callback(self._warm_up.cancel)
        async with self.db.uow(readonly=True) as uow:
            empty = await uow.staff.count() == 0
        # An empty database gets the demo roster below, so it counts as a demo already.
        self.demo = await self._demo_mode() if not empty else self.settings.demo != "off"
        if self.demo and not settings.bsre_url and build_trust_anchor(settings) is None:
            role, name, nip, _ = DEMO_ROSTER[0]
            assert role == "kepala_dinas"
            await asyncio.to_thread(
                init_demo_pki, settings, self.clock, kadis_name=name, kadis_nip=nip
            )
        # Built once the demo key exists: the office is never changed after this.
        added, removed = await load_overrides(self.db)
        self.office = build_office(
            settings,
            self.clock,
            build_calendar(settings, self.clock.now(), added, removed),
            engine=self.engine,
        )
        self.bus = build_bus(self.db, self.office)
        if empty:
            created = await self.bus.handle(SeedDemo())
            log.warning(
                "no staff yet: demo roster of %s created (Kepala Dinas PIN %s)", created, DEMO_PIN
            )
        self.chat = ChatService(self.bus)
        self.web_channel = WebChannel()
        channels: dict[str, Channel] = {"web": self.web_channel}
        receivers = await self._platform_channels(channels)
        install_log_safety(settings)  # the webhook secret exists now
        # Without WhatsApp the applicant's messages land in the web page's applicant
        # inbox (demo), so nothing waits forever in the outbox.
        channels.setdefault("whatsapp", self.web_channel)
        self.dispatcher = OutboxDispatcher(
            self.db,
            channels,
            clock=self.clock,
            load_document=self._load_document,
            lease_seconds=settings.outbox_lease_seconds,
        )
        await self.dispatcher.start()
        self.stack.push_async_callback(self.dispatcher.stop)
        await self._start_scheduler()
        await self._start_web(receivers)
        for receiver in receivers:
            await receiver.start()
            self.stack.push_async_callback(receiver.stop)
        self.started.set()

    async def _start_scheduler(self) -> None:
        from scheduler import build_scheduler

        settings = self.settings
        self.scheduler = build_scheduler(
            self.bus,
            clock=self.clock,
            sweep=self.dispatcher.wake,
            reload_calendar=functools.partial(build_calendar, settings),
            digest_threshold=settings.digest_threshold,
            morning_at=settings.morning_digest_time,
            escalation_seconds=settings.escalation_interval_seconds,
            sweep_seconds=settings.outbox_sweep_seconds,
        )
        self.scheduler.start()
        self.stack.push_async_callback(self.scheduler.aclose)

    async def _start_engine(self) -> None:
        try:
            await self.engine.start()
        except Exception:
            log.exception("document engine: warm-up failed; workers start on first use")

    async def _demo_mode(self) -> bool:
        if self.settings.demo != "auto":
            return self.settings.demo == "on"
        demo_nips = {nip for _role, _name, nip, _sup in DEMO_ROSTER}
        async with self.db.uow(readonly=True) as uow:
            nips = {s.nip for s in await uow.staff.all()}
        return bool(nips) and nips <= demo_nips

    async def _platform_channels(self, channels: dict[str, Channel]) -> list[Receiver]:
        """Telegram and WhatsApp, when their settings are present."""
        receivers: list[Receiver] = []
        settings = self.settings
        if settings.telegram_enabled:
            from staffbot.channels.telegram import build_telegram

            telegram = await build_telegram(settings, self.chat.handle, self.office.now)
            await telegram.initialize()
            self.stack.push_async_callback(telegram.shutdown)
            channels["telegram"] = telegram
            receivers.append(telegram.receiver())
        if settings.whatsapp_enabled:
            from staffbot.channels.whatsapp import build_whatsapp
            from staffbot.services.whatsapp_state import WhatsAppStateOnBus

            state = WhatsAppStateOnBus(self.bus)
            whatsapp = await build_whatsapp(settings, self.chat.handle, state, self.office.now)
            await whatsapp.initialize()
            self.stack.push_async_callback(whatsapp.shutdown)
            channels["whatsapp"] = whatsapp
            receivers.append(whatsapp.receiver())
        return receivers

    async def _load_document(self, document_id: int) -> FileBlob:
        from staffbot.services.files import read_blob

        async with self.db.uow(readonly=True) as uow:
            document = await uow.documents.get(document_id)
        if document is None:
            raise ConfigurationError(problem=f"document {document_id} is missing")
        data = await asyncio.to_thread(read_blob, self.office, document)
        return FileBlob(document.filename, document.mime_type, data)

    async def healthy(self) -> bool:
        return self.dispatcher.running and await self.db.ping()

    async def metrics(self) -> str:
        from staffbot.metrics import render_metrics

        return await render_metrics(self.db, self.dispatcher, self.office)

    async def _start_web(self, receivers: list[Receiver]) -> None:
        import uvicorn

        from staffbot.web.app import create_web_app
        from staffbot.web.deps import WebDeps
        from staffbot.web.verify import verification_routes

        routes = [route for receiver in receivers for route in receiver.routes()]
        routes += verification_routes(self.bus)
        app = create_web_app(
            WebDeps(
                db=self.db,
                office=self.office,
                bus=self.bus,
                chat=self.chat,
                channel=self.web_channel,
                public_url=self.settings.public_url,
                demo=self.demo,
                health=self.healthy,
                metrics=self.metrics,
                extra_routes=routes,
                secure_cookies=self.settings.public_url.startswith("https://"),
            )
        )
        config = uvicorn.Config(
            app,
            host=self.settings.web_host,
            port=self.settings.web_port,
            log_level="warning",
            lifespan="off",
            access_log=False,
        )
        self.server = _own_signals_server()(config)
        serving = asyncio.create_task(self.server.serve(), name="web-server")
        while not self.server.started:
            if serving.done():
                serving.result()
                raise ConfigurationError(problem="the web server did not start")
            await asyncio.sleep(0.02)
        sockets = [s for server in self.server.servers for s in server.sockets]
        if sockets:
            host, port = sockets[0].getsockname()[:2]
            self.url = f"http://{host}:{port}"

        async def stop_web() -> None:
            # uvicorn waits for open responses: end the live streams first.
            app.state.close_streams()
            self.server.should_exit = True
            await serving

        self.stack.push_async_callback(stop_web)

    async def stop(self) -> None:
        await self.stack.aclose()


# -- command-line plumbing ---------------------------------------------------------------

app = typer.Typer(
    help="staffbot: SOP Pengaduan Online Disdukcapil Kabupaten Tanggamus, di ponsel petugas.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
staff_app = typer.Typer(help="Petugas: daftar, tambah, cuti, PIN.", no_args_is_help=True)
flow_app = typer.Typer(help="Alur SOP.", no_args_is_help=True)
case_app = typer.Typer(help="Kasus pengaduan.", no_args_is_help=True)
ba_app = typer.Typer(help="Berita Acara pengiriman berkas ke UPT.", no_args_is_help=True)
audit_app = typer.Typer(help="Jejak audit.", no_args_is_help=True)
app.add_typer(staff_app, name="staff")
app.add_typer(flow_app, name="flow")
app.add_typer(case_app, name="case")
app.add_typer(ba_app, name="ba")
app.add_typer(audit_app, name="audit")
report_app = typer.Typer(
    help="Laporan: rekap per kecamatan, Mutu Baku, bagan SOP.", no_args_is_help=True
)
pdf_app = typer.Typer(help="Periksa PDF yang diterbitkan.", no_args_is_help=True)
signing_app = typer.Typer(help="Tanda tangan elektronik (TTE).", no_args_is_help=True)
outbox_app = typer.Typer(help="Pesan keluar yang menunggu atau gagal.", no_args_is_help=True)
app.add_typer(report_app, name="report")
app.add_typer(pdf_app, name="pdf")
app.add_typer(signing_app, name="signing")
app.add_typer(outbox_app, name="outbox")

JsonOpt = Annotated[bool, typer.Option("--json", help="Keluaran JSON untuk skrip.")]


def command(fn: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, T]:
    """Run an async command; a StaffbotError becomes a clear message and exit code 1."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return asyncio.run(fn(*args, **kwargs))
        except StaffbotError as exc:
            out.fail(error_text(exc, Settings().language))
            raise typer.Exit(1) from exc

    return wrapper


# -- run / migrate / flow ---------------------------------------------------------------


@app.command("run")
@command
async def run_cmd() -> None:
    """Start channels, web and scheduler (Ctrl-C / SIGTERM stop cleanly)."""
    settings = Settings()
    bot = BotApp(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await bot.start()
        out.ok(f"staffbot berjalan: {bot.url}  (Ctrl-C untuk berhenti)")
        channels = ", ".join(sorted(bot.dispatcher.channels))
        out.console.print(
            f"kanal: {channels} · basis data: {bot.db.dialect}"
            + (" · mode demo: pilih peran di halaman web" if bot.demo else "")
        )
        if not settings.telegram_enabled:
            out.console.print("Telegram mati (STAFFBOT_TELEGRAM_TOKEN belum diisi)")
        if not settings.whatsapp_enabled:
            out.console.print(
                "WhatsApp mati (STAFFBOT_WHATSAPP_TOKEN belum diisi): pesan "
                "untuk pemohon tampil di kotak masuk pemohon halaman web"
            )
        await stop.wait()
        out.console.print("berhenti…")
    finally:
        await bot.stop()


@app.command("backup")
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

    from staffbot.services.backup import make_backup

    settings = Settings()
    now = datetime.now(settings.tz)
    target = out_file or Path(f"staffbot-backup-{now:%Y%m%d-%H%M%S}.tar.gz")
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=out.err_console, transient=True
    ) as progress:
        bar = progress.add_task("mencadangkan…")
        report = await make_backup(
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


@app.command("restore")
@command
async def restore_cmd(
    archive: Annotated[Path, typer.Argument(help="Arsip dari `backup`")],
    force: Annotated[
        bool, typer.Option("--force", help="Timpa basis data dan folder data yang sudah berisi")
    ] = False,
) -> None:
    """Restore a backup into the configured database and data dir (stop the bot first)."""
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from staffbot.services.backup import restore_backup

    settings = Settings()
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=out.err_console, transient=True
    ) as progress:
        bar = progress.add_task("memulihkan…")
        report = await restore_backup(
            settings,
            archive,
            force=force,
            progress=lambda what: progress.update(bar, description=f"memulihkan {what}"),
        )
    out.ok(
        f"dipulihkan dari {report.archive} (dibuat {report.created_at}): basis data "
        f"{report.dialect}, {report.files} berkas"
    )
    if report.dialect == "postgresql" and report.revision != head_revision():
        out.warn("jalankan `migrate` untuk membawa skema ke versi ini")


@app.command("migrate")
@command
async def migrate_cmd() -> None:
    """Bring the database schema up to date."""
    settings = Settings()
    await upgrade(settings.database_url)
    out.ok(f"skema basis data terbaru ({head_revision()})")


@flow_app.command("show")
def flow_show(
    format: Annotated[str, typer.Option(help="table atau mermaid")] = "table",
    as_json: JsonOpt = False,
) -> None:
    """Print the SOP flow as a table or a Mermaid flowchart."""
    flow = validate_flow(pengaduan_online())
    if format == "mermaid":
        print(mermaid(flow), end="")
        return
    rows = step_rows(flow)
    if as_json:
        out.print_json(rows)
        return
    out.print_table(
        flow.title,
        ["No", "Langkah", "Uraian", "Pelaksana", "Tindakan", "Waktu", "Ket"],
        [(r.sop_no, r.key, r.title, r.role_label, r.actions, r.sla, r.notes) for r in rows],
    )


# -- staff --------------------------------------------------------------------------------


@staff_app.command("add")
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
) -> None:
    """Add a staff member."""
    async with runtime() as rt:
        staff = await rt.bus.handle(
            AddStaff(
                name=name,
                nip=nip,
                roles=tuple(role),
                telegram_id=telegram,
                whatsapp=whatsapp,
                supervisor_nip=supervisor,
                channel=channel,
                pin=pin,
            )
        )
    out.ok(f"petugas {staff.name} ({staff.nip}) ditambahkan")


@staff_app.command("list")
@command
async def staff_list(as_json: JsonOpt = False) -> None:
    """List the roster."""
    async with runtime() as rt:
        rows = await rt.bus.handle(ListStaff())
    if as_json:
        out.print_json(rows)
        return
    out.print_table(
        "Petugas",
        ["NIP", "Nama", "Peran", "Kanal", "Atasan", "Status"],
        [
            (
                r.nip,
                r.name,
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


@staff_app.command("seed-demo")
@command
async def staff_seed_demo() -> None:
    """Create one demo staff member per role (Kepala Dinas PIN: 123456)."""
    async with runtime() as rt:
        created = await rt.bus.handle(SeedDemo())
    out.ok(f"{created} petugas demo dibuat; PIN tanda tangan Kepala Dinas: {DEMO_PIN}")


@staff_app.command("leave")
@command
async def staff_leave(
    nip: Annotated[str, typer.Argument(help="NIP petugas yang cuti")],
    delegate: Annotated[str | None, typer.Option("--delegate", help="NIP wakil")] = None,
    back: Annotated[bool, typer.Option("--back", help="Cuti selesai")] = False,
) -> None:
    """Put a staff member on leave with a delegate (or --back to end it)."""
    async with runtime() as rt:
        if back:
            await rt.bus.handle(EndLeave(nip))
            out.ok("cuti selesai")
            return
        result = await rt.bus.handle(SetLeave(nip, delegate_nip=delegate))
    out.ok(
        f"{result.staff} cuti; wakil: {result.delegate or '-'}; {result.reassigned} tugas dialihkan"
    )


@staff_app.command("invite")
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
    async with runtime() as rt:
        username = await bot_username(rt.settings)
        code = await rt.bus.handle(CreateInvite(role=role, nip=nip, hours=hours))
    print(invite_link(username, code))


@staff_app.command("import")
@command
async def staff_import(
    file: Annotated[Path, typer.Argument(help="Berkas .xlsx atau .csv")],
    as_json: JsonOpt = False,
) -> None:
    """Add or update staff from a spreadsheet (nama, nip, peran, telegram, whatsapp, atasan)."""
    from rich.progress import Progress

    from staffbot.app.commands.staff import ImportRoster

    async with runtime() as rt:
        with Progress(console=out.err_console, transient=True) as progress:
            bar = progress.add_task("mengimpor petugas", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(bar, completed=done, total=total)

            report = await rt.bus.handle(ImportRoster(file, progress=advance))
    if as_json:
        out.print_json(report)
    else:
        out.ok(f"{len(report.added)} ditambah, {len(report.updated)} diperbarui")
        for line, message in report.errors:
            out.warn(f"baris {line}: {message}")
    if report.errors:
        raise typer.Exit(1)


@staff_app.command("login-link")
@command
async def staff_login_link(
    nip: Annotated[str, typer.Argument(help="NIP petugas")],
    hours: Annotated[int, typer.Option(help="Berlaku berapa jam")] = 24,
) -> None:
    """Print a one-time login link to the web channel for a staff member."""
    from staffbot.app.commands.web_auth import CreateLoginLink

    async with runtime() as rt:
        url = await rt.bus.handle(
            CreateLoginLink(nip=nip, hours=hours, public_url=rt.settings.public_url)
        )
    print(url)


@staff_app.command("set-pin")
@command
async def staff_set_pin(
    nip: Annotated[str, typer.Argument()],
    pin: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Set the signing PIN of a staff member."""
    async with runtime() as rt:
        await rt.bus.handle(ChangeStaff(nip, pin=pin))
    out.ok("PIN diperbarui")


# -- case -------------------------------------------------------------------------------


@case_app.command("new")
@command
async def case_new(
    name: Annotated[str, typer.Option("--name", help="Nama pemohon")],
    nik: Annotated[str, typer.Option("--nik", help="NIK (16 digit)")],
    wa: Annotated[str, typer.Option("--wa", help="Nomor WhatsApp pemohon")],
    kecamatan: Annotated[str, typer.Option("--kecamatan")],
    layanan: Annotated[str, typer.Option("--layanan", help="Jenis layanan")],
    keluhan: Annotated[str, typer.Option("--keluhan")] = "",
    as_nip: Annotated[str | None, typer.Option("--as", help="NIP petugas call center")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a call (SOP steps 1-2) as a new case."""
    async with runtime() as rt:
        nip = as_nip or await _default_actor(rt, rt.office.flow.step("catat").role)
        result = await rt.bus.handle(
            RecordCase(
                Who(nip=nip),
                IntakeForm(
                    name=name, nik=nik, wa=wa, kecamatan=kecamatan, layanan=layanan, keluhan=keluhan
                ),
            )
        )
    if as_json:
        out.print_json(result)
        return
    for warning in result.warnings:
        out.warn(warning)
    out.ok(f"kasus {result.number} dicatat; sekarang di langkah {result.step}")


async def _default_actor(rt: Runtime, role: str) -> str:
    """The CLI acts as the only holder of a role when --as is not given."""
    async with rt.uow(readonly=True) as uow:
        holders = await uow.staff.holders(role)
    if len(holders) != 1:
        raise ConfigurationError(problem=f"give --as NIP: role {role} has {len(holders)} holders")
    return holders[0].nip


@case_app.command("list")
@command
async def case_list(
    status: Annotated[str | None, typer.Option(help="open atau closed")] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Hanya yang lewat batas waktu")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """List cases."""
    async with runtime() as rt:
        rows = await rt.bus.handle(ListCases(status=status, overdue=overdue))
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


@case_app.command("show")
@command
async def case_show(
    ref: Annotated[str, typer.Argument(help="Nomor kasus atau id")],
    as_json: JsonOpt = False,
) -> None:
    """Show one case: state, available actions, history."""
    async with runtime() as rt:
        view = await rt.bus.handle(ShowCase(ref))
    if as_json:
        out.print_json(view)
        return
    out.console.print(
        f"[bold]{view['number']}[/] · {view['status']} · langkah "
        f"{view['sop_no']}. {view['step_title']} ({view['role']})"
    )
    out.console.print(
        f"Pemohon: {view['applicant']['name']} · NIK {view['applicant']['nik']} · "
        f"{view['kecamatan']} · {view['layanan']}"
    )
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


@case_app.command("act")
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
    as_json: JsonOpt = False,
) -> None:
    """Take an action on a case (or a Berita Acara) as a staff member."""
    who = Who(nip=as_nip)
    async with runtime() as rt:
        if action == "make_ba":
            results = await rt.bus.handle(MakeBa(who, refs=tuple(refs)))
        else:
            if len(refs) != 1:
                raise ConfigurationError(problem="one case at a time (except make_ba)")
            attachment_id = None
            if attachment is not None:
                attachment_id = await _attach(rt, refs[0], attachment, as_nip)
            if any(a.key == action and a.requires_pin for _, a in rt.office.flow.edges()):
                results = [await _sign(rt, refs[0], who, action, pin)]
            else:
                act = Act(who, action, ref=refs[0], note=note, attachment_id=attachment_id)
                results = [await rt.bus.handle(act)]
    if as_json:
        out.print_json(results)
        return
    for r in results:
        target = "selesai" if r.closed else r.to_step
        out.ok(f"{r.number}: {r.outcome} oleh {r.actor} → {target}")


@case_app.command("claim")
@command
async def case_claim(
    ref: Annotated[str, typer.Argument(help="Nomor kasus atau BA")],
    as_nip: Annotated[str, typer.Option("--as", help="NIP petugas pemegang peran langkah itu")],
    as_json: JsonOpt = False,
) -> None:
    """Take a case's open task: colleagues of the same role can no longer act on it."""
    async with runtime() as rt:
        result = await rt.bus.handle(Claim(Who(nip=as_nip), ref=ref))
    if as_json:
        out.print_json(result)
        return
    if not result.changed:
        out.ok(f"{result.number}: sudah dipegang {result.claimer}")
        return
    told = f"; kartu {', '.join(result.told)} diperbarui" if result.told else ""
    out.ok(f"{result.number}: langkah {result.sop_no} kini dipegang {result.claimer}{told}")


async def _sign(rt: Runtime, ref: str, who: Who, action: str, pin: str | None) -> ActResult:
    secret = (
        pin if pin is not None else typer.prompt("PIN/passphrase tanda tangan", hide_input=True)
    )
    [outcome] = await rt.bus.handle(Sign(who, secret, refs=(ref,), action=action))
    if outcome.error is not None:
        raise outcome.error
    assert outcome.result is not None
    return outcome.result


async def _attach(rt: Runtime, ref: str, path: Path, nip: str) -> int:
    data = await asyncio.to_thread(path.read_bytes)
    async with rt.uow() as uow:
        case = await find_case(uow, ref)
        staff = await uow.staff.by_nip(nip)
        document = await store_document(
            uow,
            rt.office,
            data=data,
            filename=path.name,
            kind="hasil",
            case_id=case.id,
            created_by=staff.id if staff else None,
        )
        await uow.commit()
        assert document.id is not None
        return document.id


@ba_app.command("make")
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
    async with runtime() as rt:
        results = await rt.bus.handle(
            MakeBa(Who(nip=as_nip), refs=tuple(cases or ()), kecamatan=kecamatan)
        )
    if as_json:
        out.print_json(results)
        return
    for r in results:
        out.ok(f"Berita Acara {r.number}: {len(r.cases)} kasus ({', '.join(r.cases)})")


@ba_app.command("waiting")
@command
async def ba_waiting(as_json: JsonOpt = False) -> None:
    """Cases waiting for a Berita Acara, per kecamatan."""
    async with runtime() as rt, rt.uow(readonly=True) as uow:
        waiting = await batches.waiting_for_ba(uow, rt.office)
    data = {k: [c.number for c in v] for k, v in waiting.items()}
    if as_json:
        out.print_json(data)
        return
    out.print_table(
        "Menunggu Berita Acara",
        ["Kecamatan", "Jumlah", "Kasus"],
        [(k, len(v), ", ".join(v)) for k, v in data.items()],
    )


# -- audit ----------------------------------------------------------------------------------


@audit_app.command("verify")
@command
async def audit_verify(as_json: JsonOpt = False) -> None:
    """Check the audit trail's hash chain."""
    async with runtime() as rt:
        report = await rt.bus.handle(VerifyAuditChain())
    if as_json:
        out.print_json(report)
    elif report.ok:
        out.ok(f"jejak audit utuh: {report.events} kejadian")
    else:
        out.fail(f"jejak audit RUSAK pada kejadian {report.broken_at}: {report.problem}")
    if not report.ok:
        raise typer.Exit(1)


# -- reports, pdf, signing, outbox ---------------------------------------------------------


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
        async with runtime() as rt:
            report = await rt.bus.handle(MakeReport(kind, period))
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


@report_app.command("rekap")
@command
async def report_rekap(
    start: Annotated[str | None, typer.Option("--from", help="YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="File PDF")] = None,
) -> None:
    """Files sorted at step 12 per kecamatan and layanan (PDF)."""
    await _report("rekap", start, end, out_file)


@report_app.command("mutu-baku")
@command
async def report_mutu_baku(
    start: Annotated[str | None, typer.Option("--from", help="YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="File PDF")] = None,
) -> None:
    """Per step and role: share within Waktu, median and worst time (PDF)."""
    await _report("mutu_baku", start, end, out_file)


@report_app.command("sop")
@command
async def report_sop(
    out_file: Annotated[Path | None, typer.Option("--out", help="File PDF")] = None,
) -> None:
    """The flow the office runs, drawn as the SOP's table (PDF)."""
    await _report("sop", None, None, out_file)


@pdf_app.command("verify")
@command
async def pdf_verify(
    file: Annotated[Path, typer.Argument(help="Berkas PDF")],
    as_json: JsonOpt = False,
) -> None:
    """Check a PDF: issued by us byte for byte, and its PAdES signature trusted."""
    from staffbot.app.commands.verification import CheckFile

    data = await asyncio.to_thread(file.read_bytes)
    async with runtime() as rt:
        verdict = await rt.bus.handle(CheckFile(data))
    if as_json:
        out.print_json(verdict)
    elif verdict.known and verdict.signature_ok is not False:
        signed = f"; ditandatangani {verdict.signer}" if verdict.signed else ""
        out.ok(f"sah: {verdict.kind} {verdict.number}{signed}")
    elif verdict.matches_record is False and verdict.signed:
        out.fail(
            f"BERUBAH: berkas tidak sama dengan yang diterbitkan ({verdict.signature_problem})"
        )
    elif verdict.matches_record is False:
        out.fail("tidak dikenal: berkas ini tidak diterbitkan oleh kantor (atau berubah)")
    else:
        out.fail(f"tanda tangan tidak sah: {verdict.signature_problem}")
    if not (verdict.known and verdict.signature_ok is not False):
        raise typer.Exit(1)


@signing_app.command("init")
@command
async def signing_init(
    nip: Annotated[
        str | None, typer.Option(help="NIP Kepala Dinas (default: pemegang peran)")
    ] = None,
) -> None:
    """Create the office CA and the Kepala Dinas's signing key (installations without BSrE)."""
    from staffbot.documents.pki import init_office_pki

    async with runtime() as rt:
        nip = nip or await _default_actor(rt, "kepala_dinas")
        async with rt.uow(readonly=True) as uow:
            kadis = await uow.staff.by_nip(nip)
        if kadis is None:
            raise ConfigurationError(problem=f"no staff with NIP {nip}")
        passphrase = typer.prompt(
            "PIN/passphrase tanda tangan Kepala Dinas", hide_input=True, confirmation_prompt=True
        )
        paths = await asyncio.to_thread(
            init_office_pki,
            signing_dir(rt.settings),
            office_name=rt.settings.office_short_name,
            kadis_name=kadis.name,
            kadis_nip=kadis.nip,
            passphrase=passphrase,
            now=rt.office.now(),
        )
    out.ok(f"CA kantor: {paths.ca_cert}; kunci TTE: {paths.pkcs12}")


@outbox_app.command("list")
@command
async def outbox_list(
    failed: Annotated[bool, typer.Option("--failed", help="Hanya yang gagal")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Pending (or failed) outgoing messages."""
    from staffbot.app.commands.outbox import ListOutbox

    async with runtime() as rt:
        rows = await rt.bus.handle(ListOutbox(failed=failed))
    if as_json:
        out.print_json(rows)
        return
    out.print_table(
        "Pesan keluar",
        ["ID", "Kanal", "Chat", "Jenis", "Status", "Coba", "Galat"],
        [(r.id, r.channel, r.chat, r.kind, r.status, r.attempts, r.error or "") for r in rows],
    )


@outbox_app.command("retry")
@command
async def outbox_retry(outbox_id: Annotated[int, typer.Argument(help="ID pesan")]) -> None:
    """Send a failed message again (the running bot picks it up)."""
    from staffbot.app.commands.outbox import RetryOutbox

    async with runtime() as rt:
        await rt.bus.handle(RetryOutbox(outbox_id))
    out.ok(f"pesan {outbox_id} dijadwalkan ulang")


@case_app.command("purge")
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
        async with runtime(settings) as rt:
            report = await rt.bus.handle(
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


@case_app.command("clear-check")
@command
async def case_clear_check(
    ref: Annotated[str, typer.Argument(help="Nomor kasus atau BA")],
    note: Annotated[str, typer.Option("--note", help="Hasil pemeriksaan di BSrE")],
    by: Annotated[str, typer.Option("--by", help="Nama pemeriksa")] = "admin",
) -> None:
    """After checking the signer by hand: allow signing this case (or BA) again."""
    async with runtime() as rt:
        number = await rt.bus.handle(ClearManualCheck(ref, by=by, note=note))
    out.ok(f"{number}: pemeriksaan manual selesai")


# -- escalation and the working-day calendar ----------------------------------------------

calendar_app = typer.Typer(
    help="Kalender kerja: hari libur, cuti bersama, jam kantor.", no_args_is_help=True
)
app.add_typer(calendar_app, name="calendar")


def _instant(text: str | None, settings: Settings) -> datetime:
    """An ISO time from the command line; without a zone it is office time (WIB)."""
    if not text:
        return datetime.now(settings.tz)
    try:
        at = datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"bukan waktu ISO: {text!r} (mis. 2026-11-26T09:00)") from exc
    return at if at.tzinfo is not None else at.replace(tzinfo=settings.tz)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"bukan tanggal: {text!r} (YYYY-MM-DD)") from exc


@app.command("escalate")
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
    at = _instant(now, settings)
    async with runtime(settings, clock=FixedClock(at)) as rt:
        report = await rt.bus.handle(
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


@calendar_app.command("add-holiday")
@command
async def calendar_add_holiday(
    day: Annotated[str, typer.Argument(help="Tanggal YYYY-MM-DD")],
    name: Annotated[str, typer.Option("--name", help="Nama hari libur / cuti bersama")],
    by: Annotated[str, typer.Option("--by", help="Nama admin untuk jejak audit")] = "admin",
) -> None:
    """Make a date a holiday (a decree the holidays package does not know yet)."""
    from staffbot.app.commands.calendar import AddHoliday

    when = _day(day)
    async with runtime() as rt:
        await rt.bus.handle(AddHoliday(when, name=name, by=by))
    out.ok(f"{when} hari libur: {name} (bot yang berjalan memakainya pada pemindaian berikut)")


@calendar_app.command("remove-holiday")
@command
async def calendar_remove_holiday(
    day: Annotated[str, typer.Argument(help="Tanggal YYYY-MM-DD")],
    by: Annotated[str, typer.Option("--by", help="Nama admin untuk jejak audit")] = "admin",
) -> None:
    """Make a holiday a working day again (or drop a date added by mistake)."""
    from staffbot.app.commands.calendar import Removal, RemoveHoliday

    when = _day(day)
    async with runtime() as rt:
        outcome = await rt.bus.handle(RemoveHoliday(when, by=by))
    if outcome is Removal.NOT_A_HOLIDAY:
        out.fail(f"{when} bukan hari libur")
        raise typer.Exit(1)
    out.ok(f"{when} kini hari kerja")


@calendar_app.command("show")
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
    async with runtime(settings) as rt:
        wanted = year or rt.office.now().astimezone(settings.tz).year
        rows = await rt.bus.handle(ListHolidays(wanted))
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


def secrets_of(settings: Settings) -> list[str]:
    """The configured secrets, for the log scrubber (staffbot.logsafety)."""
    values = [
        settings.telegram_token,
        settings.whatsapp_token,
        settings.whatsapp_app_secret,
        settings.whatsapp_verify_token,
        settings.bsre_password,
    ]
    found = [v.get_secret_value() for v in values if v is not None]
    password = url_password(settings.database_url)
    if password:
        found.append(password)
    secret_file = settings.data_dir / "telegram_webhook_secret"
    if secret_file.exists():
        found.append(secret_file.read_text(encoding="ascii").strip())
    return found


def install_log_safety(settings: Settings | None) -> None:
    from staffbot import logsafety

    logsafety.install(secrets_of(settings) if settings is not None else ())


def cli() -> None:
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings: Settings | None = Settings()
    except Exception:  # a settings error is reported by the command itself
        settings = None
    install_log_safety(settings)
    app()


__all__ = ["FixedClock", "Runtime", "build_office", "cli", "runtime"]

if __name__ == "__main__":
    cli()
    sys.exit(0)

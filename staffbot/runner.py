"""The running bot (`run`): everything it starts, in order, and stops in reverse.

The composition of the long-running process, beside :mod:`staffbot.bootstrap` (which
builds what one command or test needs): this module may touch the database to bring it
up, the command line may not. The chat platforms, the web server and the scheduler are
imported when `run` starts them, never by the command line's other verbs.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from staffbot.admin import init_demo_pki, install_log_safety
from staffbot.app.bus import MessageBus
from staffbot.app.commands.files import ReadDocument
from staffbot.app.commands.staff import DEMO_PIN, DEMO_ROSTER, SeedDemo, SummarizeRoster
from staffbot.bootstrap import (
    build_bus,
    build_calendar,
    build_engine,
    build_office,
    build_trust_anchor,
    load_overrides,
)
from staffbot.channels.base import Channel, ChannelName, FileBlob
from staffbot.clock import Clock, SystemClock
from staffbot.errors import ConfigurationError
from staffbot.services.context import Office
from staffbot.settings import Settings
from storage.db import Database
from storage.migrate import upgrade_if_needed

if TYPE_CHECKING:
    from staffbot.channels.receiver import Receiver

log = logging.getLogger("staffbot")


def document_loader(bus: MessageBus) -> Callable[[int], Awaitable[FileBlob]]:
    """What the dispatcher sends a document message with: its bytes by id."""

    async def load(document_id: int) -> FileBlob:
        return await bus.handle(ReadDocument(document_id))

    return load


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
        #: No staff at start: the demo roster was seeded.
        self.empty = False
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
        self.office, self.bus = await self._office()
        if self.empty:
            created = await self.bus.handle(SeedDemo())
            log.warning(
                "no staff yet: demo roster of %s created (Kepala Dinas PIN %s)", created, DEMO_PIN
            )
        self.chat = ChatService(self.bus)
        self.web_channel = WebChannel()
        channels: dict[str, Channel] = {ChannelName.WEB: self.web_channel}
        receivers = await self._platform_channels(channels)
        install_log_safety(settings)  # the webhook secret exists now
        # Without WhatsApp the applicant's messages land in the web page's applicant
        # inbox (demo), so nothing waits forever in the outbox.
        channels.setdefault(ChannelName.WHATSAPP, self.web_channel)
        self.dispatcher = OutboxDispatcher(
            self.db,
            channels,
            clock=self.clock,
            load_document=document_loader(self.bus),
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

    async def _office(self) -> tuple[Office, MessageBus]:
        """The office and its bus, built once the demo signing key exists (if this is a
        demo): the office's signer is read from that key and never changed afterwards.

        The roster is read through a first bus over an office without that key; an
        empty database gets the demo roster, so it counts as a demo already.
        """
        settings = self.settings
        added, removed = await load_overrides(self.db)
        calendar = build_calendar(settings, self.clock.now(), added, removed)

        def office() -> Office:
            return build_office(settings, self.clock, calendar, engine=self.engine)

        first = office()
        bus = build_bus(self.db, first)
        roster = await bus.handle(SummarizeRoster())
        self.empty = roster.staff == 0
        self.demo = settings.demo != "off" if self.empty else self._demo_mode(roster.demo_only)
        if not (self.demo and not settings.bsre_url and build_trust_anchor(settings) is None):
            return first, bus
        role, name, nip, _ = DEMO_ROSTER[0]
        assert role == "kepala_dinas"
        await asyncio.to_thread(init_demo_pki, settings, self.clock, kadis_name=name, kadis_nip=nip)
        final = office()
        return final, build_bus(self.db, final)

    def _demo_mode(self, demo_roster: bool) -> bool:
        if self.settings.demo != "auto":
            return self.settings.demo == "on"
        return demo_roster

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
            digest_every=timedelta(minutes=settings.digest_every_minutes),
            # Without WhatsApp the applicant's messages go to the web page's inbox,
            # which reports no delivery: only failures are watched then.
            delivery_alert_hours=(
                settings.applicant_delivery_alert_hours if settings.whatsapp_enabled else None
            ),
        )
        self.scheduler.start()
        self.stack.push_async_callback(self.scheduler.aclose)

    async def _start_engine(self) -> None:
        try:
            await self.engine.start()
        except Exception:
            log.exception("document engine: warm-up failed; workers start on first use")

    async def _platform_channels(self, channels: dict[str, Channel]) -> list[Receiver]:
        """Telegram and WhatsApp, when their settings are present."""
        receivers: list[Receiver] = []
        settings = self.settings
        if settings.telegram_enabled:
            from staffbot.channels.telegram import build_telegram

            telegram = await build_telegram(settings, self.chat.handle, self.office.now)
            await telegram.initialize()
            self.stack.push_async_callback(telegram.shutdown)
            channels[ChannelName.TELEGRAM] = telegram
            receivers.append(telegram.receiver())
        if settings.whatsapp_enabled:
            from staffbot.channels.whatsapp import build_whatsapp
            from staffbot.services.whatsapp_state import WhatsAppStateOnBus

            state = WhatsAppStateOnBus(self.bus)
            whatsapp = await build_whatsapp(settings, self.chat.handle, state, self.office.now)
            await whatsapp.initialize()
            self.stack.push_async_callback(whatsapp.shutdown)
            channels[ChannelName.WHATSAPP] = whatsapp
            receivers.append(whatsapp.receiver())
        return receivers

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

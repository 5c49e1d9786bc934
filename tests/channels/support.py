"""Shared by the channel and contract tests: a web server for webhooks, an event recorder,
a document loader like the runner's, and channels built against the doubles."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from staffbot.bootstrap import build_bus
from staffbot.channels.base import Answer, EventHandler, FileBlob, Incoming, Pacing
from staffbot.channels.telegram import make_telegram
from staffbot.channels.telegram_common import TelegramChannel, TelegramConfig
from staffbot.channels.whatsapp import WhatsAppChannel
from staffbot.channels.whatsapp_graph import WhatsAppConfig
from staffbot.channels.whatsapp_port import Templates
from staffbot.errors import ConfigurationError
from staffbot.services.context import Office
from staffbot.services.files import read_blob
from staffbot.services.whatsapp_state import WhatsAppStateOnBus
from storage.db import Database

TG_TOKEN = "123456:TEST-token"
WA_TOKEN = "wa-test-token"
WA_PHONE_ID = "100200300400500"
WA_SECRET = "wa-app-secret"
WA_VERIFY = "verify-me"
#: No pacing: the contract tests play a whole case in seconds. The flood test and
#: the bench use the real limits (telegram_common.PACING).
FAST = Pacing()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def serve(routes: list[BaseRoute], port: int = 0) -> AsyncIterator[str]:
    """The bot's web server, reduced to the given routes, on a (free) port."""
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=routes),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
            access_log=False,
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@dataclass
class Recorder:
    """Wraps the chat service's handle: counts what came in, by update id."""

    handle: EventHandler
    seen: list[Incoming] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, event: Incoming) -> Answer:
        try:
            answer = await self.handle(event)
            self.answers.append(answer)
            return answer
        finally:
            self.seen.append(event)
            self._changed.set()

    def ids(self) -> list[str | None]:
        return [e.update_id for e in self.seen]

    async def wait_for(self, predicate: Callable[[], bool], within: float = 10.0) -> None:
        async with asyncio.timeout(within):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

    async def wait_id(self, update_id: str, within: float = 10.0) -> None:
        await self.wait_for(lambda: update_id in self.ids(), within)


def document_loader(db: Database, office: Office) -> Callable[[int], Awaitable[FileBlob]]:
    """What the runner hands the dispatcher: a stored document's bytes by id."""

    async def load(document_id: int) -> FileBlob:
        async with db.uow(readonly=True) as uow:
            document = await uow.documents.get(document_id)
        if document is None:
            raise ConfigurationError(problem=f"document {document_id} is missing")
        data = await asyncio.to_thread(read_blob, office, document)
        return FileBlob(document.filename, document.mime_type, data)

    return load


def telegram_channel(
    library: str,
    url: str,
    on_event: EventHandler,
    office: Office,
    data_dir: Path,
    *,
    pacing: Pacing = FAST,
    webhook_url: str | None = None,
) -> TelegramChannel:
    config = TelegramConfig(
        TG_TOKEN, url, data_dir, webhook_url=webhook_url, pacing=pacing, poll_timeout=1
    )
    return make_telegram(library, config, on_event, office.now)


def whatsapp_channel(
    url: str,
    on_event: EventHandler,
    db: Database,
    office: Office,
    *,
    pacing: Pacing = FAST,
    **templates: Any,
) -> WhatsAppChannel:
    config = WhatsAppConfig(
        WA_TOKEN,
        WA_PHONE_ID,
        WA_SECRET,
        WA_VERIFY,
        api_url=url,
        templates=Templates(**templates),
        pacing=pacing,
    )
    state = WhatsAppStateOnBus(build_bus(db, office))
    return WhatsAppChannel(config, on_event, state, office.now, language=office.language)

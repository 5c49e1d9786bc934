"""Telegram in webhook mode: the secret token is checked before anything is read, and an
update Telegram delivers twice (same update_id, or a press resent under a new one) is
processed once."""

from __future__ import annotations

import json
import stat
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from staffbot.app.commands.staff import ChangeStaff
from staffbot.channels.telegram_common import TelegramChannel
from staffbot.channels.telegram_receivers import SECRET_FILE, SECRET_HEADER, webhook_secret
from staffbot.chat.service import ChatService
from staffbot.clock import SystemClock
from staffbot.dispatcher import OutboxDispatcher
from storage.db import Database
from tests.channels.support import (
    Recorder,
    document_loader,
    free_port,
    serve,
    telegram_channel,
)
from tests.doubles.telegram import TelegramDouble
from tests.support import ROSTER, Desk

USER = 4242


@dataclass
class Hook:
    tg: TelegramDouble
    channel: TelegramChannel
    recorder: Recorder
    dispatcher: OutboxDispatcher
    url: str
    secret: str


@pytest.fixture
async def hook(desk: Desk, tmp_path: Path) -> AsyncIterator[Hook]:
    # The webhook route is the same code for both libraries (they only make the calls):
    # one library on each database covers both.
    library = "ptb" if desk.db.is_sqlite else "aiogram"
    await desk.bus.handle(
        ChangeStaff(ROSTER["operator_penerima_wa"], telegram_id=USER, channel="telegram")
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    async with TelegramDouble(TOKEN) as tg:
        recorder = Recorder(ChatService(desk.bus).handle)
        channel = telegram_channel(
            library,
            tg.url,
            recorder,
            desk.office,
            tmp_path,
            webhook_url=f"{url}/telegram/webhook",
        )
        await channel.initialize()
        receiver = channel.receiver()
        async with serve(receiver.routes(), port):
            await receiver.start()
            dispatcher = OutboxDispatcher(
                desk.db,
                {"telegram": channel},
                clock=SystemClock(),
                load_document=document_loader(desk.db, desk.office),
            )
            yield Hook(tg, channel, recorder, dispatcher, url, webhook_secret(tmp_path))
            await receiver.stop()
        await channel.shutdown()


TOKEN = "123456:TEST-token"


async def _processed(db: Database) -> int:
    async with db.read_engine.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM processed_update"))).scalar_one())


async def test_a_missing_or_wrong_secret_is_refused_and_nothing_is_processed(
    hook: Hook, desk: Desk, tmp_path: Path
) -> None:
    # The secret: generated once, kept in the data dir (mode 600), given to setWebhook.
    assert stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode) == 0o600
    assert webhook_secret(tmp_path) == hook.secret
    assert hook.tg.webhook is not None and hook.tg.webhook.secret_token == hook.secret
    assert hook.tg.webhook.url == f"{hook.url}/telegram/webhook"

    update = {
        "update_id": 77,
        "message": {
            "message_id": 1,
            "date": 1795600000,
            "text": "/tugas",
            "chat": {"id": USER, "type": "private", "first_name": "Andi"},
            "from": {"id": USER, "is_bot": False, "first_name": "Andi"},
        },
    }
    body = json.dumps(update).encode()
    endpoint = f"{hook.url}/telegram/webhook"
    async with httpx.AsyncClient() as http:
        missing = await http.post(endpoint, content=body)
        wrong = await http.post(endpoint, content=body, headers={SECRET_HEADER: "tebakan"})
        almost = await http.post(
            endpoint, content=body, headers={SECRET_HEADER: hook.secret[:-1] + "x"}
        )
        # Not even parsed: a body that is no JSON at all gets the same refusal.
        garbage = await http.post(endpoint, content=b"{nope", headers={SECRET_HEADER: "x"})
    assert (missing.status_code, wrong.status_code) == (401, 403)
    assert (almost.status_code, garbage.status_code) == (403, 403)
    assert hook.recorder.seen == []
    assert await _processed(desk.db) == 0
    async with desk.db.uow(readonly=True) as uow:
        assert await uow.outbox.for_chat("telegram", str(USER)) == []

    async with httpx.AsyncClient() as http:
        right = await http.post(endpoint, content=body, headers={SECRET_HEADER: hook.secret})
    assert right.status_code == 200
    assert [e.update_id for e in hook.recorder.seen] == ["77"]


async def test_duplicates_are_processed_once(hook: Hook, desk: Desk) -> None:
    tg = hook.tg
    number = (await desk.new_case()).number
    await hook.dispatcher.drain()
    [card] = tg.sent(USER)
    assert number in (card.text or "")
    forward = dict(card.buttons[0])["Teruskan"]

    press = tg.push_callback(USER, USER, card.message_id, str(forward))
    await tg.wait_consumed(press)
    tg.redeliver(press)  # Telegram retries the very same update
    resent = tg.resend(press)  # the client sends the press again, new update_id
    await tg.wait_consumed(resent)
    await hook.recorder.wait_for(lambda: len(hook.recorder.seen) == 3)
    await hook.dispatcher.drain()

    assert len({e.update_id for e in hook.recorder.seen}) == 1
    assert [a.text for a in hook.recorder.answers][1:] == ["", ""]
    assert await desk.step_of(number) == "angkat_data"
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        forwards = [e for e in await uow.audit.for_case(case.id) if e.action == "forward"]
    assert len(forwards) == 1
    assert card.buttons == [] and "✔ Diteruskan oleh Andi Saputra" in (card.text or "")
    assert all(d["status"] == 200 for d in tg.webhook_deliveries)

    sent_before = len(tg.sent(USER))
    command = tg.push_text(USER, USER, "/bantuan")
    await tg.wait_consumed(command)
    tg.redeliver(command)
    await tg.wait_until(lambda: len(tg.webhook_deliveries) == 5)
    await hook.dispatcher.drain()
    assert len(tg.sent(USER)) == sent_before + 1

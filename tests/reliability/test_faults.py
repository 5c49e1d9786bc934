"""Platform and database faults:

* the Telegram and WhatsApp doubles fail 30% of the sending calls (HTTP 500, 429 with
  retry_after, timeouts after the platform did the work, dropped connections):
  everything is still delivered, in order per chat; the only repeats are messages the
  platform applied before the client gave up (counted);
* SQLite "database is locked" (another connection holds an exclusive lock for longer
  than the busy timeout): presses and deliveries are retried, none is lost or doubled.

PostgreSQL restarting under a running bot is in test_postgres_restart.py.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from staffbot.bootstrap import build_bus
from staffbot.channels.base import Channel, ChoicePressed
from staffbot.channels.web import WebChannel
from staffbot.chat.service import ChatService
from staffbot.clock import SystemClock
from staffbot.dispatcher import OutboxDispatcher
from staffbot.messages import Attachment, OutgoingMessage
from staffbot.services import notify
from staffbot.services.files import store_document
from storage.db import Database
from storage.repos.channels import ChannelRepository
from tests.channels.support import (
    TG_TOKEN,
    WA_PHONE_ID,
    WA_SECRET,
    WA_TOKEN,
    Recorder,
    document_loader,
    telegram_channel,
    whatsapp_channel,
)
from tests.doubles._common import FaultPlan
from tests.doubles.telegram import TelegramDouble
from tests.doubles.whatsapp import WhatsAppDouble
from tests.support import ROSTER, Desk, tiny_pdf

TG_CHATS = [9001 + i for i in range(5)]
WA_PHONES = [f"+62812777700{i:02d}" for i in range(4)]
PER_CHAT = 30 if os.environ.get("STAFFBOT_SOAK") == "full" else 8


def faults(seed: int) -> FaultPlan:
    # 1 s retry_after, timeouts held past the client's 1.5 s patience (and applied)
    return FaultPlan(rate=0.3, seed=seed, retry_after=1, hold_seconds=3.0)


async def _queue(desk: Desk) -> dict[tuple[str, str], list[str]]:
    """Eight numbered messages per chat, one with a PDF, each in its own transaction."""
    office = desk.office
    async with desk.uow() as uow:
        document = await store_document(
            uow, office, data=tiny_pdf("lampiran"), filename="lampiran.pdf", kind="hasil"
        )
        for phone in WA_PHONES:  # staff who wrote to the office today: the window is open
            await ChannelRepository(uow.session).touch_inbound(phone, office.now())
        await uow.commit()
    assert document.id is not None
    expected: dict[tuple[str, str], list[str]] = {}
    addresses = [("telegram", str(c)) for c in TG_CHATS] + [("whatsapp", p) for p in WA_PHONES]
    for i in range(PER_CHAT):
        for channel, chat in addresses:
            text = f"Pesan {i + 1} untuk {chat[-4:]}"
            attachment = Attachment(document.id, "lampiran.pdf") if i == 3 else None
            async with desk.uow() as uow:
                await notify.queue(
                    uow,
                    office,
                    address=notify.Address(channel, chat),
                    kind="document" if attachment else "text",
                    message=OutgoingMessage(text=text, attachment=attachment),
                    key=f"fault:{channel}:{chat}:{i}",
                )
                await uow.commit()
            expected.setdefault((channel, chat), []).append(text)
    return expected


async def settle(dispatcher: OutboxDispatcher, db: Database, *, within: float) -> None:
    """Until no row is pending: drain() stops at rows whose retry time has not come."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        await dispatcher.drain(timeout=max(deadline - time.monotonic(), 0.1))
        async with db.uow(readonly=True) as uow:
            if not await uow.outbox.listing(status="pending", limit=1):
                return
        await asyncio.sleep(0.2)
    raise AssertionError("the outbox did not empty")


def _wa_text(content: dict[str, object]) -> str:
    """The text of a WhatsApp message; for a template, its body parameter."""
    for component in content.get("components") or []:  # type: ignore[attr-defined]
        if component.get("type") == "body":
            return " ".join(p.get("text", "") for p in component.get("parameters", []))
    document = content.get("document")
    if isinstance(document, dict):
        return str(document.get("caption") or "")
    return ""


def _firsts(texts: list[str]) -> tuple[list[str], int]:
    """The texts in order of first appearance, and how many were repeats."""
    seen: list[str] = []
    for text in texts:
        if text not in seen:
            seen.append(text)
    return seen, len(texts) - len(seen)


@pytest.mark.slow
@pytest.mark.timeout(240)
async def test_thirty_percent_platform_failures_lose_nothing_and_keep_order(
    desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = await _queue(desk)
    async with (
        TelegramDouble(TG_TOKEN, faults=faults(11)) as tg,
        WhatsAppDouble(
            WA_TOKEN, phone_id=WA_PHONE_ID, app_secret=WA_SECRET, faults=faults(12)
        ) as wa,
    ):
        recorder = Recorder(ChatService(desk.bus).handle)
        telegram = telegram_channel("ptb", tg.url, recorder, desk.office, tmp_path)
        telegram.config = telegram.config.__class__(
            **{**telegram.config.__dict__, "request_timeout": 1.5}
        )
        whatsapp = whatsapp_channel(wa.url, recorder, desk.db, desk.office)
        whatsapp.config = whatsapp.config.__class__(
            **{**whatsapp.config.__dict__, "request_timeout": 1.5}
        )
        # getMe and setMyCommands are not in the fault plan's sending methods
        await telegram.initialize()
        await whatsapp.initialize()
        channels: dict[str, Channel] = {"telegram": telegram, "whatsapp": whatsapp}
        dispatcher = OutboxDispatcher(
            desk.db,
            channels,
            clock=SystemClock(),
            load_document=document_loader(desk.db, desk.office),
            max_backoff=1.0,
            max_attempts=25,
            lease_seconds=30,
        )
        started = time.monotonic()
        try:
            await settle(dispatcher, desk.db, within=180)
        finally:
            await telegram.shutdown()
            await whatsapp.shutdown()
        seconds = time.monotonic() - started
        async with desk.db.uow(readonly=True) as uow:
            statuses = Counter(r.status for r in await uow.outbox.listing(limit=10_000))
        assert statuses == {"sent": len(expected) * PER_CHAT}
        repeats = 0
        for (channel, chat), wanted in expected.items():
            if channel == "telegram":
                shown = [m.text or m.caption or "" for m in tg.sent(int(chat))]
            else:
                shown = [_wa_text(m.content) or m.text or "" for m in wa.sent(chat)]
            shown = [s for s in shown if s]
            order, again = _firsts(shown)
            assert order == wanted, (chat, shown)
            repeats += again
        injected = tg.faults.injected + wa.faults.injected
        # a repeat needs a call the platform did although the client saw it fail
        assert repeats <= injected["timeout"]
        calls = len(tg.calls) + len(wa.calls)
    with capsys.disabled():
        print(
            f"\nplatform faults: {calls} calls, injected {dict(injected)}, "
            f"{sum(statuses.values())} messages delivered in order, {repeats} repeated "
            f"(timeouts after the platform applied them), {seconds:.0f} s"
        )


@pytest.fixture
def db_url(tmp_path: Path, sqlite_template: Path) -> str:
    import shutil

    shutil.copy(sqlite_template, tmp_path / "locked.db")
    return f"sqlite+aiosqlite:///{tmp_path / 'locked.db'}"


@pytest.mark.timeout(120)
async def test_database_is_locked_is_retried_never_lost(
    desk: Desk, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Another program holds an exclusive lock for 1.5 s, longer than the (shortened)
    busy timeout: every press waits its turn through the retries and is done once."""
    for _ in range(6):
        await desk.new_case()
    impatient = Database(db_url, busy_timeout_ms=100)
    await impatient.initialize()
    try:
        web = WebChannel()
        chat = ChatService(build_bus(impatient, desk.office))
        dispatcher = OutboxDispatcher(
            impatient, {"web": web, "whatsapp": web}, clock=desk.office.clock
        )
        await dispatcher.drain()
        async with impatient.uow(readonly=True) as uow:
            andi = await uow.staff.by_nip(ROSTER["operator_penerima_wa"])
            assert andi is not None and andi.id is not None
            rows = await uow.outbox.for_chat("web", str(andi.id))
        tokens = [r.payload["choices"][0]["token"] for r in rows if r.kind == "card"]
        assert len(tokens) == 6
        holding = threading.Event()

        def hold_lock() -> None:
            conn = sqlite3.connect(db_url.split("///", 1)[1], timeout=5, isolation_level=None)
            conn.execute("BEGIN EXCLUSIVE")
            holding.set()
            time.sleep(1.5)
            conn.execute("COMMIT")
            conn.close()

        caplog.set_level(logging.WARNING, logger="storage.db")
        locker = threading.Thread(target=hold_lock)
        locker.start()
        await asyncio.to_thread(holding.wait)
        presses = [
            chat.handle(
                ChoicePressed(
                    channel="web",
                    chat_id=str(andi.id),
                    user_id=str(andi.id),
                    at=desk.office.now(),
                    update_id=f"lock:{i}",
                    token=token,
                )
            )
            for i, token in enumerate(tokens)
        ]
        answers = await asyncio.gather(*presses, dispatcher.drain(timeout=30))
        await asyncio.to_thread(locker.join)
        await settle(dispatcher, impatient, within=60)
        assert [a.text[:1] for a in answers[:-1]] == ["✔"] * 6
        assert "database is locked" in caplog.text  # the fault really happened
        async with impatient.uow(readonly=True) as uow:
            steps = [c.step for c in await uow.cases.open_for_phone("+6281234567890")]
            pending = await uow.outbox.listing(status="pending")
        assert steps == ["angkat_data"] * 6 and pending == []
    finally:
        await impatient.shutdown()

"""The doubles, proven with the real libraries over HTTP (PTB 22, aiogram 3, pywa 4.5)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from aiohttp import web

from ._common import FaultPlan
from .control import ControlClient, spawn_double
from .telegram import TelegramDouble
from .whatsapp import WhatsAppDouble, routed_httpx_client

TOKEN = "123456:TEST-token"
PHONE = "6281234567890"
PDF = b"%PDF-1.4\n% test document\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def tg() -> AsyncIterator[TelegramDouble]:
    async with TelegramDouble(TOKEN) as double:
        yield double


def _ptb_app(url: str, **builder_options: float):  # type: ignore[no-untyped-def]
    from telegram.ext import Application

    builder = Application.builder().token(TOKEN).base_url(f"{url}/bot")
    builder = builder.base_file_url(f"{url}/file/bot")
    for name, value in builder_options.items():
        builder = getattr(builder, name)(value)
    return builder.build()


# == python-telegram-bot ================================================================
async def test_ptb_sends_edits_and_uploads(tg: TelegramDouble) -> None:
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup
    from telegram.error import BadRequest

    app = _ptb_app(tg.url)
    await app.initialize()  # getMe
    try:
        assert app.bot.username == "staffbot_double_bot"
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("Setujui", callback_data="t:abc"),
                    InlineKeyboardButton("Tolak", callback_data="t:def"),
                ]
            ]
        )
        card = await app.bot.send_message(
            42,
            "<b>Kasus 1</b> menunggu &amp; siap",
            parse_mode="HTML",
            reply_markup=keyboard,
        )
        assert card.message_id == 1
        assert card.reply_markup == keyboard
        await app.bot.edit_message_text("Disetujui oleh Kasi", chat_id=42, message_id=1)
        with pytest.raises(BadRequest, match=r"(?i)not modified"):
            await app.bot.edit_message_text("Disetujui oleh Kasi", chat_id=42, message_id=1)
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await app.bot.edit_message_reply_markup(chat_id=42, message_id=99)
        doc = await app.bot.send_document(42, PDF, filename="ba.pdf", caption="Berita Acara")
        assert doc.message_id == 2
        assert doc.document is not None and doc.document.file_name == "ba.pdf"
        file = await doc.document.get_file()
        assert bytes(await file.download_as_bytearray()) == PDF
        sent_by_user = tg.push_document(42, 42, "kk.jpg", b"\xff\xd8jpeg", "image/jpeg")
        file_id = tg.pushed[sent_by_user]["message"]["document"]["file_id"]
        incoming = await app.bot.get_file(file_id)
        assert bytes(await incoming.download_as_bytearray()) == b"\xff\xd8jpeg"
    finally:
        await app.shutdown()

    stored = tg.message(42, 1)
    assert stored.text == "Disetujui oleh Kasi"
    assert stored.reply_markup is None  # editMessageText without a markup drops the keyboard
    assert stored.history[0]["text"] == "Kasus 1 menunggu & siap"
    assert stored.history[0]["reply_markup"]["inline_keyboard"][0][1]["callback_data"] == "t:def"
    sent_doc = tg.message(42, 2).document
    assert sent_doc is not None and sent_doc.data == PDF
    assert tg.message(42, 3).from_bot is False  # the user's file has the next message id
    kinds = {c.method: c.content_type for c in tg.calls}
    assert kinds["sendMessage"] == "application/x-www-form-urlencoded"
    assert kinds["sendDocument"] == "multipart/form-data"


async def test_ptb_rejections_like_the_bot_api(tg: TelegramDouble) -> None:
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup
    from telegram.error import BadRequest

    app = _ptb_app(tg.url)
    await app.initialize()
    try:
        too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="a" * 65)]])
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
            await app.bot.send_message(42, "kartu", reply_markup=too_long)
        with pytest.raises(BadRequest, match=r"(?i)too long"):
            await app.bot.send_message(42, "x" * 4097)
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await app.bot.send_message(42, "a < b", parse_mode="HTML")
        with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
            await app.bot.send_document(42, PDF, filename="a.pdf", caption="c" * 1025)
    finally:
        await app.shutdown()
    assert tg.sent(42) == []

    async with httpx.AsyncClient() as http:
        wrong = await http.post(f"{tg.url}/bot999:wrong/getMe")
        unknown = await http.post(f"{tg.url}/bot{TOKEN}/sendTelepathy")
    assert wrong.status_code == 401
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_ptb_polling_receives_callbacks_and_commands(tg: TelegramDouble) -> None:
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

    seen: list[str] = []

    async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(f"start {context.args}")

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        seen.append(f"press {update.callback_query.data}")
        await update.callback_query.answer("Disetujui")

    errors: list[str] = []

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(str(context.error))

    app = _ptb_app(tg.url)
    app.add_handler(CommandHandler("start", on_start))
    app.add_handler(CallbackQueryHandler(on_press))
    app.add_error_handler(on_error)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    card = await app.bot.send_message(
        7,
        "kartu",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Setujui", callback_data="t:1")]]),
    )
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        first = tg.push_text(7, 7, "/start kode123")
        press = tg.push_callback(7, 7, card.message_id, "t:1")
        again = tg.resend(press)  # the same callback query under a new update_id
        await tg.wait_consumed(again)
        await tg.wait_until(lambda: len(seen) == 3 and len(errors) == 1)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()

    assert seen == ["start ['kode123']", "press t:1", "press t:1"]
    assert first in tg.confirmed
    answers = [c for c in tg.calls_to("answerCallbackQuery")]
    assert [a.ok for a in answers] == [True, False]  # a query id is answered once only
    assert answers[1].error is not None and "query is too old" in answers[1].error
    assert errors == ["Query is too old and response timeout expired or query id is invalid"]
    assert any(c.method == "deleteWebhook" for c in tg.calls)  # PTB's polling starts so


async def test_ptb_webhook_mode_with_secret_token(tg: TelegramDouble) -> None:
    from telegram import Update
    from telegram.error import Conflict
    from telegram.ext import ContextTypes, MessageHandler, filters

    texts: list[str] = []

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        texts.append(update.message.text)

    port = _free_port()
    app = _ptb_app(tg.url)
    app.add_handler(MessageHandler(filters.TEXT, on_text))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="telegram/webhook",
        secret_token="s3cret-Token",
        webhook_url=f"http://127.0.0.1:{port}/telegram/webhook",
    )
    try:
        assert tg.webhook is not None and tg.webhook.secret_token == "s3cret-Token"
        update_id = tg.push_text(5, 5, "halo lewat webhook")
        await tg.wait_consumed(update_id)
        await tg.wait_until(lambda: texts == ["halo lewat webhook"])
        with pytest.raises(Conflict):
            await app.bot.get_updates()
        info = await app.bot.get_webhook_info()
        assert info.url.endswith("/telegram/webhook") and info.pending_update_count == 0
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert [d["status"] for d in tg.webhook_deliveries] == [200]


async def test_webhook_with_wrong_secret_is_retried(tg: TelegramDouble) -> None:
    hits: list[str | None] = []

    async def receiver(request: web.Request) -> web.Response:
        hits.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        return web.Response(status=403 if len(hits) == 1 else 200)

    async with _receiver(receiver) as url, httpx.AsyncClient() as http:
        await http.post(f"{tg.url}/bot{TOKEN}/setWebhook", json={"url": url, "secret_token": "k"})
        update_id = tg.push_text(5, 5, "x")
        await tg.wait_consumed(update_id)
        info = (await http.get(f"{tg.url}/bot{TOKEN}/getWebhookInfo")).json()["result"]
    assert hits == ["k", "k"]  # refused once, delivered on the retry
    assert "403" in info["last_error_message"]


# == aiogram =============================================================================
async def test_aiogram_sends_uploads_and_polls(tg: TelegramDouble) -> None:
    from aiogram import Bot, Dispatcher, F
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.filters import Command
    from aiogram.types import (
        BufferedInputFile,
        CallbackQuery,
        InlineKeyboardButton,
        InlineKeyboardMarkup,
        Message,
    )

    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.url)))
    dp = Dispatcher()
    seen: list[str] = []

    @dp.message(Command("tugas"))
    async def on_tasks(message: Message) -> None:
        seen.append("tugas")

    @dp.callback_query(F.data == "t:9")
    async def on_press(query: CallbackQuery) -> None:
        seen.append("press")
        await query.answer("Sudah diproses")

    try:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[
                [InlineKeyboardButton(text="Selesai", callback_data="t:9")],
            ]
        )
        card = await bot.send_message(-100123, "Kartu grup", reply_markup=keyboard)
        assert card.chat.type == "supergroup"
        doc = await bot.send_document(-100123, BufferedInputFile(PDF, filename="rekap.pdf"))
        assert doc.document is not None and doc.document.file_size == len(PDF)
        await bot.delete_webhook()  # aiogram's polling never does it itself
        tg.push_text(-100123, 77, "/tugas")
        press = tg.push_callback(-100123, 77, card.message_id, "t:9")
        polling = asyncio.create_task(
            dp.start_polling(bot, handle_signals=False, polling_timeout=1),
        )
        await tg.wait_consumed(press)
        await tg.wait_until(lambda: len(seen) == 2 and bool(tg.calls_to("answerCallbackQuery")))
        await dp.stop_polling()
        await polling
    finally:
        await bot.session.close()

    assert sorted(seen) == ["press", "tugas"]
    upload = tg.calls_to("sendDocument")[0]
    assert upload.content_type == "multipart/form-data"
    assert str(upload.params["document"]).startswith("attach://")
    assert tg.calls_to("sendMessage")[0].content_type == "application/x-www-form-urlencoded"
    uploaded = tg.message(-100123, 2).document
    assert uploaded is not None and uploaded.data == PDF
    assert tg.callbacks[tg.pushed[press]["callback_query"]["id"]].answer == {
        "text": "Sudah diproses",
        "show_alert": False,
        "url": None,
        "cache_time": None,
    }


# == flood limits and faults =============================================================
async def test_flood_limits_answer_429_with_retry_after() -> None:
    async with TelegramDouble(TOKEN, enforce_limits=True) as tg, httpx.AsyncClient() as http:

        async def send(chat_id: int) -> httpx.Response:
            return await http.post(
                f"{tg.url}/bot{TOKEN}/sendMessage",
                json={"chat_id": chat_id, "text": "x"},
            )

        assert (await send(1)).status_code == 200
        too_fast = await send(1)
        for chat_id in range(2, 31):  # 29 more chats: 30 in this second overall
            assert (await send(chat_id)).status_code == 200
        over_global = await send(31)
        tg.clock.advance(2)  # the per-second windows are past; a group allows 20 a minute
        group = [(await send(-5)).status_code for _ in range(21)]
        group_retry = (await send(-5)).json()["parameters"]["retry_after"]

    assert too_fast.status_code == 429
    assert too_fast.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert over_global.status_code == 429
    assert group == [200] * 20 + [429]
    assert 50 < group_retry <= 60
    assert tg.flood_429s == 4
    assert tg.flood_429s_by_chat[1] == 1
    assert len(tg.sent(1)) == 1


async def test_fault_plan_produces_every_kind() -> None:
    plan = FaultPlan(rate=0.3, seed=3, hold_seconds=5.0)
    outcomes: list[str] = []
    async with TelegramDouble(TOKEN, faults=plan) as tg, httpx.AsyncClient(timeout=0.3) as http:
        for i in range(30):
            try:
                response = await http.post(
                    f"{tg.url}/bot{TOKEN}/sendMessage",
                    data={"chat_id": "9", "text": f"m{i}"},
                )
                outcomes.append(str(response.status_code))
            except httpx.ReadTimeout:
                outcomes.append("timeout")
            except (httpx.RemoteProtocolError, httpx.ReadError):
                outcomes.append("drop")
        await tg.wait_until(lambda: all(c.status or c.fault for c in tg.calls))
        applied = {c.fault: c.applied for c in tg.calls if c.fault in ("timeout", "drop")}
        stored = len(tg.sent(9))
    assert set(outcomes) == {"200", "500", "429", "timeout", "drop"}
    assert dict(plan.injected) == {"429": 2, "500": 2, "drop": 1, "timeout": 1}
    assert applied == {"timeout": True, "drop": False}
    assert stored == outcomes.count("200") + outcomes.count("timeout")


# == WhatsApp through pywa ===============================================================
@pytest.fixture
async def wa_double() -> AsyncIterator[WhatsAppDouble]:
    async with WhatsAppDouble("wa-token", phone_id="111", app_secret="app-secret") as double:
        yield double


def _pywa(url: str):  # type: ignore[no-untyped-def]
    from pywa_async import WhatsApp

    return WhatsApp(
        phone_id="111",
        token="wa-token",
        app_secret="app-secret",
        verify_token="vt",
        session=routed_httpx_client(url),
    )


async def test_pywa_sends_text_buttons_and_documents(wa_double: WhatsAppDouble) -> None:
    from pywa_async import types
    from pywa_async.errors import ReEngagementMessage, WhatsAppError
    from pywa_async.types.templates import TemplateLanguage

    wa = _pywa(wa_double.url)
    with pytest.raises(ReEngagementMessage):  # never wrote: the 24-hour window is closed
        await wa.send_message(PHONE, "halo")
    await wa.send_template(PHONE, name="kartu_tugas", language=TemplateLanguage.INDONESIAN)
    await wa_double.push_text(PHONE, "saya mau mengurus KTP", name="Budi")
    await wa.send_message(PHONE, "Silakan kirim berkas")
    card = await wa.send_message(
        PHONE,
        "Kasus 1",
        buttons=[
            types.Button("Setujui", "t:1"),
            types.Button("Tolak", "t:2"),
        ],
    )
    with pytest.raises(WhatsAppError) as caught:  # pywa does not check the limits; the API does
        await wa.send_message(
            PHONE,
            "terlalu banyak",
            buttons=[types.Button(f"Pilihan {i}", f"b{i}") for i in range(4)],
        )
    assert caught.value.code == 131009
    sent_doc = await wa.send_document(
        PHONE,
        PDF,
        filename="ktp.pdf",
        caption="Dokumen selesai",
        mime_type="application/pdf",
    )

    messages = wa_double.sent(PHONE)
    assert [m.type for m in messages] == ["template", "text", "interactive", "document"]
    assert messages[2].id == card.id
    assert messages[2].buttons == [("t:1", "Setujui"), ("t:2", "Tolak")]
    assert messages[3].id == sent_doc.id and messages[3].text == "Dokumen selesai"
    media = wa_double.media_of(messages[3])
    assert media is not None and media.data == PDF and media.filename == "ktp.pdf"
    assert wa_double.throttled[131047] == 1


async def test_pywa_pair_rate_limit(wa_double: WhatsAppDouble) -> None:
    from pywa_async.errors import TooManyMessages

    wa_double.pair_rate_limit = True
    await wa_double.push_text(PHONE, "halo")
    wa = _pywa(wa_double.url)
    await wa.send_message(PHONE, "satu")
    with pytest.raises(TooManyMessages):
        await wa.send_message(PHONE, "dua")
    wa_double.clock.advance(6)
    await wa.send_message(PHONE, "dua, nanti")
    assert [m.text for m in wa_double.sent(PHONE)] == ["satu", "dua, nanti"]


async def test_pywa_receives_signed_webhooks(wa_double: WhatsAppDouble) -> None:
    from pywa_async import WhatsApp, types

    wa = _pywa(wa_double.url)
    seen: list[tuple[str, ...]] = []

    @wa.on_message()
    async def on_message(_: WhatsApp, msg: types.Message) -> None:
        if msg.document is not None:
            seen.append(("file", msg.document.filename or "", str(await msg.document.get_bytes())))
        else:
            seen.append(("text", msg.text or "", msg.from_user.wa_id or ""))
            await msg.mark_as_read()

    @wa.on_callback_button()
    async def on_button(_: WhatsApp, button: types.CallbackButton) -> None:
        seen.append(("button", button.data, button.reply_to_message.id))

    @wa.on_message_status()
    async def on_status(_: WhatsApp, status: types.MessageStatus) -> None:
        seen.append(("status", str(status.status), status.id))

    async def webhook(request: web.Request) -> web.Response:
        raw = await request.read()
        refused = await wa.webhook_update_validator(raw, request.headers.get("X-Hub-Signature-256"))
        if refused:
            return web.Response(status=refused[1], text=refused[0])
        text, status = await wa.webhook_update_handler(raw)
        return web.Response(status=status, text=text)

    async with _receiver(webhook) as url:
        wa_double.configure_webhook(url)
        hello = await wa_double.push_text(PHONE, "halo", name="Budi")
        assert hello.status == 200
        card = await wa.send_message(PHONE, "Kasus", buttons=[types.Button("Setujui", "t:1")])
        await wa_double.push_button_reply(PHONE, "t:1", "Setujui", card.id)
        await wa_double.push_document(PHONE, "kk.pdf", PDF)
        await wa_double.push_status(card.id, "delivered")
        forged = await wa_double.push_text(PHONE, "palsu", signature="invalid")
        unsigned = await wa_double.push_text(PHONE, "tanpa tanda", signature="missing")
        again = await wa_double.redeliver(hello)  # same bytes: pywa skips it

    assert (forged.status, unsigned.status, again.status) == (403, 401, 200)
    assert seen == [
        ("text", "halo", PHONE),
        ("button", "t:1", card.id),
        ("file", "kk.pdf", str(PDF)),
        ("status", "delivered", card.id),
    ]
    assert wa_double.message(card.id).statuses == ["delivered"]
    assert wa_double.read_marks == [hello.message_id]
    assert [c.method for c in wa_double.calls].count("download_media") == 1


async def test_window_violation_reported_by_a_failed_status() -> None:
    bodies: list[dict[str, object]] = []

    async def webhook(request: web.Request) -> web.Response:
        bodies.append(await request.json())
        return web.Response(text="ok")

    async with (
        _receiver(webhook) as url,
        WhatsAppDouble(
            "wa-token",
            phone_id="111",
            app_secret="app-secret",
            webhook_url=url,
            window_violation="status",
            auto_statuses=("sent", "delivered"),
        ) as double,
    ):
        wa = _pywa(double.url)
        late = await wa.send_message(PHONE, "di luar jendela 24 jam")  # accepted...
        await double.push_text(PHONE, "halo")
        double.clock.advance(24 * 3600 + 1)
        also_late = await wa.send_message(PHONE, "sehari kemudian")
        double.clock.advance(-(24 * 3600))
        fine = await wa.send_message(PHONE, "dalam jendela")
        await double.drain()

    statuses = [
        (s["id"], s["status"], [e["code"] for e in s.get("errors", [])])
        for body in bodies
        for change in body["entry"][0]["changes"]  # type: ignore[index]
        for s in change["value"].get("statuses", [])
    ]
    assert (late.id, "failed", [131047]) in statuses  # ...and failed by webhook
    assert (also_late.id, "failed", [131047]) in statuses
    assert [s for s in statuses if s[0] == fine.id] == [
        (fine.id, "sent", []),
        (fine.id, "delivered", []),
    ]
    assert [m.text for m in double.sent(PHONE)] == ["dalam jendela"]


async def test_routed_client_leaves_other_hosts_alone(wa_double: WhatsAppDouble) -> None:
    async with routed_httpx_client(wa_double.url) as http:
        missing = await http.get(
            "https://graph.facebook.com/v26.0/424242",
            headers={"Authorization": "Bearer nope"},
        )
        assert missing.status_code == 401 and missing.json()["error"]["code"] == 190
        upload = await http.post(
            "https://graph.facebook.com/v26.0/111/media",
            headers={"Authorization": "Bearer wa-token"},
            data={"messaging_product": "whatsapp", "type": "image/gif"},
            files={"file": ("a.gif", b"GIF89a", "image/gif")},
        )
        assert upload.json()["error"]["code"] == 131053  # only JPEG/PNG images
    assert wa_double.calls[-1].method == "upload_media"


# == standalone processes ================================================================
async def test_standalone_telegram_double_is_driven_over_http() -> None:
    with spawn_double("telegram", "--token", TOKEN) as proc:
        async with ControlClient(proc.url) as ctl, httpx.AsyncClient() as http:
            pushed = await ctl.post("push/text", chat_id=3, user_id=3, text="/bantuan")
            got = (await http.post(f"{proc.url}/bot{TOKEN}/getUpdates", json={})).json()
            assert got["result"][0]["update_id"] == pushed["update_id"]
            assert got["result"][0]["message"]["entities"][0]["type"] == "bot_command"
            await ctl.post("faults", script=["500"])
            failed = await http.post(
                f"{proc.url}/bot{TOKEN}/sendMessage", json={"chat_id": 3, "text": "a"}
            )
            ok = await http.post(
                f"{proc.url}/bot{TOKEN}/sendMessage", json={"chat_id": 3, "text": "b"}
            )
            chat = await ctl.get("chats/3")
            calls = await ctl.get("calls", method="sendMessage")
    assert (failed.status_code, ok.status_code) == (500, 200)
    assert [m["text"] for m in chat] == ["/bantuan", "b"]
    assert [c["fault"] for c in calls] == ["500", None]


async def test_standalone_whatsapp_double_is_driven_over_http() -> None:
    received: list[bytes] = []

    async def webhook(request: web.Request) -> web.Response:
        received.append(await request.read())
        return web.Response(text="ok")

    async with _receiver(webhook) as url:
        with spawn_double("whatsapp", "--token", "T", "--webhook-url", url) as proc:
            async with ControlClient(proc.url) as ctl:
                delivery = await ctl.post("push/text", from_phone=PHONE, text="halo")
                user = await ctl.get(f"users/{PHONE}")
    assert delivery["status"] == 200 and len(received) == 1
    assert user["messages"][0]["text"] == "halo"


# == helpers =============================================================================
class _receiver:  # lower case: reads as a function in `async with _receiver(h) as url`
    """A tiny aiohttp app on a free port that answers POST / with `handler`."""

    def __init__(self, handler: Callable[[web.Request], Awaitable[web.Response]]) -> None:
        self._handler = handler
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> str:
        app = web.Application()
        app.router.add_post("/", self._handler)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        return f"http://127.0.0.1:{self._runner.addresses[0][1]}/"

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

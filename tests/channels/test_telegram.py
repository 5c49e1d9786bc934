"""The Telegram channel on both libraries against the Telegram double: what the platform
receives, how its errors become the port's errors, how updates become events."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from staffbot.channels.base import (
    Answer,
    ChoicePressed,
    CommandReceived,
    Delivery,
    FileBlob,
    FileReceived,
    Incoming,
    TextReceived,
)
from staffbot.channels.telegram import make_telegram
from staffbot.channels.telegram_common import COMMANDS, PACING, TelegramChannel, TelegramConfig
from staffbot.channels.telegram_render import keyboard, split_text
from staffbot.errors import (
    BadChannelRequest,
    ChannelUnavailable,
    RecipientUnreachable,
    RetryAfter,
)
from staffbot.messages import Choice, OutgoingMessage
from tests.channels.support import FAST, TG_TOKEN
from tests.doubles._common import FaultPlan
from tests.doubles.telegram import TelegramDouble

PDF = b"%PDF-1.4\n% kartu\n"
CARD = OutgoingMessage(
    "📄 <b>Kasus PO-2026-00001</b>\nPemohon: Siti &amp; Ahmad",
    (Choice("Setujui", "tok-approve"), Choice("Tolak", "tok-reject")),
)


class Inbox:
    """The chat service's place in these tests: keeps the events, answers with a toast."""

    def __init__(self) -> None:
        self.events: list[Incoming] = []

    async def __call__(self, event: Incoming) -> Answer:
        self.events.append(event)
        return Answer("✔ Disetujui: PO-2026-00001" + "!" * 300)


@pytest.fixture(params=["ptb", "aiogram"])
def library(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def tg() -> AsyncIterator[TelegramDouble]:
    async with TelegramDouble(TG_TOKEN) as double:
        yield double


@pytest.fixture
async def channel(
    library: str, tg: TelegramDouble, tmp_path: Path
) -> AsyncIterator[TelegramChannel]:
    inbox = Inbox()
    config = TelegramConfig(TG_TOKEN, tg.url, tmp_path, pacing=FAST, poll_timeout=1)
    ch = make_telegram(library, config, inbox, lambda: datetime.now(UTC))
    await ch.initialize()
    try:
        yield ch
    finally:
        await ch.shutdown()


def send(chat: int, message: OutgoingMessage, **kw: object) -> Delivery:
    return Delivery(str(chat), "send", message, **kw)  # type: ignore[arg-type]


async def test_initialize_checks_the_token_and_registers_the_command_menu(
    channel: TelegramChannel, tg: TelegramDouble
) -> None:
    assert channel.bot_username == "staffbot_double_bot"
    menu = {scope_lang[1]: cmds for scope_lang, cmds in tg.commands.items()}
    assert [c["command"] for c in menu[""]] == [
        "tugas",
        "cari",
        "kasus",
        "berkas",
        "ambil",
        "baru",
        "ba",
        "laporan",
        "ringkasan",
        "batal",
        "bantuan",
    ]
    assert [c["description"] for c in menu[""]] == [d for _, d, _ in COMMANDS]
    assert menu[""][0]["description"] == "Daftar tugas saya"
    assert [c["description"] for c in menu["en"]] == [d for _, _, d in COMMANDS]


async def test_a_card_is_a_message_with_an_inline_keyboard_and_its_edit_drops_the_buttons(
    channel: TelegramChannel, tg: TelegramDouble
) -> None:
    sent = await channel.deliver(send(42, CARD))
    card = tg.message(42, int(sent.message_id or 0))
    assert card.text == "📄 Kasus PO-2026-00001\nPemohon: Siti & Ahmad"
    assert card.parse_mode == "HTML"
    assert card.buttons == [[("Setujui", "tok-approve"), ("Tolak", "tok-reject")]]

    closed = OutgoingMessage(CARD.text + "\n\n<b>✔ Disetujui oleh Hendra, 09:05</b>")
    edit = Delivery("42", "edit", closed, message_id=sent.message_id)
    assert (await channel.deliver(edit)).message_id == sent.message_id
    # The same edit again (a retried outbox row): "message is not modified" is success.
    assert (await channel.deliver(edit)).message_id == sent.message_id
    assert card.text.endswith("✔ Disetujui oleh Hendra, 09:05")
    assert card.buttons == [] and len(card.history) == 1
    assert [c.ok for c in tg.calls_to("editMessageText")] == [True, False]


async def test_attachments_go_as_documents(channel: TelegramChannel, tg: TelegramDouble) -> None:
    blob = FileBlob("hasil.pdf", "application/pdf", PDF)
    plain = await channel.deliver(send(7, OutgoingMessage("Dokumen <b>PO-1</b>"), document=blob))
    [doc] = tg.sent(7)
    assert str(doc.message_id) == plain.message_id
    assert doc.caption == "Dokumen PO-1" and doc.document is not None
    assert doc.document.data == PDF and doc.document.file_name == "hasil.pdf"

    # A card with an attachment: the card (editable text, buttons) first, then the file.
    card = await channel.deliver(send(7, CARD, document=blob, idempotency_key="card:9:1"))
    text, file = tg.sent(7)[1:]
    assert str(text.message_id) == card.message_id and text.buttons
    assert file.document is not None and file.caption is None


async def test_a_retried_card_does_not_send_its_text_twice(
    channel: TelegramChannel, tg: TelegramDouble
) -> None:
    blob = FileBlob("hasil.pdf", "application/pdf", PDF)
    tg.faults = FaultPlan(script=["ok", "500"])
    delivery = send(8, CARD, document=blob, idempotency_key="card:3:4")
    with pytest.raises(ChannelUnavailable):
        await channel.deliver(delivery)
    again = await channel.deliver(delivery)
    messages = tg.sent(8)
    assert len(messages) == 2 and str(messages[0].message_id) == again.message_id
    assert messages[1].document is not None


async def test_long_texts_are_split_and_the_keyboard_rides_on_the_last_part(
    channel: TelegramChannel, tg: TelegramDouble
) -> None:
    lines = [f"{i:04d} " + "x" * 95 for i in range(60)]
    await channel.deliver(send(9, OutgoingMessage("\n".join(lines), CARD.choices)))
    first, second = tg.sent(9)
    assert len(first.text or "") <= 4096 and not first.buttons and second.buttons
    assert (first.text or "") + "\n" + (second.text or "") == "\n".join(lines)


async def test_deleting_the_pin_message(channel: TelegramChannel, tg: TelegramDouble) -> None:
    tg.push_text(5, 5, "123456")
    [typed] = tg.chat(5).messages.values()
    delete = Delivery("5", "delete", OutgoingMessage(""), message_id=str(typed.message_id))
    await channel.deliver(delete)
    await channel.deliver(delete)  # already gone: still done
    assert typed.deleted


async def test_platform_errors_become_the_ports_errors(
    channel: TelegramChannel, tg: TelegramDouble
) -> None:
    tg.faults = FaultPlan(script=["429"], retry_after=7)
    with pytest.raises(RetryAfter) as flood:
        await channel.deliver(send(1, CARD))
    assert flood.value.params["retry_after"] == 7
    assert isinstance(flood.value.__cause__, Exception)
    # Neither library retried the 429 on its own.
    assert len(tg.calls_to("sendMessage")) == 1

    tg.faults = FaultPlan(script=["500"])
    with pytest.raises(ChannelUnavailable):
        await channel.deliver(send(1, CARD))
    tg.blocked.add(2)
    with pytest.raises(RecipientUnreachable):
        await channel.deliver(send(2, CARD))
    with pytest.raises(BadChannelRequest, match=r"(?i)message to edit not found"):
        await channel.deliver(Delivery("1", "edit", CARD, message_id="999"))
    with pytest.raises(BadChannelRequest, match=r"(?i)parse entities"):
        await channel.deliver(send(1, OutgoingMessage("a < b <u>")))
    too_long = OutgoingMessage("x", (Choice("Setujui", "t" * 65),))
    calls = len(tg.calls)
    with pytest.raises(BadChannelRequest, match="callback_data"):
        await channel.deliver(send(1, too_long))
    assert len(tg.calls) == calls  # refused before any request
    with pytest.raises(BadChannelRequest, match="not a Telegram chat id"):
        await channel.deliver(Delivery("web-7", "send", CARD))


async def test_polling_turns_updates_into_events_and_answers_presses_at_once(
    library: str, tg: TelegramDouble, tmp_path: Path
) -> None:
    inbox = Inbox()
    config = TelegramConfig(TG_TOKEN, tg.url, tmp_path, pacing=FAST, poll_timeout=1)
    channel = make_telegram(library, config, inbox, lambda: datetime(2026, 11, 25, tzinfo=UTC))
    await channel.initialize()
    receiver = channel.receiver()
    assert receiver.routes() == []
    card = await channel.deliver(send(42, CARD))
    await receiver.start()
    try:
        tg.push_text(42, 42, "/start kode-undangan", first_name="Andi")
        tg.push_text(42, 42, "/tugas@staffbot_double_bot")
        tg.push_text(-100500, 42, "/tugas@bot_lain")  # a command for another bot
        tg.push_text(42, 42, "123456")
        press = tg.push_callback(42, 42, int(card.message_id or 0), "tok-approve")
        again = tg.resend(press)  # the client sent the same press again
        tg.push_document(42, 42, "kk.pdf", PDF)
        await tg.wait_consumed(again)
        await tg.wait_until(lambda: len(inbox.events) == 6)
        file = inbox.events[-1]
        assert isinstance(file, FileReceived) and file.fetch is not None
        fetched = await file.fetch()
    finally:
        await receiver.stop()
        await channel.shutdown()

    start, tasks, pin, first, second, _ = inbox.events
    assert isinstance(start, CommandReceived) and (start.command, start.args) == (
        "start",
        "kode-undangan",
    )
    assert (start.chat_id, start.user_id, start.user_name) == ("42", "42", "Andi")
    assert isinstance(tasks, CommandReceived) and tasks.command == "tugas"
    assert isinstance(pin, TextReceived) and pin.text == "123456" and pin.message_id is not None
    assert isinstance(first, ChoicePressed) and first.token == "tok-approve"
    assert first.message_id == card.message_id
    # One press, twice delivered: the same dedupe key (the callback query id).
    assert isinstance(second, ChoicePressed) and second.update_id == first.update_id
    assert first.update_id is not None and first.update_id.startswith("cb:")
    assert start.update_id != tasks.update_id
    assert (file.filename, file.mime_type, file.size) == ("kk.pdf", "application/pdf", len(PDF))
    assert fetched == PDF
    # Every press answered at once with the toast, cut to Telegram's 200 characters.
    query = tg.pushed[press]["callback_query"]["id"]
    answer = tg.callbacks[query].answer
    assert answer is not None and answer["text"].startswith("✔ Disetujui")
    assert len(answer["text"]) == 200
    assert any(c.method == "deleteWebhook" for c in tg.calls)


def test_keyboards_and_long_texts() -> None:
    rows = keyboard(
        [
            Choice(label, f"t{i}")
            for i, label in enumerate(
                [
                    "Setujui",
                    "Tolak",
                    "Tanda Tangani",
                    "Buka PO-2026-00001",
                    "Buka PO-2026-00002",
                    "a",
                ]
            )
        ]
    )
    assert rows is not None
    assert [[b.label for b in row] for row in rows] == [
        ["Setujui", "Tolak", "Tanda Tangani"],
        ["Buka PO-2026-00001"],
        ["Buka PO-2026-00002", "a"],
    ]
    assert keyboard([]) is None
    assert split_text("") == ["\u2063"]
    assert split_text("a" * 5000) == ["a" * 4096, "a" * 904]
    assert PACING.per_chat_interval == 1.0 and PACING.per_group_interval == 3.0
    assert PACING.global_rate == 30.0


def test_aiogram_is_imported_only_when_chosen() -> None:
    code = (
        "import sys; import staffbot.channels.telegram; import staffbot.channels.telegram_ptb; "
        "assert 'aiogram' not in sys.modules, 'aiogram imported'; print('ok')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"

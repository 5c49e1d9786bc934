"""What both Telegram adapters share: the channel itself, its configuration and menu.

The library adapters (telegram_ptb, telegram_aiogram) only make the Bot API calls and
translate their exceptions; everything that decides *what* to send or *how* an update
becomes a neutral event works on the Bot API's own JSON shapes, so both libraries
behave the same by construction: rendering and error translation in telegram_render,
updates to events in telegram_updates, the flood guard in telegram_guard, polling and
the webhook in telegram_receivers.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from staffbot.channels.base import (
    Answer,
    Channel,
    ChannelName,
    Delivered,
    Delivery,
    EventHandler,
    FileBlob,
    Pacing,
)
from staffbot.channels.telegram_guard import SendGuard
from staffbot.channels.telegram_receivers import TelegramPolling, TelegramWebhook, webhook_secret
from staffbot.channels.telegram_render import (
    MAX_ANSWER,
    Keyboard,
    already_deleted,
    caption_for,
    keyboard,
    not_modified,
    split_text,
)
from staffbot.channels.telegram_updates import parse_update
from staffbot.errors import BadChannelRequest, ChannelError

log = logging.getLogger(__name__)

NAME = ChannelName.TELEGRAM
ALLOWED_UPDATES = ["message", "callback_query"]


#: Telegram's published limits: 1 message a second to one private chat, 20 a minute to
#: a group (one per 3 s), 30 a second over all chats. The dispatcher paces to these.
PACING = Pacing(per_chat_interval=1.0, per_group_interval=3.0, global_rate=30.0)

#: The command menu (setMyCommands): command, Indonesian and English description.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("tugas", "Daftar tugas saya", "My open tasks"),
    ("cari", "Cari kasus: nomor kasus, NIK atau nomor WA", "Search cases"),
    ("kasus", "Buka kasus: /kasus <nomor kasus>", "Open a case"),
    ("berkas", "Berkas pemohon sebuah kasus: /berkas <nomor kasus>", "The applicant's files"),
    ("ambil", "Ambil tugas sebuah kasus: /ambil <nomor kasus>", "Take a case's task"),
    ("baru", "Catat pengaduan baru (Call Center)", "Record a new complaint (call center)"),
    ("ba", "Buat Berita Acara pengiriman ke UPT", "Make a Berita Acara (handover to UPT)"),
    ("laporan", "Rekap dan Mutu Baku bulan ini (Kasi ke atas)", "This month's reports"),
    ("ringkasan", "Kartu tugas: satu per dokumen atau ringkasan", "Cards one by one or a digest"),
    ("batal", "Batalkan isian yang sedang berjalan", "Cancel the form in progress"),
    ("bantuan", "Bantuan dan daftar perintah", "Help and list of commands"),
)


# -- the channel ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TelegramConfig:
    token: str
    api_url: str
    data_dir: Path
    webhook_url: str | None = None
    pacing: Pacing = PACING
    #: Long-poll timeout of getUpdates (seconds).
    poll_timeout: int = 10
    #: How long to wait for Telegram's answer to one call before taking it as failed.
    request_timeout: float = 20.0


class TelegramChannel(Channel):
    """The Telegram channel, whatever the library: subclasses make the Bot API calls."""

    name = NAME
    can_delete_user_messages = True
    library = ""

    def __init__(
        self, config: TelegramConfig, on_event: EventHandler, now: Callable[[], datetime]
    ) -> None:
        self.config = config
        self.pacing = config.pacing
        self.on_event = on_event
        self.now = now
        self.bot_username = ""
        self.guard = SendGuard(config.pacing)
        # Message ids already sent per outbox key and part: a delivery of several
        # messages (a long text, a card and its document) that failed half-way is not
        # sent again from the start when retried (Telegram has no idempotency keys).
        self._partial: OrderedDict[str, int] = OrderedDict()
        self._initialized = False

    # -- lifecycle ------------------------------------------------------------------

    async def initialize(self) -> None:
        if self._initialized:
            return
        self.bot_username = await self._open()
        try:
            await self._set_commands()
        except BaseException:
            await self._close()
            raise
        self._initialized = True

    async def shutdown(self) -> None:
        if not self._initialized:
            return
        self._initialized = False
        await self._close()

    def is_group(self, chat_id: str) -> bool:
        return chat_id.startswith("-")

    def receiver(self) -> TelegramPolling | TelegramWebhook:
        if self.config.webhook_url:
            return TelegramWebhook(
                self, self.config.webhook_url, webhook_secret(self.config.data_dir)
            )
        return TelegramPolling(self, poll_timeout=self.config.poll_timeout)

    # -- outgoing -----------------------------------------------------------------------

    async def deliver(self, delivery: Delivery) -> Delivered:
        chat = delivery.chat_id
        if not chat.lstrip("-").isdigit():
            raise BadChannelRequest(channel=NAME, problem=f"not a Telegram chat id: {chat}")
        chat_id = int(chat)
        message = delivery.message
        if delivery.kind == "delete":
            return await self._deliver_delete(chat_id, delivery)
        if delivery.kind == "edit":
            return await self._deliver_edit(chat_id, delivery)
        markup = keyboard(message.choices)
        if delivery.document is not None:
            return await self._deliver_document(chat_id, delivery, markup)
        parts = split_text(message.text)
        sent = 0
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            sent = await self._guarded_send(chat, part, markup if last else None, delivery, i)
        return Delivered(str(sent))

    async def _guarded_send(
        self, chat: str, text: str, markup: Keyboard | None, delivery: Delivery, part: int
    ) -> int:
        key = f"{delivery.idempotency_key}#{part}" if delivery.idempotency_key else ""
        if key and key in self._partial:
            return self._partial[key]
        async with self.guard.slot(chat, group=self.is_group(chat)):
            message_id = await self._send_message(int(chat), text, markup)
        if key:
            self._remember(key, message_id)
        return message_id

    async def _deliver_document(
        self, chat_id: int, delivery: Delivery, markup: Keyboard | None
    ) -> Delivered:
        """A message with an attachment.

        Without buttons and with a short text: one document with the text as caption.
        A card (buttons) goes first as a text message, then the document: the card stays
        editable with editMessageText and keeps its buttons in view.
        """
        assert delivery.document is not None
        chat = str(chat_id)
        caption = caption_for(delivery.message.text)
        if markup is None and caption is not None:
            async with self.guard.slot(chat, group=self.is_group(chat)):
                sent = await self._send_document(chat_id, delivery.document, caption)
            return Delivered(str(sent))
        card = 0
        parts = split_text(delivery.message.text)
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            card = await self._guarded_send(chat, part, markup if last else None, delivery, i)
        async with self.guard.slot(chat, group=self.is_group(chat)):
            await self._send_document(chat_id, delivery.document, None)
        self._forget(delivery.idempotency_key)
        return Delivered(str(card))

    async def _deliver_edit(self, chat_id: int, delivery: Delivery) -> Delivered:
        if delivery.message_id is None or not delivery.message_id.isdigit():
            raise BadChannelRequest(channel=NAME, problem="edit without a message id")
        text = split_text(delivery.message.text)[0]
        markup = keyboard(delivery.message.choices)
        try:
            async with self.guard.slot(str(chat_id), group=self.is_group(str(chat_id))):
                await self._edit_message(chat_id, int(delivery.message_id), text, markup)
        except ChannelError as exc:
            if not not_modified(exc):
                raise
        if delivery.document is not None:
            # A text message cannot take a file: the card's new document (the signed
            # PDF) follows it, as a card's document follows the card when first sent;
            # once only, though the edit may be tried again (a later step failed).
            key = f"{delivery.idempotency_key}#doc" if delivery.idempotency_key else ""
            if not key or key not in self._partial:
                async with self.guard.slot(str(chat_id), group=self.is_group(str(chat_id))):
                    sent = await self._send_document(chat_id, delivery.document, None)
                if key:
                    self._remember(key, sent)
        return Delivered(delivery.message_id)

    async def _deliver_delete(self, chat_id: int, delivery: Delivery) -> Delivered:
        if delivery.message_id is None or not delivery.message_id.isdigit():
            raise BadChannelRequest(channel=NAME, problem="delete without a message id")
        try:
            await self._delete_message(chat_id, int(delivery.message_id))
        except ChannelError as exc:
            if not already_deleted(exc):
                raise
        return Delivered(delivery.message_id)

    def _remember(self, key: str, message_id: int) -> None:
        self._partial[key] = message_id
        while len(self._partial) > 1000:
            self._partial.popitem(last=False)

    def _forget(self, idempotency_key: str) -> None:
        for key in [k for k in self._partial if k.startswith(f"{idempotency_key}#")]:
            del self._partial[key]

    # -- incoming -----------------------------------------------------------------------

    async def process(self, update: dict[str, Any]) -> None:
        """Handle one update: the event goes to the chat service, a press is answered."""
        parsed = parse_update(
            update, now=self.now(), download=self._download, bot_username=self.bot_username
        )
        if parsed is None:
            return
        answer = Answer()
        try:
            answer = await self.on_event(parsed.event)
        finally:
            if parsed.callback_id is not None:
                await self._answer_quietly(parsed.callback_id, answer)

    async def _answer_quietly(self, callback_id: str, answer: Answer) -> None:
        text = (
            answer.text if len(answer.text) <= MAX_ANSWER else answer.text[: MAX_ANSWER - 1] + "…"
        )
        try:
            await self._answer_callback(callback_id, text, answer.alert)
        except ChannelError as exc:
            # A resent press of an answered query, or one older than Telegram keeps.
            log.info("callback %s not answered: %s", callback_id, exc)

    # -- the library's part -----------------------------------------------------------------

    @abstractmethod
    async def _open(self) -> str:
        """Connect and check the token (getMe); returns the bot's username."""

    @abstractmethod
    async def _close(self) -> None: ...

    @abstractmethod
    async def _set_commands(self) -> None: ...

    @abstractmethod
    async def _send_message(self, chat_id: int, text: str, markup: Keyboard | None) -> int: ...

    @abstractmethod
    async def _send_document(self, chat_id: int, blob: FileBlob, caption: str | None) -> int: ...

    @abstractmethod
    async def _edit_message(
        self, chat_id: int, message_id: int, text: str, markup: Keyboard | None
    ) -> None: ...

    @abstractmethod
    async def _delete_message(self, chat_id: int, message_id: int) -> None: ...

    @abstractmethod
    async def _answer_callback(self, callback_id: str, text: str, alert: bool) -> None: ...

    @abstractmethod
    async def _download(self, file_id: str) -> bytes: ...

    @abstractmethod
    async def _set_webhook(self, url: str, secret: str) -> None: ...

    @abstractmethod
    async def _delete_webhook(self) -> None:
        """deleteWebhook (keeping pending updates): getUpdates answers 409 while one is set."""

    @abstractmethod
    async def _get_updates(self, offset: int | None, long_poll: int) -> list[dict[str, Any]]:
        """getUpdates (long poll) with ``offset``; the updates as Bot API JSON."""

"""What both Telegram adapters share: rendering, limits, error translation, updates to events.

The library adapters (telegram_ptb, telegram_aiogram) only make the Bot API calls and
translate their exceptions; everything that decides *what* to send or *how* an update
becomes a neutral event lives here, on the Bot API's own JSON shapes, so both libraries
behave the same by construction.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import os
import secrets
import time
from abc import abstractmethod
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from staffbot.channels.base import (
    Answer,
    Channel,
    ChoicePressed,
    CommandReceived,
    Delivered,
    Delivery,
    EventHandler,
    FileBlob,
    FileReceived,
    Incoming,
    Pacing,
    TextReceived,
)
from staffbot.errors import (
    BadChannelRequest,
    ChannelError,
    ChannelUnavailable,
    RecipientUnreachable,
    RetryAfter,
)
from staffbot.messages import Choice

log = logging.getLogger(__name__)

NAME = "telegram"
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_ANSWER = 200
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
SECRET_FILE = "telegram_webhook_secret"  # noqa: S105 (a file name)
ALLOWED_UPDATES = ["message", "callback_query"]

#: Telegram's published limits: 1 message a second to one private chat, 20 a minute to
#: a group (one per 3 s), 30 a second over all chats. The dispatcher paces to these.
PACING = Pacing(per_chat_interval=1.0, per_group_interval=3.0, global_rate=30.0)

#: The command menu (setMyCommands): command, Indonesian and English description.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("tugas", "Daftar tugas saya", "My open tasks"),
    ("cari", "Cari kasus: nomor kasus, NIK atau nomor WA", "Search cases"),
    ("ambil", "Ambil tugas sebuah kasus: /ambil <nomor kasus>", "Take a case's task"),
    ("baru", "Catat pengaduan baru (Call Center)", "Record a new complaint (call center)"),
    ("ba", "Buat Berita Acara pengiriman ke UPT", "Make a Berita Acara (handover to UPT)"),
    ("laporan", "Rekap dan Mutu Baku bulan ini (Kasi ke atas)", "This month's reports"),
    ("batal", "Batalkan isian yang sedang berjalan", "Cancel the form in progress"),
    ("bantuan", "Bantuan dan daftar perintah", "Help and list of commands"),
)

ErrorKind = Literal["retry_after", "unavailable", "bad_request", "unreachable"]


# -- outgoing: rendering --------------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    label: str
    data: str


Keyboard = list[list[Button]]


def keyboard(choices: Sequence[Choice]) -> Keyboard | None:
    """Inline keyboard rows: short labels share a row (up to 3, about 30 characters)."""
    if not choices:
        return None
    rows: Keyboard = []
    row: list[Button] = []
    width = 0
    for choice in choices:
        data = choice.token
        if not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
            raise BadChannelRequest(
                channel=NAME, problem=f"callback_data must be 1-{MAX_CALLBACK_DATA} bytes"
            )
        label = choice.label.strip() or "•"
        if row and (len(row) == 3 or width + len(label) > 30):
            rows.append(row)
            row, width = [], 0
        row.append(Button(label, data))
        width += len(label)
    rows.append(row)
    return rows


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut a long text at line ends (our rich-text tags never span lines)."""
    text = text or "\u2063"  # Telegram refuses empty texts
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


def caption_for(text: str) -> str | None:
    return text if text and len(text) <= MAX_CAPTION else None


# -- errors ------------------------------------------------------------------------------


def channel_error(kind: ErrorKind, problem: str, retry_after: float | None = None) -> ChannelError:
    """The port's error for a classified platform failure (raise it ``from`` the original)."""
    if kind == "retry_after":
        return RetryAfter(channel=NAME, problem=problem, retry_after=retry_after or 1.0)
    if kind == "bad_request":
        return BadChannelRequest(channel=NAME, problem=problem)
    if kind == "unreachable":
        return RecipientUnreachable(channel=NAME, problem=problem)
    return ChannelUnavailable(channel=NAME, problem=problem)


def _problem(exc: ChannelError) -> str:
    return str(exc.params.get("problem", "")).lower()


def not_modified(exc: ChannelError) -> bool:
    return isinstance(exc, BadChannelRequest) and "not modified" in _problem(exc)


def already_deleted(exc: ChannelError) -> bool:
    return isinstance(exc, BadChannelRequest) and "message to delete not found" in _problem(exc)


# -- incoming: updates to neutral events ---------------------------------------------------

Download = Callable[[str], Awaitable[bytes]]


@dataclass(frozen=True)
class Parsed:
    event: Incoming
    #: Set for button presses: the callback query to answer at once.
    callback_id: str | None = None


def _obj(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else (updates are untrusted input)."""
    return value if isinstance(value, dict) else {}


def _id(value: Any) -> str | None:
    """A Bot API id (an integer; digits as a string also do), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.lstrip("-").isdigit() and len(value) <= 20:
        return value
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def parse_update(
    update: dict[str, Any], *, now: datetime, download: Download, bot_username: str = ""
) -> Parsed | None:
    """A Bot API update (its JSON) as a neutral event; None for kinds we do not handle.

    Anything malformed is None too, never an exception: a webhook answering 500 would
    get the same update delivered again and again.

    Presses are deduplicated by their callback query id, not by update_id: a client that
    reconnects may send the same press again under a new update_id.
    """
    update_id = _id(update.get("update_id"))
    query = update.get("callback_query")
    if isinstance(query, dict):
        user = _obj(query.get("from"))
        message = _obj(query.get("message"))
        user_id = _id(user.get("id"))
        chat_id = _id(_obj(message.get("chat")).get("id")) or user_id
        query_id = _id(query.get("id")) or (_text(query.get("id")) or None)
        if user_id is None or chat_id is None or query_id is None:
            return None
        message_id = _id(message.get("message_id"))
        return Parsed(
            ChoicePressed(
                channel=NAME,
                chat_id=chat_id,
                user_id=user_id,
                at=now,
                update_id=f"cb:{query_id}",
                user_name=_text(user.get("first_name")),
                token=_text(query.get("data")),
                message_id=message_id,
            ),
            callback_id=query_id,
        )
    if not isinstance(update.get("message"), dict):
        return None
    message = _obj(update.get("message"))
    user = _obj(message.get("from"))
    user_id, chat_id = _id(user.get("id")), _id(_obj(message.get("chat")).get("id"))
    if user_id is None or chat_id is None or user.get("is_bot"):
        return None
    common: dict[str, Any] = {
        "channel": NAME,
        "chat_id": chat_id,
        "user_id": user_id,
        "at": now,
        "update_id": update_id,
        "user_name": _text(user.get("first_name")),
    }
    text = message.get("text")
    if isinstance(text, str):
        if text.startswith("/"):
            head, _, args = text[1:].partition(" ")
            command, _, addressee = head.partition("@")
            if addressee and bot_username and addressee.lower() != bot_username.lower():
                return None  # a command for another bot in a group
            return Parsed(CommandReceived(**common, command=command.lower(), args=args.strip()))
        return Parsed(TextReceived(**common, text=text, message_id=_id(message.get("message_id"))))
    found = _file_of(message)
    if found is None:
        return None
    file_id, filename, mime, size = found

    async def fetch(file_id: str = file_id) -> bytes:
        return await download(file_id)

    return Parsed(
        FileReceived(
            **common,
            filename=filename,
            mime_type=mime,
            fetch=fetch,
            size=size,
            caption=_text(message.get("caption")),
        )
    )


def _file_of(message: dict[str, Any]) -> tuple[str, str, str, int | None] | None:
    """(file_id, name, mime, size) of a document or the largest photo, if well formed."""

    def size_of(item: dict[str, Any]) -> int | None:
        size = item.get("file_size")
        return size if isinstance(size, int) and not isinstance(size, bool) else None

    document = message.get("document")
    if isinstance(document, dict):
        file_id = _text(document.get("file_id"))
        if not file_id:
            return None
        name = _text(document.get("file_name")) or "berkas"
        mime = _text(document.get("mime_type")) or "application/octet-stream"
        return file_id, name, mime, size_of(document)
    photos = message.get("photo")
    if isinstance(photos, list):
        usable = [p for p in photos if isinstance(p, dict) and _text(p.get("file_id"))]
        if not usable:
            return None
        largest = max(usable, key=lambda p: size_of(p) or 0)
        name = f"foto_{_id(message.get('message_id')) or 'telegram'}.jpg"
        return _text(largest["file_id"]), name, "image/jpeg", size_of(largest)
    return None


# -- the send-time guard --------------------------------------------------------------------


class SendGuard:
    """Keeps the requests themselves inside the flood limits.

    The dispatcher schedules deliveries at the limits; between its decision and the
    moment Telegram counts the request lie the event loop, the HTTP client and the
    network, and Telegram counts arrivals in sliding windows. Spacing request *starts*
    is therefore not enough: a late request and a punctual one can meet in one window.
    This guard counts from what it knows for sure: a request arrived no later than its
    answer came back, and not earlier than it was started. A new request starts only
    when fewer than ``rate`` requests can have arrived in the last second (those still
    in flight count), and a chat's next request only ``interval`` after the answer to
    its previous one. It waits; it never retries.
    """

    def __init__(self, pacing: Pacing, *, window: float = 1.0) -> None:
        self.pacing = pacing
        self.window = window
        self.limit = int(pacing.global_rate) if pacing.global_rate > 0 else 0
        self._ended: deque[float] = deque()
        self._in_flight = 0
        self._chat_next: dict[str, float] = {}
        self._changed = asyncio.Condition()

    @contextlib.asynccontextmanager
    async def slot(self, chat_id: str, *, group: bool) -> AsyncIterator[None]:
        gap = self.pacing.per_group_interval if group else self.pacing.per_chat_interval
        if self.limit <= 0 and gap <= 0:
            yield
            return
        async with self._changed:
            while (wait := self._wait(chat_id)) > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), timeout=wait)
            self._in_flight += 1
        try:
            yield
        finally:
            async with self._changed:
                end = time.monotonic()
                self._in_flight -= 1
                if self.limit > 0:
                    self._ended.append(end)
                if gap > 0:
                    self._chat_next[chat_id] = end + gap
                self._changed.notify_all()

    def _wait(self, chat_id: str) -> float:
        """Seconds to wait before this chat's request may start (0: go)."""
        now = time.monotonic()
        wait = self._chat_next.get(chat_id, 0.0) - now
        if self.limit > 0:
            while self._ended and self._ended[0] <= now - self.window:
                self._ended.popleft()
            excess = self._in_flight + len(self._ended) - self.limit + 1
            if excess > 0:
                # The oldest answers leave the window first; requests in flight must end.
                done = sorted(self._ended)
                wait = max(
                    wait, done[excess - 1] + self.window - now if excess <= len(done) else 0.05
                )
        return wait


# -- webhook secret ------------------------------------------------------------------------


def webhook_secret(data_dir: Path) -> str:
    """The secret_token for setWebhook: generated once, kept in the data dir (mode 600).

    Several bot processes share the data dir and may start at the same moment: the
    secret is written to a file of its own and linked into place in one step, so a
    process either makes the file whole or reads the one another made, never half of it
    (two different secrets would make one process refuse every update).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SECRET_FILE
    for attempt in range(10):
        try:
            secret = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            secret = ""
        else:
            if not secret:  # being written by an older version, or left empty by a crash
                time.sleep(0.05 * (attempt + 1))
                continue
        if secret:
            path.chmod(0o600)
            return secret
        try:
            return _link_new_secret(data_dir, path)
        except FileExistsError:
            continue  # another process got there first: read its secret
    # an empty file nobody fills: make a new secret in its place
    return _link_new_secret(data_dir, path, replace=True)


def _link_new_secret(data_dir: Path, path: Path, *, replace: bool = False) -> str:
    # Allowed characters: A-Z a-z 0-9 _ - (token_urlsafe uses exactly these).
    secret = secrets.token_urlsafe(48)
    draft = data_dir / f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret)
    try:
        if replace:
            draft.replace(path)
        else:
            os.link(draft, path)  # atomic: fails if the file exists
    finally:
        draft.unlink(missing_ok=True)
    return secret


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
        return TelegramPolling(self)

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


# -- receivers ----------------------------------------------------------------------------------


def update_chat(update: dict[str, Any]) -> str:
    """The chat an update belongs to (its updates are handled in order)."""
    query = update.get("callback_query")
    source = query if isinstance(query, dict) else update.get("message")
    if not isinstance(source, dict):
        return ""
    message = source.get("message") if isinstance(query, dict) else source
    chat = message.get("chat") if isinstance(message, dict) else None
    if isinstance(chat, dict) and chat.get("id") is not None:
        return str(chat["id"])
    user = source.get("from")
    return str(user.get("id")) if isinstance(user, dict) else ""


class TelegramPolling:
    """getUpdates long polling, the same loop for both libraries.

    An update is confirmed to Telegram (the next getUpdates' offset) only after it was
    handled: a bot killed in the middle of a batch gets the batch again when it comes
    back, and the chat service drops what it had already done (processed_update). The
    libraries' own loops confirm a batch as soon as it is fetched, so a crash could
    lose the presses and PINs still waiting in their queue.

    A batch is handled chat by chat, in order within a chat, several chats at once.
    An update whose handling fails (the database restarting) is tried again with the
    next fetch; one that fails ``max_failures`` times is logged and skipped, so a
    malformed update cannot stop the bot for good.
    """

    max_failures = 5
    concurrency = 8

    def __init__(self, channel: TelegramChannel) -> None:
        self.channel = channel
        self._task: asyncio.Task[None] | None = None
        self._failures: dict[int, int] = {}

    async def start(self) -> None:
        if self._task is not None and not self._task.done():
            return
        await self.channel._delete_webhook()
        self._task = asyncio.create_task(self._loop(), name="telegram-polling")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    def routes(self) -> list[BaseRoute]:
        return []

    async def _loop(self) -> None:
        offset: int | None = None
        pause = 0.5
        while True:
            try:
                updates = await self.channel._get_updates(offset, self.channel.config.poll_timeout)
            except ChannelError as exc:
                # Telegram unreachable, 5xx, or a 409 while another poller runs: wait.
                log.warning("getUpdates failed: %s", exc)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)
                continue
            pause = 0.5
            if updates:
                offset = await self._handle(updates)
                if offset is not None and offset <= min(int(u["update_id"]) for u in updates):
                    await asyncio.sleep(1.0)  # nothing could be handled: do not spin

    async def _handle(self, updates: list[dict[str, Any]]) -> int:
        """Handle a batch; returns the offset that confirms what is done."""
        chats: dict[str, list[dict[str, Any]]] = {}
        for update in sorted(updates, key=lambda u: int(u["update_id"])):
            chats.setdefault(update_chat(update), []).append(update)
        gate = asyncio.Semaphore(self.concurrency)
        undone: list[int] = []

        async def one_chat(queue: list[dict[str, Any]]) -> None:
            async with gate:
                for update in queue:
                    if not await self._one(update):
                        # the chat's later updates wait, so they keep their order
                        undone.append(int(update["update_id"]))
                        return

        await asyncio.gather(*(one_chat(queue) for queue in chats.values()))
        if undone:
            return min(undone)
        return max(int(u["update_id"]) for u in updates) + 1

    async def _one(self, update: dict[str, Any]) -> bool:
        update_id = int(update["update_id"])
        try:
            await self.channel.process(update)
        except Exception as exc:
            failures = self._failures.get(update_id, 0) + 1
            self._failures[update_id] = failures
            if failures < self.max_failures:
                log.warning("telegram update %s failed (%s), trying again", update_id, exc)
                return False
            log.exception("telegram update %s failed %s times: skipped", update_id, failures)
        self._failures.pop(update_id, None)
        return True


class TelegramWebhook:
    """POST /telegram/webhook on the bot's web server, with setWebhook's secret_token.

    The secret header is compared in constant time before the body is even read: a
    request without it gets 401, a wrong one 403, and nothing is parsed or processed.
    """

    def __init__(self, channel: TelegramChannel, url: str, secret: str) -> None:
        self.channel = channel
        self.url = url
        self._secret = secret.encode()

    async def start(self) -> None:
        await self.channel._set_webhook(self.url, self._secret.decode())

    async def stop(self) -> None:
        # The webhook stays registered: Telegram keeps updates until we are back.
        return None

    def routes(self) -> list[BaseRoute]:
        return [Route(WEBHOOK_PATH, self.handle, methods=["POST"])]

    async def handle(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return PlainTextResponse("secret token missing", status_code=401)
        if not hmac.compare_digest(given.encode(), self._secret):
            return PlainTextResponse("secret token wrong", status_code=403)
        try:
            update = json.loads(await request.body())
        except ValueError:
            return PlainTextResponse("not JSON", status_code=400)
        if not isinstance(update, dict):
            return PlainTextResponse("not an update", status_code=400)
        try:
            await self.channel.process(update)
        except Exception:
            # Telegram delivers the update again; the chat service drops what it has done.
            log.exception("telegram update %s failed", update.get("update_id"))
            return PlainTextResponse("failed", status_code=500)
        return PlainTextResponse("ok")

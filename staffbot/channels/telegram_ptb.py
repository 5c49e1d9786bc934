"""Telegram through python-telegram-bot 22 (STAFFBOT_TELEGRAM_LIBRARY=ptb).

Only the Bot API calls and the translation of PTB's exceptions live here (and PTB's
HTTP round trips on aiohttp: telegram_ptb_request); the channel, rendering, the update
mapping and the receivers are shared (telegram_common and its siblings). PTB's AIORateLimiter is
not used: the outbox dispatcher paces, and without the limiter PTB never retries a
429 by itself (it raises RetryAfter, which the dispatcher honours).
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable
from datetime import timedelta
from typing import Any, TypeVar

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
)
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, TelegramError
from telegram.error import RetryAfter as PtbRetryAfter
from telegram.ext import Application, ApplicationBuilder

from staffbot.channels.base import FileBlob
from staffbot.channels.telegram_common import ALLOWED_UPDATES, COMMANDS, TelegramChannel
from staffbot.channels.telegram_ptb_request import AiohttpRequest
from staffbot.channels.telegram_render import Keyboard, channel_error
from staffbot.errors import ChannelError

T = TypeVar("T")


def translate(exc: TelegramError) -> ChannelError:
    """PTB's exception as the port's error (the caller raises it ``from exc``)."""
    problem = exc.message
    if isinstance(exc, PtbRetryAfter):
        return channel_error("retry_after", problem, retry_seconds(exc))
    if isinstance(exc, Forbidden):
        return channel_error("unreachable", problem)
    # BadRequest subclasses NetworkError: it must be looked at first.
    if isinstance(exc, BadRequest | ChatMigrated):
        return channel_error("bad_request", problem)
    if isinstance(exc, NetworkError) and "(413)" in problem:
        return channel_error("bad_request", problem)
    # TimedOut, NetworkError (5xx, connection), InvalidToken, Conflict: try again later.
    return channel_error("unavailable", problem)


def retry_seconds(exc: PtbRetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that retry_after becomes a timedelta; take either.
        warnings.simplefilter("ignore")
        value: Any = exc.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


def _markup(rows: Keyboard | None) -> InlineKeyboardMarkup | None:
    if rows is None:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in rows]
    )


class PtbTelegramChannel(TelegramChannel):
    library = "ptb"

    _app: Application[Any, Any, Any, Any, Any, Any] | None = None

    @property
    def app(self) -> Application[Any, Any, Any, Any, Any, Any]:
        if self._app is None:
            raise RuntimeError("the Telegram channel is not initialized")
        return self._app

    async def _api(self, call: Awaitable[T]) -> T:
        try:
            return await call
        except TelegramError as exc:
            raise translate(exc) from exc

    async def _open(self) -> str:
        api = self.config.api_url.rstrip("/")
        app = (
            ApplicationBuilder()
            .token(self.config.token)
            .base_url(f"{api}/bot")
            .base_file_url(f"{api}/file/bot")
            .job_queue(None)
            # Sends are paced to 30 a second: a dozen connections carry that even at
            # Indonesia's round trip to Telegram (about 0.3 s).
            .request(AiohttpRequest(pool_size=12, read_timeout=self.config.request_timeout))
            .get_updates_request(
                AiohttpRequest(pool_size=2, read_timeout=self.config.poll_timeout + 10)
            )
            .build()
        )
        # Only the Bot object is used: updates come from our own polling loop
        # (telegram_receivers.TelegramPolling) or the webhook, never PTB's queue.
        await self._api(app.initialize())  # getMe: checks the token
        self._app = app
        return app.bot.username or ""

    async def _close(self) -> None:
        if self._app is not None:
            app, self._app = self._app, None
            await app.shutdown()

    async def _set_commands(self) -> None:
        bot = self.app.bot
        await self._api(bot.set_my_commands([BotCommand(c, d) for c, d, _ in COMMANDS]))
        await self._api(
            bot.set_my_commands([BotCommand(c, d) for c, _, d in COMMANDS], language_code="en")
        )

    async def _send_message(self, chat_id: int, text: str, markup: Keyboard | None) -> int:
        message = await self._api(
            self.app.bot.send_message(
                chat_id, text, parse_mode="HTML", reply_markup=_markup(markup)
            )
        )
        return int(message.message_id)

    async def _send_document(self, chat_id: int, blob: FileBlob, caption: str | None) -> int:
        message = await self._api(
            self.app.bot.send_document(
                chat_id,
                InputFile(blob.data, filename=blob.filename),
                caption=caption,
                parse_mode="HTML" if caption else None,
            )
        )
        return int(message.message_id)

    async def _edit_message(
        self, chat_id: int, message_id: int, text: str, markup: Keyboard | None
    ) -> None:
        # Without reply_markup Telegram removes the inline keyboard: the buttons go.
        await self._api(
            self.app.bot.edit_message_text(
                text,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode="HTML",
                reply_markup=_markup(markup),
            )
        )

    async def _delete_message(self, chat_id: int, message_id: int) -> None:
        await self._api(self.app.bot.delete_message(chat_id, message_id))

    async def _answer_callback(self, callback_id: str, text: str, alert: bool) -> None:
        await self._api(
            self.app.bot.answer_callback_query(callback_id, text=text or None, show_alert=alert)
        )

    async def _download(self, file_id: str) -> bytes:
        file = await self._api(self.app.bot.get_file(file_id))
        return bytes(await self._api(file.download_as_bytearray()))

    async def _set_webhook(self, url: str, secret: str) -> None:
        await self._api(
            self.app.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        )

    async def _delete_webhook(self) -> None:
        await self._api(self.app.bot.delete_webhook(drop_pending_updates=False))

    async def _get_updates(self, offset: int | None, long_poll: int) -> list[dict[str, Any]]:
        updates = await self._api(
            self.app.bot.get_updates(
                offset=offset, timeout=long_poll, allowed_updates=ALLOWED_UPDATES
            )
        )
        return [update.to_dict() for update in updates]

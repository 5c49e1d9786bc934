"""Telegram through aiogram 3 (STAFFBOT_TELEGRAM_LIBRARY=aiogram).

Importing aiogram takes seconds: this module is imported only when aiogram is the
chosen library (staffbot.channels.telegram imports it on demand). aiogram has no
rate limiter and does not retry a 429 by itself: it raises TelegramRetryAfter, which
becomes the port's RetryAfter and the dispatcher waits as long as Telegram asked.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from staffbot.channels.base import FileBlob
from staffbot.channels.telegram_common import ALLOWED_UPDATES, COMMANDS, TelegramChannel
from staffbot.channels.telegram_render import Keyboard, channel_error
from staffbot.errors import ChannelError

T = TypeVar("T")


def translate(exc: TelegramAPIError) -> ChannelError:
    """aiogram's exception as the port's error (the caller raises it ``from exc``)."""
    problem = exc.message
    if isinstance(exc, TelegramRetryAfter):
        return channel_error("retry_after", problem, float(exc.retry_after))
    if isinstance(exc, TelegramForbiddenError):
        return channel_error("unreachable", problem)
    # TelegramEntityTooLarge subclasses TelegramNetworkError: a permanent refusal.
    if isinstance(
        exc, TelegramBadRequest | TelegramMigrateToChat | TelegramEntityTooLarge | TelegramNotFound
    ):
        return channel_error("bad_request", problem)
    # TelegramNetworkError (timeouts included), TelegramServerError, conflicts, tokens.
    return channel_error("unavailable", problem)


def _markup(rows: Keyboard | None) -> InlineKeyboardMarkup | None:
    if rows is None:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=b.label, callback_data=b.data) for b in row] for row in rows
        ]
    )


class AiogramTelegramChannel(TelegramChannel):
    library = "aiogram"

    _bot: Bot | None = None

    @property
    def bot(self) -> Bot:
        if self._bot is None:
            raise RuntimeError("the Telegram channel is not initialized")
        return self._bot

    async def _api(self, call: Awaitable[T]) -> T:
        try:
            return await call
        except TelegramAPIError as exc:
            raise translate(exc) from exc

    async def _open(self) -> str:
        session = AiohttpSession(
            api=TelegramAPIServer.from_base(self.config.api_url.rstrip("/")),
            timeout=self.config.request_timeout,
        )
        bot = Bot(self.config.token, session=session)
        try:
            me = await self._api(bot.get_me())
        except ChannelError:
            await session.close()
            raise
        # Only the Bot object is used: updates come from our own polling loop
        # (telegram_receivers.TelegramPolling) or the webhook, never aiogram's Dispatcher.
        self._bot = bot
        return me.username or ""

    async def _close(self) -> None:
        if self._bot is not None:
            bot, self._bot = self._bot, None
            await bot.session.close()

    async def _set_commands(self) -> None:
        await self._api(
            self.bot.set_my_commands([BotCommand(command=c, description=d) for c, d, _ in COMMANDS])
        )
        await self._api(
            self.bot.set_my_commands(
                [BotCommand(command=c, description=d) for c, _, d in COMMANDS], language_code="en"
            )
        )

    async def _send_message(self, chat_id: int, text: str, markup: Keyboard | None) -> int:
        message = await self._api(
            self.bot.send_message(chat_id, text, parse_mode="HTML", reply_markup=_markup(markup))
        )
        return message.message_id

    async def _send_document(self, chat_id: int, blob: FileBlob, caption: str | None) -> int:
        message = await self._api(
            self.bot.send_document(
                chat_id,
                BufferedInputFile(blob.data, filename=blob.filename),
                caption=caption,
                parse_mode="HTML" if caption else None,
            )
        )
        return message.message_id

    async def _edit_message(
        self, chat_id: int, message_id: int, text: str, markup: Keyboard | None
    ) -> None:
        # Without reply_markup Telegram removes the inline keyboard: the buttons go.
        await self._api(
            self.bot.edit_message_text(
                text=text,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode="HTML",
                reply_markup=_markup(markup),
            )
        )

    async def _delete_message(self, chat_id: int, message_id: int) -> None:
        await self._api(self.bot.delete_message(chat_id, message_id))

    async def _answer_callback(self, callback_id: str, text: str, alert: bool) -> None:
        await self._api(
            self.bot.answer_callback_query(callback_id, text=text or None, show_alert=alert)
        )

    async def _download(self, file_id: str) -> bytes:
        file = await self._api(self.bot.get_file(file_id))
        if file.file_path is None:
            raise channel_error("bad_request", "file has no path")
        data = await self._api(self.bot.download_file(file.file_path))
        if data is None:
            raise channel_error("bad_request", "file download returned nothing")
        return data.read()

    async def _set_webhook(self, url: str, secret: str) -> None:
        await self._api(
            self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        )

    async def _delete_webhook(self) -> None:
        await self._api(self.bot.delete_webhook(drop_pending_updates=False))

    async def _get_updates(self, offset: int | None, long_poll: int) -> list[dict[str, Any]]:
        updates = await self._api(
            self.bot.get_updates(
                offset=offset,
                timeout=long_poll,
                allowed_updates=ALLOWED_UPDATES,
                request_timeout=long_poll + 10,
            )
        )
        return [u.model_dump(mode="json", by_alias=True, exclude_none=True) for u in updates]

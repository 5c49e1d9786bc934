"""The Telegram channel, through python-telegram-bot or aiogram (STAFFBOT_TELEGRAM_LIBRARY).

``build_telegram`` is what the runner (staffbot/runner.py) calls; the library modules are
imported only here, on demand, so that aiogram (seconds to import) costs nothing when PTB is chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import quote

import httpx

from staffbot.channels.base import ChannelName, EventHandler, Pacing
from staffbot.channels.telegram_common import PACING, TelegramChannel, TelegramConfig
from staffbot.errors import ChannelUnavailable, ConfigurationError
from staffbot.settings import Settings


def config_from(settings: Settings, *, pacing: Pacing = PACING) -> TelegramConfig:
    if settings.telegram_token is None:
        raise ConfigurationError(problem="STAFFBOT_TELEGRAM_TOKEN is not set")
    return TelegramConfig(
        token=settings.telegram_token.get_secret_value(),
        api_url=settings.telegram_api_url,
        data_dir=settings.data_dir,
        webhook_url=settings.telegram_webhook_url or None,
        pacing=pacing,
    )


def make_telegram(
    library: str,
    config: TelegramConfig,
    on_event: EventHandler,
    now: Callable[[], datetime],
) -> TelegramChannel:
    """The channel on the named library (not yet initialized)."""
    if library == "aiogram":
        from staffbot.channels.telegram_aiogram import AiogramTelegramChannel

        return AiogramTelegramChannel(config, on_event, now)
    if library == "ptb":
        from staffbot.channels.telegram_ptb import PtbTelegramChannel

        return PtbTelegramChannel(config, on_event, now)
    raise ConfigurationError(problem=f"unknown Telegram library {library!r}: ptb or aiogram")


async def build_telegram(
    settings: Settings, on_event: EventHandler, now: Callable[[], datetime]
) -> TelegramChannel:
    """What the runner wires: ``await ch.initialize()``, register it, start ``ch.receiver()``.

    Telegram keeps no state of its own: dedupe and invites live in the chat service.
    """
    return make_telegram(settings.telegram_library, config_from(settings), on_event, now)


async def bot_username(settings: Settings, *, http_timeout: float = 10.0) -> str:
    """The bot's @username (getMe on STAFFBOT_TELEGRAM_API_URL), for invite links."""
    config = config_from(settings)
    url = f"{config.api_url.rstrip('/')}/bot{config.token}/getMe"
    try:
        async with httpx.AsyncClient(timeout=http_timeout) as http:
            response = await http.get(url)
            body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ChannelUnavailable(channel=ChannelName.TELEGRAM, problem="getMe failed") from exc
    if not body.get("ok") or not body.get("result", {}).get("username"):
        raise ConfigurationError(
            problem=f"Telegram getMe refused the token: {body.get('description', '?')}"
        )
    return str(body["result"]["username"])


def invite_link(username: str, code: str) -> str:
    """``https://t.me/<bot>?start=<code>``: opening it sends ``/start <code>`` to the bot."""
    return f"https://t.me/{username.lstrip('@')}?start={quote(code, safe='')}"

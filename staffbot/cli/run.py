"""`run`: the bot itself (channels, web, scheduler) until Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio
import signal

from staffbot import cli_output as out
from staffbot.cli.common import command
from staffbot.settings import Settings


@command
async def run_cmd() -> None:
    """Start channels, web and scheduler (Ctrl-C / SIGTERM stop cleanly)."""
    from staffbot.channels.base import ChannelName
    from staffbot.runner import BotApp

    settings = Settings()
    bot = BotApp(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await bot.start()
        out.ok(f"staffbot berjalan: {bot.url}  (Ctrl-C untuk berhenti)")
        # With WhatsApp off its messages go to the web page's applicant inbox: a stand-in,
        # not a channel that is on.
        channels = ", ".join(
            sorted(
                name
                for name, channel in bot.dispatcher.channels.items()
                if channel is not bot.web_channel or name == ChannelName.WEB
            )
        )
        out.console.print(
            f"kanal: {channels} · basis data: {bot.db.dialect}"
            + (" · mode demo: pilih peran di halaman web" if bot.demo else "")
        )
        if not settings.telegram_enabled:
            out.console.print("Telegram mati (STAFFBOT_TELEGRAM_TOKEN belum diisi)")
        if not settings.whatsapp_enabled:
            out.console.print(
                "WhatsApp mati (STAFFBOT_WHATSAPP_TOKEN belum diisi): pesan "
                "untuk pemohon tampil di kotak masuk pemohon halaman web"
            )
        await stop.wait()
        out.console.print("berhenti…")
    finally:
        await bot.stop()

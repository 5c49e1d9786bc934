"""The bot as `python main.py run` starts it (staffbot.runner.BotApp, settings from the
environment), for bench/latency.py, with one difference: the Telegram channel's pacing is off.

The latency figure is about the bot's own work between a press and the next card;
Telegram's flood limits (1 message a second per chat, 30 a second overall) are measured
by bench/fanout.py. Prints ``READY <url>`` once started; SIGTERM stops it cleanly.
With STAFFBOT_BENCH_PROFILE=FILE the running bot is profiled (pyinstrument) into FILE.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any


async def serve() -> None:
    import staffbot.channels.telegram as telegram
    from staffbot.channels.base import Pacing
    from staffbot.runner import BotApp
    from staffbot.settings import Settings

    configured = telegram.config_from

    def unpaced(settings: Any, *, pacing: Pacing | None = None) -> Any:
        return configured(settings, pacing=Pacing())

    telegram.config_from = unpaced  # type: ignore[assignment]
    profile_to = os.environ.get("STAFFBOT_BENCH_PROFILE")
    profiler = None
    if profile_to:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001, async_mode="disabled")
    bot = BotApp(Settings())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await bot.start()
        print(f"READY {bot.url}", flush=True)
        if profiler is not None:
            profiler.start()
        await stop.wait()
    finally:
        if profiler is not None and profiler.is_running:
            profiler.stop()
            Path(str(profile_to)).write_text(
                profiler.output_text(unicode=False, color=False, show_all=False),
                encoding="utf-8",
            )
        await bot.stop()


if __name__ == "__main__":
    asyncio.run(serve())
    sys.exit(0)

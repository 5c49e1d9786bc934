"""The polling loop confirms an update to Telegram only once it was handled: an update
whose handling fails (the database restarting) comes again, in order within its chat;
one that keeps failing is skipped after a few tries so it cannot stop the bot. Both
libraries share the loop."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from staffbot.channels.base import Answer, Incoming
from staffbot.channels.telegram_receivers import TelegramPolling
from tests.channels.support import TG_TOKEN, telegram_channel
from tests.doubles.telegram import TelegramDouble
from tests.support import Desk


@pytest.fixture
def db_url(tmp_path: Path, sqlite_template: Path) -> str:
    import shutil

    shutil.copy(sqlite_template, tmp_path / "p.db")
    return f"sqlite+aiosqlite:///{tmp_path / 'p.db'}"


@pytest.mark.parametrize("library", ["ptb", "aiogram"])
async def test_updates_are_confirmed_after_handling(
    library: str, desk: Desk, tmp_path: Path
) -> None:
    tries: Counter[str] = Counter()
    handled: list[str] = []

    async def flaky(event: Incoming) -> Answer:
        text = getattr(event, "text", "")
        tries[text] += 1
        if text == "gagal sekali" and tries[text] == 1:
            raise ConnectionError("database restarting")
        if text == "racun":
            raise ValueError("always fails")
        handled.append(text)
        return Answer()

    async with TelegramDouble(TG_TOKEN) as tg:
        channel = telegram_channel(library, tg.url, flaky, desk.office, tmp_path)
        await channel.initialize()
        polling = channel.receiver()
        assert isinstance(polling, TelegramPolling)
        polling.max_failures = 3
        try:
            ids = [
                tg.push_text(501, 501, "satu"),
                tg.push_text(501, 501, "gagal sekali"),
                tg.push_text(501, 501, "tiga"),  # waits behind its chat's failed update
                tg.push_text(502, 502, "racun"),
                tg.push_text(503, 503, "lain"),
            ]
            await polling.start()
            await tg.wait_until(lambda: all(i in tg.confirmed for i in ids), within=20)
        finally:
            await polling.stop()
            await channel.shutdown()
    # in order within a chat, the failed one again before the next; the poison skipped
    assert [t for t in handled if t in ("satu", "gagal sekali", "tiga")] == [
        "satu",
        "gagal sekali",
        "tiga",
    ]
    assert tries["gagal sekali"] == 2 and tries["racun"] == 3 and "lain" in handled
    assert tries["satu"] == 1  # confirmed with the batch that failed after it

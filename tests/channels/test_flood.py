"""Bulk work goes out at Telegram's limits, not above: 600 messages to 60 chats through
the real outbox dispatcher, against the Telegram double enforcing the limits (1 msg/s per
private chat, 20/min per group, 30/s overall). Counts are asserted, not time: the rate
is what bench/flood.py prints."""

from __future__ import annotations

from pathlib import Path

from bench.flood import flood
from storage.db import Database

GROUP = -100777


async def test_600_messages_to_60_chats_without_a_single_429(db: Database, tmp_path: Path) -> None:
    # Both libraries, one on each database: the flood takes its 20 s either way.
    library = "ptb" if db.is_sqlite else "aiogram"
    result, bursts = await flood(
        db, tmp_path, library=library, messages=600, chats=60, bursts={4242: 8, GROUP: 4}
    )
    assert result.flood_429s == 0 and result.rate_limited == 0
    assert result.delivered == 600 and result.in_order
    # Where the per-chat limits bind (a burst to one person, to a group): no 429 either.
    assert bursts[4242] == [f"Ringkasan {n}" for n in range(1, 9)]
    assert bursts[GROUP] == [f"Ringkasan {n}" for n in range(1, 5)]

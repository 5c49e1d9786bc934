"""The outbox dispatcher's pacing: a platform's flood limits, per chat and per channel."""

from __future__ import annotations

import asyncio
import time

from staffbot.channels.base import Channel


class Pacer:
    """Per-chat spacing and a per-channel token bucket, on the monotonic clock."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.ready_at: dict[str, float] = {}
        self.paused_until = 0.0
        rate = channel.pacing.global_rate
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._next_slot = 0.0
        self._lock = asyncio.Lock()

    def chat_ready(self, chat_id: str, now: float) -> bool:
        return now >= max(self.ready_at.get(chat_id, 0.0), self.paused_until)

    def wait_hint(self, chat_id: str, now: float) -> float:
        return max(self.ready_at.get(chat_id, 0.0), self.paused_until) - now

    def spaced(self, chat_id: str, now: float) -> None:
        pacing = self.channel.pacing
        gap = (
            pacing.per_group_interval
            if self.channel.is_group(chat_id)
            else pacing.per_chat_interval
        )
        if gap > 0:
            self.ready_at[chat_id] = now + gap

    async def slot(self) -> None:
        """Wait for a global send slot (token bucket with burst 1)."""
        if self._interval <= 0 and self.paused_until <= time.monotonic():
            return
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next_slot, self.paused_until)
            self._next_slot = start + self._interval
        if start > now:
            await asyncio.sleep(start - now)

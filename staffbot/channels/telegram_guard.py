"""The send-time guard: Telegram's flood limits kept by the requests themselves."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator

from staffbot.channels.base import Pacing


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

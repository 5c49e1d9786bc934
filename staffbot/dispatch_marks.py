"""What the outbox dispatcher writes back after a delivery: sent, retry later, failed.

Rows delivered at about the same time are marked sent in one transaction, which also
claims each chat's next due row (so a chat's lane goes on without waiting for the
next pass); every other outcome is one small transaction of its own.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from staffbot.channels.base import Channel, Delivery
from staffbot.clock import Clock
from storage.db import Database, retrying
from storage.tables import Outbox

log = logging.getLogger(__name__)

#: Platform message ids of rows this process delivered lately: an edit finds its card here.
_KNOWN_IDS = 4096


@dataclass
class DispatcherStats:
    delivered: Counter[str] = field(default_factory=Counter)
    retried: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    rate_limited: Counter[str] = field(default_factory=Counter)
    last_pass: float = 0.0


@dataclass
class _Ack:
    """A delivered row waiting to be marked sent; resolves to the chat's next row."""

    row: Outbox
    message_id: str | None
    channel: Channel
    delivery: Delivery
    done: asyncio.Future[Outbox | None]


class OutboxMarks:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        stats: DispatcherStats,
        *,
        owner: str | None = None,
        lease: timedelta,
        max_attempts: int,
        max_backoff: float,
    ) -> None:
        self.db = db
        self.clock = clock
        self.stats = stats
        #: The process the claims of the chats' next rows are made in the name of.
        self.owner = owner
        self.lease = lease
        self.max_attempts = max_attempts
        self.max_backoff = max_backoff
        #: Off while the dispatcher stops: marking sent then claims no further rows.
        self.claim_next = True
        self._acks: list[_Ack] = []
        self._ack_writer: asyncio.Task[None] | None = None
        self._message_ids: OrderedDict[int, str | None] = OrderedDict()

    def message_id_of(self, row_id: int) -> str | None:
        """The platform id of a row this process delivered lately (None: not known here)."""
        return self._message_ids.get(row_id)

    def sent(
        self, row: Outbox, message_id: str | None, channel: Channel, delivery: Delivery
    ) -> asyncio.Future[Outbox | None]:
        """Queue the row to be marked sent (together with the rows other lanes delivered
        meanwhile); the future gives the chat's next row, claimed in the same
        transaction, if one is due."""
        done: asyncio.Future[Outbox | None] = asyncio.get_running_loop().create_future()
        self._acks.append(_Ack(row, message_id, channel, delivery, done))
        if self._ack_writer is None or self._ack_writer.done():
            self._ack_writer = asyncio.create_task(self._write_acks(), name="outbox-acks")
        return done

    async def _write_acks(self) -> None:
        while self._acks:
            batch, self._acks = self._acks, []
            try:
                following = await retrying(lambda batch=batch: self._mark_sent(batch))  # type: ignore[misc]
            except Exception as exc:
                for ack in batch:
                    if not ack.done.done():
                        ack.done.set_exception(exc)
                continue
            for ack in batch:
                assert ack.row.id is not None
                self._message_ids[ack.row.id] = ack.message_id
                self._message_ids.move_to_end(ack.row.id)
                self.stats.delivered[ack.row.channel] += 1
                try:
                    await ack.channel.confirmed(ack.delivery)
                except Exception:
                    log.exception(
                        "channel %s: confirming row %s failed", ack.row.channel, ack.row.id
                    )
            while len(self._message_ids) > _KNOWN_IDS:
                self._message_ids.popitem(last=False)
            # The chat's next row came with the marks (claim_next); rows of other chats
            # wake the loop through their own commits, so no extra pass is needed here.
            for ack in batch:
                if not ack.done.done():
                    ack.done.set_result(following.get((ack.row.channel, ack.row.chat_id)))

    async def _mark_sent(self, batch: list[_Ack]) -> dict[tuple[str, str], Outbox]:
        now = self.clock.now()
        chats: dict[str, set[str]] = defaultdict(set)
        for ack in batch:
            chats[ack.row.channel].add(ack.row.chat_id)
        async with self.db.uow() as uow:
            await uow.outbox.mark_sent_many(
                [(ack.row.id or 0, ack.message_id) for ack in batch], at=now
            )
            following: list[Outbox] = []
            if self.claim_next:
                for channel, chat_ids in chats.items():
                    following += await uow.outbox.claim_next(
                        channel,
                        sorted(chat_ids),
                        now=now,
                        lease_until=now + self.lease,
                        owner=self.owner,
                    )
            await uow.commit()
        return {(row.channel, row.chat_id): row for row in following}

    async def reschedule(
        self, row: Outbox, at: datetime, error: str, *, count_attempt: bool
    ) -> None:
        async def write() -> None:
            async with self.db.uow() as uow:
                await uow.outbox.reschedule(
                    row.id or 0, at=at, error=error, count_attempt=count_attempt
                )
                await uow.commit()

        await retrying(write)

    async def backoff(self, row: Outbox, error: str) -> None:
        attempts = row.attempts + 1
        if attempts >= self.max_attempts:
            self.stats.failed[row.channel] += 1
            await self.fail(row, error)
            return
        self.stats.retried[row.channel] += 1
        delay = min(2.0**attempts, self.max_backoff)
        await self.reschedule(
            row, self.clock.now() + timedelta(seconds=delay), error, count_attempt=True
        )

    async def fail(self, row: Outbox, error: str) -> None:
        async def write() -> None:
            async with self.db.uow() as uow:
                await uow.outbox.mark_failed(row.id or 0, error=error)
                await uow.commit()

        await retrying(write)

    async def finish(self, row: Outbox, *, status: str, error: str) -> None:
        async def write() -> None:
            async with self.db.uow() as uow:
                await uow.outbox.set_status(row.id or 0, status, error=error)
                await uow.commit()

        await retrying(write)

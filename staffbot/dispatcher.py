"""The outbox dispatcher: delivers outbox rows through their channel, at least once.

* In order per chat: only the oldest pending row of a chat is ever handed out.
* Claimed with a lease (compare-and-set on next_attempt_at), so several bot processes
  on one database never deliver the same row at the same time, and a row claimed by a
  process that died is delivered again once its lease runs out.
* Paced per chat and per channel (the platform's flood limits); a RetryAfter pauses
  the row (and the whole channel) for as long as the platform asked.
* Transient failures back off exponentially; after the retry budget the row is
  marked failed for an admin (`outbox list --failed`, `outbox retry ID`).
* Woken at commit (no polling delay on the happy path) and swept periodically.
* A chat's rows go out in a lane: once a row is marked sent, the same transaction
  claims the chat's next due row and the lane delivers it without waiting for the next
  pass. Marks of rows delivered at about the same time share one transaction. Still
  one claimed row per chat at any time, so a crash repeats at most one message a chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from staffbot.channels.base import Channel, Delivered, Delivery, FileBlob
from staffbot.clock import Clock
from staffbot.errors import (
    BadChannelRequest,
    ChannelError,
    RecipientUnreachable,
    RetryAfter,
)
from staffbot.messages import OutgoingMessage
from storage.db import Database, retrying
from storage.tables import OUTBOX_CANCELLED, OUTBOX_PENDING, Outbox

log = logging.getLogger(__name__)

#: Loads a stored document's bytes by id (wired in main.py).
DocumentLoader = Callable[[int], Awaitable[FileBlob]]


@dataclass
class DispatcherStats:
    delivered: Counter[str] = field(default_factory=Counter)
    retried: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    rate_limited: Counter[str] = field(default_factory=Counter)
    last_pass: float = 0.0


class _Pacer:
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


@dataclass
class _Ack:
    """A delivered row waiting to be marked sent; resolves to the chat's next row."""

    row: Outbox
    message_id: str | None
    channel: Channel
    delivery: Delivery
    done: asyncio.Future[Outbox | None]


#: Platform message ids of rows this process delivered lately: an edit finds its card here.
_KNOWN_IDS = 4096
#: Which deliveries start first when a pass claims many rows at once.
_URGENCY = {"card": 0, "edit": 2, "delete": 2}


class OutboxDispatcher:
    def __init__(
        self,
        db: Database,
        channels: Mapping[str, Channel],
        *,
        clock: Clock,
        load_document: DocumentLoader | None = None,
        batch: int = 200,
        sweep_interval: float = 5.0,
        lease_seconds: float = 60.0,
        max_attempts: int = 10,
        max_backoff: float = 600.0,
        concurrency: int = 32,
    ) -> None:
        self.db = db
        self.channels = dict(channels)
        self.clock = clock
        self.load_document = load_document
        self.batch = batch
        self.sweep_interval = sweep_interval
        self.lease = timedelta(seconds=lease_seconds)
        self.max_attempts = max_attempts
        self.max_backoff = max_backoff
        self.stats = DispatcherStats()
        self._pacers = {name: _Pacer(ch) for name, ch in self.channels.items()}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._inflight: set[asyncio.Task[None]] = set()
        self._sem = asyncio.Semaphore(concurrency)
        self._acks: list[_Ack] = []
        self._ack_writer: asyncio.Task[None] | None = None
        self._message_ids: OrderedDict[int, str | None] = OrderedDict()

    # -- lifecycle --------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        if self.running:
            return
        self._stopping = False
        self.db.add_commit_listener(self.wake)
        self._task = asyncio.create_task(self._loop(), name="outbox-dispatcher")

    async def stop(self, *, drain_timeout: float = 10.0) -> None:
        """Stop taking new rows; let in-flight deliveries finish (or stay in the outbox)."""
        self._stopping = True
        self.db.remove_commit_listener(self.wake)
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._inflight:
            _, pending = await asyncio.wait(self._inflight, timeout=drain_timeout)
            for task in pending:
                task.cancel()

    def wake(self) -> None:
        """Called after a commit that wrote outbox rows (same event loop)."""
        self._wake.set()

    # -- the loop ---------------------------------------------------------------------

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                sleep_for = await self.run_once()
            except Exception:
                log.exception("outbox pass failed; retrying shortly")
                sleep_for = min(self.sweep_interval, 2.0)
            if self._stopping:
                break
            if sleep_for > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=sleep_for)
            self._wake.clear()

    async def run_once(self) -> float:
        """One pass. Returns how long to sleep before the next (0: go on at once)."""
        self.stats.last_pass = time.monotonic()
        now = self.clock.now()
        async with self.db.uow(readonly=True) as uow:
            rows = await uow.outbox.due(now, channels=list(self.channels), limit=self.batch)
        mono = time.monotonic()
        ready: list[Outbox] = []
        hint = self.sweep_interval
        for row in rows:
            pacer = self._pacers[row.channel]
            if pacer.chat_ready(row.chat_id, mono):
                ready.append(row)
            else:
                hint = min(hint, max(pacer.wait_hint(row.chat_id, mono), 0.01))
        claimed = await self._claim(ready, now)
        # New cards first, then texts, then edits of old cards: the next role's card is
        # what someone waits for. Only the order across chats changes (a chat has one
        # row claimed at a time), never the order within a chat.
        claimed.sort(key=lambda row: _URGENCY.get(row.kind, 1))
        for row in claimed:
            task = asyncio.create_task(self._lane(row))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)
        # Claimed rows are in flight: they wake the loop when done (the chat's next
        # row becomes due then), so there is nothing to wait for here.
        return 0.0 if claimed else hint

    async def _claim(self, rows: list[Outbox], now: datetime) -> list[Outbox]:
        if not rows:
            return []
        lease_until = now + self.lease

        async def claim() -> set[int]:
            async with self.db.uow() as uow:
                won = await uow.outbox.claim_many(
                    [row.id for row in rows if row.id is not None],
                    now=now,
                    lease_until=lease_until,
                )
                await uow.commit()
                return won

        won = await retrying(claim)
        return [row for row in rows if row.id in won]

    async def _lane(self, row: Outbox | None) -> None:
        """Deliver a chat's rows one after the other while they are due."""
        while row is not None:
            pacer = self._pacers[row.channel]
            wait = pacer.wait_hint(row.chat_id, time.monotonic())
            if wait > 0:
                await asyncio.sleep(wait)
            pacer.spaced(row.chat_id, time.monotonic())
            async with self._sem:
                marked = await self._deliver_guarded(row)
            try:
                row = await marked if marked is not None else None
            except Exception:
                # the row stays claimed; its lease runs out and it is delivered again
                log.exception("marking an outbox row sent failed")
                row = None

    async def _deliver_guarded(self, row: Outbox) -> asyncio.Future[Outbox | None] | None:
        """Deliver one row. Once sent, the future resolves (after the row is marked) to
        the chat's next row if one is due; None when the lane ends here."""
        try:
            return await self._deliver(row)
        except Exception:
            log.exception("delivering outbox row %s failed unexpectedly", row.id)
            await self._backoff(row, "internal error")
            return None

    async def _deliver(self, row: Outbox) -> asyncio.Future[Outbox | None] | None:
        assert row.id is not None
        channel = self.channels[row.channel]
        pacer = self._pacers[row.channel]
        delivery = await self._delivery_for(row)
        if delivery is None:
            await self._finish(row, status=OUTBOX_CANCELLED, error="edited message was never sent")
            return None
        await pacer.slot()
        try:
            result: Delivered = await channel.deliver(delivery)
        except RetryAfter as exc:
            wait = float(exc.params.get("retry_after", 1.0))
            pacer.paused_until = max(pacer.paused_until, time.monotonic() + wait)
            self.stats.rate_limited[row.channel] += 1
            await self._reschedule(
                row, self.clock.now() + timedelta(seconds=wait), str(exc), count_attempt=False
            )
        except (BadChannelRequest, RecipientUnreachable) as exc:
            if delivery.kind == "edit" and "not modified" in str(exc).lower():
                return self._sent(row, delivery.message_id, channel, delivery)
            log.warning("outbox row %s refused by %s: %s", row.id, row.channel, exc)
            self.stats.failed[row.channel] += 1
            await self._fail(row, str(exc))
        except ChannelError as exc:
            await self._backoff(row, str(exc))
        else:
            return self._sent(row, result.message_id, channel, delivery)
        return None

    async def _delivery_for(self, row: Outbox) -> Delivery | None:
        message = OutgoingMessage.from_payload(row.payload)
        if row.kind == "delete":
            return Delivery(
                chat_id=row.chat_id,
                kind="delete",
                message=message,
                message_id=str(row.payload.get("message_id")),
                idempotency_key=row.idempotency_key,
            )
        if row.kind == "edit":
            message_id = self._message_ids.get(row.ref_id) if row.ref_id else None
            if message_id is None and row.ref_id:
                async with self.db.uow(readonly=True) as uow:
                    ref = await uow.outbox.get(row.ref_id)
                message_id = ref.platform_message_id if ref is not None else None
            if message_id is None:
                return None
            return Delivery(
                chat_id=row.chat_id,
                kind="edit",
                message=message,
                message_id=message_id,
                idempotency_key=row.idempotency_key,
            )
        document = None
        if message.attachment is not None and self.load_document is not None:
            document = await self.load_document(message.attachment.document_id)
        return Delivery(
            chat_id=row.chat_id,
            kind="send",
            message=message,
            document=document,
            idempotency_key=row.idempotency_key,
        )

    # -- bookkeeping --------------------------------------------------------------------

    def _sent(
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
            if not self._stopping:
                for channel, chat_ids in chats.items():
                    following += await uow.outbox.claim_next(
                        channel, sorted(chat_ids), now=now, lease_until=now + self.lease
                    )
            await uow.commit()
        return {(row.channel, row.chat_id): row for row in following}

    async def _reschedule(
        self, row: Outbox, at: datetime, error: str, *, count_attempt: bool
    ) -> None:
        async def write() -> None:
            async with self.db.uow() as uow:
                await uow.outbox.reschedule(
                    row.id or 0, at=at, error=error, count_attempt=count_attempt
                )
                await uow.commit()

        await retrying(write)

    async def _backoff(self, row: Outbox, error: str) -> None:
        attempts = row.attempts + 1
        if attempts >= self.max_attempts:
            self.stats.failed[row.channel] += 1
            await self._fail(row, error)
            return
        self.stats.retried[row.channel] += 1
        delay = min(2.0**attempts, self.max_backoff)
        await self._reschedule(
            row, self.clock.now() + timedelta(seconds=delay), error, count_attempt=True
        )

    async def _fail(self, row: Outbox, error: str) -> None:
        async def write() -> None:
            async with self.db.uow() as uow:
                await uow.outbox.mark_failed(row.id or 0, error=error)
                await uow.commit()

        await retrying(write)

    async def _finish(self, row: Outbox, *, status: str, error: str) -> None:
        async def write() -> None:
            async with self.db.uow() as uow:
                await uow.outbox.set_status(row.id or 0, status, error=error)
                await uow.commit()

        await retrying(write)

    async def drain(self, *, timeout: float = 10.0) -> None:  # noqa: ASYNC109 (a deadline, not a cancel)
        """Deliver everything due now (tests, `outbox flush`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sleep_for = await self.run_once()
            if self._inflight:
                await asyncio.wait(
                    list(self._inflight), timeout=max(deadline - time.monotonic(), 0)
                )
                continue
            if sleep_for > 0:
                async with self.db.uow(readonly=True) as uow:
                    depth, _ = await uow.outbox.depth_due(
                        self.clock.now(), channels=list(self.channels)
                    )
                if depth == 0:
                    return
                await asyncio.sleep(min(sleep_for, 0.05))


__all__ = ["OUTBOX_PENDING", "DispatcherStats", "DocumentLoader", "OutboxDispatcher"]

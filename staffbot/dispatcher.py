"""The outbox dispatcher: delivers outbox rows through their channel, at least once.

* In order per chat: only the oldest pending row of a chat is ever handed out.
* Claimed with a lease (compare-and-set on next_attempt_at) in the name of this
  process (``claimed_by``), so several bot processes on one database never deliver the
  same row at the same time. A process that died does not hold its rows for the rest
  of the lease: the others (or itself, started again) find it dead by its heartbeat
  and take its claims back at once (staffbot.dispatch_owner); a live process's claims
  are never taken, they end with the row marked or with the lease.
* Paced per chat and per channel (the platform's flood limits); a RetryAfter pauses
  the row (and the whole channel) for as long as the platform asked.
* Transient failures back off exponentially; after the retry budget the row is
  marked failed for an admin (`outbox list --failed`, `outbox retry ID`).
* Woken at commit (no polling delay on the happy path) and swept periodically.
* A chat's rows go out in a lane: once a row is marked sent, the same transaction
  claims the chat's next due row and the lane delivers it without waiting for the next
  pass. Marks of rows delivered at about the same time share one transaction. Still
  one claimed row per chat at any time, so a crash repeats at most one message a chat.

The pacing is staffbot.dispatch_pacing; what is written back after a delivery (sent,
retry later, failed) is staffbot.dispatch_marks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from staffbot.channels.base import Channel, Delivered, Delivery, FileBlob
from staffbot.clock import Clock
from staffbot.dispatch_marks import DispatcherStats, OutboxMarks
from staffbot.dispatch_owner import ClaimKeeper
from staffbot.dispatch_pacing import Pacer
from staffbot.errors import (
    BadChannelRequest,
    ChannelError,
    RecipientUnreachable,
    RetryAfter,
)
from staffbot.messages import EDIT_SENDS_DOCUMENT, OutgoingMessage
from storage.db import Database, retrying
from storage.tables import OUTBOX_CANCELLED, OUTBOX_PENDING, Outbox

log = logging.getLogger(__name__)

#: Loads a stored document's bytes by id (wired by staffbot/runner.py).
DocumentLoader = Callable[[int], Awaitable[FileBlob]]
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
        heartbeat_seconds: float = 2.0,
        dead_after_seconds: float = 10.0,
    ) -> None:
        self.db = db
        self.channels = dict(channels)
        self.clock = clock
        self.load_document = load_document
        self.batch = batch
        self.sweep_interval = sweep_interval
        self.lease = timedelta(seconds=lease_seconds)
        self.stats = DispatcherStats()
        self.keeper = ClaimKeeper(
            db,
            clock,
            on_release=self.wake,
            beat_seconds=heartbeat_seconds,
            dead_after_seconds=dead_after_seconds,
        )
        #: The name this process's claims carry.
        self.owner = self.keeper.owner
        self.marks = OutboxMarks(
            db,
            clock,
            self.stats,
            owner=self.owner,
            lease=self.lease,
            max_attempts=max_attempts,
            max_backoff=max_backoff,
        )
        self._pacers = {name: Pacer(ch) for name, ch in self.channels.items()}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._inflight: set[asyncio.Task[None]] = set()
        self._sem = asyncio.Semaphore(concurrency)

    # -- lifecycle --------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        if self.running:
            return
        self._stopping = False
        self.marks.claim_next = True
        # Our heartbeat first; what a killed predecessor held is due again before the
        # first pass.
        await self.keeper.start()
        self.db.add_commit_listener(self.wake)
        self._task = asyncio.create_task(self._loop(), name="outbox-dispatcher")

    async def stop(self, *, drain_timeout: float = 10.0) -> None:
        """Stop taking new rows; let in-flight deliveries finish (or stay in the outbox)."""
        self._stopping = True
        self.marks.claim_next = False
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
            if pending:
                await asyncio.wait(pending, timeout=2.0)
        await self.keeper.stop()

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
                    owner=self.owner,
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
            if row.kind != "delete":
                # The per-chat limit is on messages sent: deleting the person's PIN
                # message must not hold the reply behind it for a whole interval.
                pacer.spaced(row.chat_id, time.monotonic())
            async with self._sem:
                marked = await self._deliver_guarded(row)
            if marked is None:
                # Refused, cancelled or put off: no mark claims the chat's next row, which
                # an open lease held back; look again now, not at the next sweep.
                self.wake()
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
            await self.marks.backoff(row, "internal error")
            return None

    async def _deliver(self, row: Outbox) -> asyncio.Future[Outbox | None] | None:
        assert row.id is not None
        channel = self.channels[row.channel]
        pacer = self._pacers[row.channel]
        delivery = await self._delivery_for(row)
        if delivery is None:
            await self.marks.finish(
                row, status=OUTBOX_CANCELLED, error="edited message was never sent"
            )
            return None
        await pacer.slot()
        try:
            result: Delivered = await channel.deliver(delivery)
        except RetryAfter as exc:
            wait = float(exc.params.get("retry_after", 1.0))
            pacer.paused_until = max(pacer.paused_until, time.monotonic() + wait)
            self.stats.rate_limited[row.channel] += 1
            await self.marks.reschedule(
                row, self.clock.now() + timedelta(seconds=wait), str(exc), count_attempt=False
            )
        except (BadChannelRequest, RecipientUnreachable) as exc:
            if delivery.kind == "edit" and "not modified" in str(exc).lower():
                return self.marks.sent(row, delivery.message_id, channel, delivery)
            log.warning("outbox row %s refused by %s: %s", row.id, row.channel, exc)
            self.stats.failed[row.channel] += 1
            await self.marks.fail(row, str(exc))
        except ChannelError as exc:
            await self.marks.backoff(row, str(exc))
        else:
            return self.marks.sent(row, result.message_id, channel, delivery)
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
            message_id = self.marks.message_id_of(row.ref_id) if row.ref_id else None
            if message_id is None and row.ref_id:
                async with self.db.uow(readonly=True) as uow:
                    ref = await uow.outbox.get(row.ref_id)
                message_id = ref.platform_message_id if ref is not None else None
            if message_id is None:
                return None
            new_document = None
            if row.payload.get(EDIT_SENDS_DOCUMENT) and message.attachment is not None:
                new_document = await self._document(message.attachment.document_id)
            return Delivery(
                chat_id=row.chat_id,
                kind="edit",
                message=message,
                message_id=message_id,
                document=new_document,
                idempotency_key=row.idempotency_key,
            )
        document = None
        if message.attachment is not None:
            document = await self._document(message.attachment.document_id)
        return Delivery(
            chat_id=row.chat_id,
            kind="send",
            message=message,
            document=document,
            idempotency_key=row.idempotency_key,
        )

    async def _document(self, document_id: int) -> FileBlob | None:
        if self.load_document is None:
            return None
        return await self.load_document(document_id)

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

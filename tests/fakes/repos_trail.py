"""In-memory twins of storage/repos/{audit,outbox}.py: the hash-chained audit trail,
collected and chained at commit, and the outbox with its staged rows and button tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from storage.audit_chain import chain_hash
from storage.repos.audit import AuditRepository
from storage.repos.outbox import OutboxRepository
from storage.repos.outbox_chat import REDRAW
from storage.tables import (
    OUTBOX_FAILED,
    OUTBOX_PENDING,
    AuditEvent,
    AuditHead,
    ButtonToken,
    Outbox,
)
from tests.fakes.schema import info_of
from tests.fakes.store import Tx
from tests.fakes.unfaked import NotFaked

_EVENT = info_of(AuditEvent)
_HEAD = info_of(AuditHead)
_OUTBOX = info_of(Outbox)
_TOKEN = info_of(ButtonToken)


class FakeAuditRepository(NotFaked):
    """Appends are collected and chained when the unit of work commits, as in
    storage/repos/audit.py: one head bump for the transaction's events, in order."""

    real = AuditRepository

    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self._pending: list[tuple[dict[str, Any], AuditEvent]] = []

    async def append(
        self,
        *,
        at: datetime,
        kind: str,
        actor: str,
        actor_id: int | None = None,
        on_behalf_of: str | None = None,
        case_id: int | None = None,
        ba_id: int | None = None,
        task_id: int | None = None,
        action: str | None = None,
        from_step: str | None = None,
        to_step: str | None = None,
        note: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> AuditEvent:
        fields: dict[str, Any] = {
            "at": at,
            "kind": kind,
            "case_id": case_id,
            "ba_id": ba_id,
            "task_id": task_id,
            "actor_id": actor_id,
            "actor": actor,
            "on_behalf_of": on_behalf_of,
            "action": action,
            "from_step": from_step,
            "to_step": to_step,
            "note": note,
            "data": dict(data or {}),
        }
        event = AuditEvent(seq=0, prev_hash="", hash="", **fields)
        self._pending.append((fields, event))
        return event

    async def append_many(self, events: Sequence[Mapping[str, Any]]) -> int:
        for event in events:
            await self.append(**event)
        return len(events)

    def discard(self) -> None:
        self._pending.clear()

    async def flush(self) -> int:
        events, self._pending = self._pending, []
        if not events:
            return 0
        head = self.tx.row(_HEAD, (1,))
        if head is None:
            raise RuntimeError("audit_head is missing: run `migrate`")
        first, prev_hash = int(head["seq"]) + 1, str(head["hash"])
        for offset, (given, event) in enumerate(events):
            fields = {"seq": first + offset, **given}
            digest = chain_hash(prev_hash, fields)
            self.tx.insert_row(_EVENT, {**fields, "prev_hash": prev_hash, "hash": digest})
            event.seq, event.prev_hash, event.hash = first + offset, prev_hash, digest
            prev_hash = digest
        self.tx.update(_HEAD, (1,), {"seq": first + len(events) - 1, "hash": prev_hash})
        return len(events)

    async def head(self) -> AuditHead | None:
        await self.flush()
        return self.tx.get(AuditHead, 1)

    async def for_case(self, case_id: int) -> Sequence[AuditEvent]:
        await self.flush()
        return self.tx.select(AuditEvent, lambda r: r["case_id"] == case_id)

    async def for_ba(self, ba_id: int) -> Sequence[AuditEvent]:
        await self.flush()
        return self.tx.select(AuditEvent, lambda r: r["ba_id"] == ba_id)

    async def count(self) -> int:
        await self.flush()
        return len(self.tx.rows(_EVENT))

    async def stream(self, batch: int = 2000) -> AsyncIterator[AuditEvent]:
        await self.flush()
        for event in self.tx.select(AuditEvent):
            yield event


class FakeOutboxRepository(NotFaked):
    """The writing side of the outbox (what handlers queue) and the reads tests make;
    the dispatcher's delivery methods are not faked (they are tested on databases)."""

    real = OutboxRepository

    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self._staged: list[Outbox] = []

    async def add_all(self, rows: Sequence[Outbox]) -> Sequence[Outbox]:
        await self.flush_staged()  # keep the order rows were queued in
        for row in rows:
            self.tx.add(row)
        self.tx.flush()
        return rows

    def stage(self, rows: Sequence[Outbox]) -> None:
        """Written with the rest of the transaction, at commit (or before a read); the
        staged objects get no id, as the real multi-row INSERT gives them none."""
        self._staged.extend(rows)

    async def flush_staged(self) -> int:
        rows, self._staged = self._staged, []
        for row in rows:
            values = {c: getattr(row, c) for c in _OUTBOX.columns if c != "id"}
            self.tx.insert_row(_OUTBOX, values)
        return len(rows)

    def discard(self) -> None:
        self._staged.clear()

    def stage_tokens(self, tokens: Sequence[ButtonToken]) -> None:
        for token in tokens:
            self.tx.add(token)

    async def _settle(self) -> None:
        self.tx.flush()
        await self.flush_staged()

    async def get(self, outbox_id: int) -> Outbox | None:
        await self._settle()
        return self.tx.get(Outbox, outbox_id)

    async def cards_of_task(self, task_id: int) -> Sequence[Outbox]:
        await self._settle()
        return self.tx.select(Outbox, lambda r: r["task_id"] == task_id and r["kind"] == "card")

    async def latest_of_kind(self, staff_id: int, kind: str) -> Outbox | None:
        await self._settle()
        found = self.tx.select(
            Outbox,
            lambda r: r["staff_id"] == staff_id and r["kind"] == kind,
            descending=True,
            limit=1,
        )
        return found[0] if found else None

    async def latest_edit_of(self, row_id: int) -> Outbox | None:
        await self._settle()
        found = self.tx.select(
            Outbox,
            lambda r: r["ref_id"] == row_id and r["kind"] == "edit",
            descending=True,
            limit=1,
        )
        return found[0] if found else None

    async def for_case(self, case_id: int) -> Sequence[Outbox]:
        await self._settle()
        return self.tx.select(Outbox, lambda r: r["case_id"] == case_id)

    async def for_chat(
        self, channel: str, chat_id: str, *, after_id: int = 0, limit: int = 500
    ) -> Sequence[Outbox]:
        await self._settle()
        return self.tx.select(
            Outbox,
            lambda r: r["channel"] == channel and r["chat_id"] == chat_id and r["id"] > after_id,
            limit=limit,
        )

    async def open_prompt(
        self, channel: str, chat_id: str, *, task_id: int | None = None
    ) -> Outbox | None:
        await self._settle()
        spent = {
            r.ref_id
            for r in self.tx.select(
                Outbox,
                lambda r: r["ref_id"] is not None and not r["idempotency_key"].startswith(REDRAW),
            )
        }
        found = self.tx.select(
            Outbox,
            lambda r: (
                r["channel"] == channel
                and r["chat_id"] == chat_id
                and r["kind"] == "prompt"
                and r["id"] not in spent
                and (task_id is None or r["task_id"] == task_id)
            ),
            descending=True,
            limit=1,
        )
        return found[0] if found else None

    async def listing(self, *, status: str | None = None, limit: int = 100) -> Sequence[Outbox]:
        await self._settle()
        return self.tx.select(
            Outbox, lambda r: not status or r["status"] == status, descending=True, limit=limit
        )

    async def retry(self, outbox_id: int, *, at: datetime) -> bool:
        row = self.tx.row(_OUTBOX, (outbox_id,))
        if row is None or row["status"] != OUTBOX_FAILED:
            return False
        values = {"status": OUTBOX_PENDING, "next_attempt_at": at, "attempts": 0}
        return self.tx.update(_OUTBOX, (outbox_id,), values)

    # -- button tokens ---------------------------------------------------------

    async def add_tokens(self, tokens: Sequence[ButtonToken]) -> None:
        for token in tokens:
            self.tx.add(token)
        self.tx.flush()

    async def token(self, token: str) -> ButtonToken | None:
        await self._settle()
        return self.tx.get(ButtonToken, token)

    async def use_token(self, token: str, at: datetime) -> bool:
        row = self.tx.row(_TOKEN, (token,))
        if row is None or row["used_at"] is not None:
            return False
        return self.tx.update(_TOKEN, (token,), {"used_at": at})

"""In-memory twins of storage/repos/{misc,reports}.py: counters, documents,
conversations, holidays, processed updates (reports are not faked)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from storage.repos.misc import (
    ConversationRepository,
    CounterRepository,
    DocumentRepository,
    HolidayRepository,
    ProcessedRepository,
)
from storage.repos.reports import ReportRepository
from storage.tables import (
    Conversation,
    Counter,
    Document,
    DocumentSequence,
    HolidayOverride,
    ProcessedUpdate,
)
from tests.fakes.schema import info_of
from tests.fakes.store import Tx
from tests.fakes.unfaked import NotFaked

_COUNTER = info_of(Counter)
_SEQUENCE = info_of(DocumentSequence)
_CONVERSATION = info_of(Conversation)
_HOLIDAY = info_of(HolidayOverride)
_PROCESSED = info_of(ProcessedUpdate)


class FakeCounterRepository(NotFaked):
    real = CounterRepository

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def next(self, name: str) -> int:
        """The next value of a named sequence; gap-free, one per committed call."""
        row = self.tx.row(_COUNTER, (name,))
        if row is None:
            self.tx.insert_row(_COUNTER, {"name": name, "value": 1})
            return 1
        value = int(row["value"]) + 1
        self.tx.update(_COUNTER, (name,), {"value": value})
        return value

    async def next_in_year(self, kind: str, year: int) -> int:
        """The next number of a kind of document in a year (1 for the first one of a
        year): taken once, in the transaction that makes the document."""
        row = self.tx.row(_SEQUENCE, (kind, year))
        if row is None:
            self.tx.insert_row(_SEQUENCE, {"kind": kind, "year": year, "value": 1})
            return 1
        value = int(row["value"]) + 1
        self.tx.update(_SEQUENCE, (kind, year), {"value": value})
        return value


class FakeDocumentRepository(NotFaked):
    real = DocumentRepository

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def add(self, document: Document) -> Document:
        self.tx.add(document)
        self.tx.flush()
        return document

    async def get(self, document_id: int) -> Document | None:
        return self.tx.get(Document, document_id)

    async def of_case(self, case_id: int, kind: str | None = None) -> Sequence[Document]:
        return self.tx.select(
            Document, lambda r: r["case_id"] == case_id and (not kind or r["kind"] == kind)
        )

    async def of_ba(self, ba_id: int, kind: str | None = None) -> Sequence[Document]:
        return self.tx.select(
            Document, lambda r: r["ba_id"] == ba_id and (not kind or r["kind"] == kind)
        )

    async def by_verify_code(self, code: str) -> Document | None:
        found = self.tx.select(Document, lambda r: r["verify_code"] == code, limit=1)
        return found[0] if found else None

    async def by_sha256(self, digest: str) -> Sequence[Document]:
        return self.tx.select(Document, lambda r: r["sha256"] == digest)


class FakeConversationRepository(NotFaked):
    real = ConversationRepository

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def get(self, chat_key: str) -> Conversation | None:
        return self.tx.get(Conversation, chat_key)

    async def put(
        self, chat_key: str, *, kind: str, state: dict[str, Any], staff_id: int | None, at: datetime
    ) -> None:
        row = self.tx.get(Conversation, chat_key)
        if row is None:
            self.tx.add(
                Conversation(
                    chat_key=chat_key, kind=kind, state=state, staff_id=staff_id, updated_at=at
                )
            )
        else:
            row.kind, row.state, row.staff_id, row.updated_at = kind, dict(state), staff_id, at
        self.tx.flush()

    async def delete(self, chat_key: str) -> None:
        self.tx.delete(_CONVERSATION, (chat_key,))


class FakeHolidayRepository(NotFaked):
    real = HolidayRepository

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def all(self) -> Sequence[HolidayOverride]:
        return self.tx.select(HolidayOverride)

    async def put(self, day: date, *, name: str, removed: bool, at: datetime) -> None:
        row = self.tx.get(HolidayOverride, day)
        if row is None:
            self.tx.add(HolidayOverride(day=day, name=name, removed=removed, created_at=at))
        else:
            row.name, row.removed = name, removed
        self.tx.flush()

    async def delete(self, day: date) -> bool:
        return self.tx.delete(_HOLIDAY, (day,))


class FakeProcessedRepository(NotFaked):
    real = ProcessedRepository

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def first_time(self, source: str, external_id: str, at: datetime) -> bool:
        """Record an inbound id; False if it was recorded before (a redelivery)."""
        if self.tx.row(_PROCESSED, (source, external_id)) is not None:
            return False
        self.tx.insert_row(_PROCESSED, {"source": source, "external_id": external_id, "at": at})
        return True


class FakeReportRepository(NotFaked):
    """Reports read across many tables with SQL of their own: tested on the databases."""

    real = ReportRepository

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

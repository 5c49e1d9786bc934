"""Small repositories: counters, documents, conversations, holidays, processed updates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import (
    Conversation,
    Counter,
    Document,
    DocumentSequence,
    HolidayOverride,
    ProcessedUpdate,
)


def dialect_of(session: AsyncSession) -> str:
    return session.sync_session.get_bind().dialect.name


class CounterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next(self, name: str) -> int:
        """The next value of a named sequence; gap-free, one per committed call."""
        dialect = dialect_of(self.session)
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(Counter)
            .values(name=name, value=1)
            .on_conflict_do_update(
                index_elements=[col(Counter.name)], set_={"value": Counter.value + 1}
            )
            .returning(col(Counter.value))
        )
        result = await self.session.exec(statement)
        return int(result.scalar_one())

    async def next_in_year(self, kind: str, year: int) -> int:
        """The next number of a kind of document in a year (1 for the first one of a
        year): taken once, in the transaction that makes the document."""
        dialect = dialect_of(self.session)
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(DocumentSequence)
            .values(kind=kind, year=year, value=1)
            .on_conflict_do_update(
                index_elements=[col(DocumentSequence.kind), col(DocumentSequence.year)],
                set_={"value": DocumentSequence.value + 1},
            )
            .returning(col(DocumentSequence.value))
        )
        result = await self.session.exec(statement)
        return int(result.scalar_one())


def _insert_ignore(dialect: str, table: Any, values: dict[str, Any], keys: list[Any]) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)


class DocumentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, document: Document) -> Document:
        self.session.add(document)
        await self.session.flush()
        return document

    async def get(self, document_id: int) -> Document | None:
        return await self.session.get(Document, document_id)

    async def of_case(self, case_id: int, kind: str | None = None) -> Sequence[Document]:
        statement = select(Document).where(Document.case_id == case_id)
        if kind:
            statement = statement.where(Document.kind == kind)
        return (await self.session.exec(statement.order_by(col(Document.id)))).all()

    async def of_ba(self, ba_id: int, kind: str | None = None) -> Sequence[Document]:
        statement = select(Document).where(Document.ba_id == ba_id)
        if kind:
            statement = statement.where(Document.kind == kind)
        return (await self.session.exec(statement.order_by(col(Document.id)))).all()

    async def by_verify_code(self, code: str) -> Document | None:
        statement = select(Document).where(Document.verify_code == code)
        return (await self.session.exec(statement)).first()

    async def by_sha256(self, digest: str) -> Sequence[Document]:
        statement = select(Document).where(Document.sha256 == digest)
        return (await self.session.exec(statement)).all()


class ConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, chat_key: str) -> Conversation | None:
        return await self.session.get(Conversation, chat_key)

    async def put(
        self, chat_key: str, *, kind: str, state: dict[str, Any], staff_id: int | None, at: datetime
    ) -> None:
        row = await self.session.get(Conversation, chat_key)
        if row is None:
            self.session.add(
                Conversation(
                    chat_key=chat_key, kind=kind, state=state, staff_id=staff_id, updated_at=at
                )
            )
        else:
            row.kind, row.state, row.staff_id, row.updated_at = kind, dict(state), staff_id, at
        await self.session.flush()

    async def delete(self, chat_key: str) -> None:
        await self.session.exec(delete(Conversation).where(col(Conversation.chat_key) == chat_key))


class HolidayRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self) -> Sequence[HolidayOverride]:
        return (
            await self.session.exec(select(HolidayOverride).order_by(col(HolidayOverride.day)))
        ).all()

    async def put(self, day: date, *, name: str, removed: bool, at: datetime) -> None:
        row = await self.session.get(HolidayOverride, day)
        if row is None:
            self.session.add(HolidayOverride(day=day, name=name, removed=removed, created_at=at))
        else:
            row.name, row.removed = name, removed
        await self.session.flush()

    async def delete(self, day: date) -> bool:
        row = await self.session.get(HolidayOverride, day)
        if row is None:
            return False
        await self.session.delete(row)
        await self.session.flush()
        return True


class ProcessedRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def first_time(self, source: str, external_id: str, at: datetime) -> bool:
        """Record an inbound id; False if it was recorded before (a redelivery)."""
        statement = _insert_ignore(
            dialect_of(self.session),
            ProcessedUpdate,
            {"source": source, "external_id": external_id, "at": at},
            [col(ProcessedUpdate.source), col(ProcessedUpdate.external_id)],
        )
        result = await self.session.exec(statement)
        return bool(getattr(result, "rowcount", 0) == 1)

    async def seen(self, source: str, external_ids: Sequence[str]) -> set[str]:
        """Which of these ids were recorded before (a read, for a scan that must not
        write for what it already did)."""
        if not external_ids:
            return set()
        statement = select(ProcessedUpdate.external_id).where(
            ProcessedUpdate.source == source,
            col(ProcessedUpdate.external_id).in_(list(external_ids)),
        )
        return set((await self.session.exec(statement)).all())

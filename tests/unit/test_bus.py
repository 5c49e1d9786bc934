"""The message bus: it alone opens, commits and retries units of work (on a hand-written
fake database, so these run in milliseconds)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import pytest

from staffbot.app.bus import Command, MessageBus, Process, Query, Tx, UnknownCommand


@dataclass
class FakeUow:
    db: FakeDb
    readonly: bool
    committed: bool = False

    async def __aenter__(self) -> FakeUow:
        self.db.opened.append(self)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def commit(self) -> None:
        assert not self.readonly
        self.committed = True
        self.db.log.extend(self.db.pending)
        self.db.pending.clear()


@dataclass
class FakeDb:
    opened: list[FakeUow] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)

    def uow(self, *, readonly: bool = False) -> FakeUow:
        self.pending.clear()  # a new transaction: whatever was not committed is gone
        return FakeUow(self, readonly)


@dataclass(frozen=True)
class Note(Command[int]):
    text: str


@dataclass(frozen=True)
class Count(Query[int]):
    pass


@dataclass(frozen=True)
class Flaky(Command[str]):
    failures: int


@dataclass(frozen=True)
class Twice(Process[int]):
    text: str


async def note(cmd: Note, uow: Any, office: Any) -> int:
    uow.db.pending.append(cmd.text)
    return len(uow.db.log) + len(uow.db.pending)


async def count(cmd: Count, uow: Any, office: Any) -> int:
    return len(uow.db.log)


attempts: list[int] = []


async def flaky(cmd: Flaky, uow: Any, office: Any) -> str:
    attempts.append(1)
    uow.db.pending.append("flaky")
    if len(attempts) <= cmd.failures:
        raise ConnectionError("the database went away")
    return "ok"


async def twice(cmd: Twice, bus: MessageBus) -> int:
    await bus.handle(Note(cmd.text))
    return await bus.handle(Note(cmd.text))


def make_bus(db: FakeDb) -> MessageBus:
    return MessageBus(
        db,  # type: ignore[arg-type]
        office=None,  # type: ignore[arg-type]
        handlers={Note: note, Count: count, Flaky: flaky},
        processes={Twice: twice},
    )


async def test_a_command_runs_in_one_committed_unit_of_work() -> None:
    db = FakeDb()
    assert await make_bus(db).handle(Note("a")) == 1
    assert db.log == ["a"]
    assert [(u.readonly, u.committed) for u in db.opened] == [(False, True)]


async def test_a_query_reads_only_and_is_never_committed() -> None:
    db = FakeDb(log=["x", "y"])
    assert await make_bus(db).handle(Count()) == 2
    assert [(u.readonly, u.committed) for u in db.opened] == [(True, False)]


async def test_a_transient_error_runs_the_whole_unit_again() -> None:
    attempts.clear()
    db = FakeDb()
    assert await make_bus(db).handle(Flaky(failures=2)) == "ok"
    assert len(db.opened) == 3
    assert db.log == ["flaky"]  # the failed attempts left nothing behind


async def test_a_process_runs_its_transactions_through_the_bus() -> None:
    db = FakeDb()
    assert await make_bus(db).handle(Twice("b")) == 2
    assert db.log == ["b", "b"]
    assert [u.committed for u in db.opened] == [True, True]


async def test_atomically_runs_several_commands_in_one_transaction() -> None:
    db = FakeDb()

    async def turn(tx: Tx) -> int:
        await tx.run(Note("c"))
        return await tx.run(Note("d"))

    assert await make_bus(db).atomically(turn) == 2
    assert db.log == ["c", "d"]
    assert len(db.opened) == 1


async def test_a_read_only_transaction_refuses_a_writing_command() -> None:
    db = FakeDb()

    async def turn(tx: Tx) -> int:
        return await tx.run(Note("e"))

    with pytest.raises(RuntimeError, match="writes"):
        await make_bus(db).atomically(turn, readonly=True)
    assert db.log == []


async def test_an_unknown_command_is_a_wiring_error() -> None:
    @dataclass(frozen=True)
    class Stray(Command[None]):
        pass

    with pytest.raises(UnknownCommand, match="Stray"):
        await make_bus(FakeDb()).handle(Stray())

"""The message bus: the ONLY place that opens, retries and commits a unit of work.

Every use case is a frozen command value (:class:`Command`, :class:`Query`) handled by
one function ``handle(command, uow, office) -> result``. The bus opens the unit of work
(read-only for a query), calls the handler, commits, and runs the whole attempt again
after a transient database error (a lost SQLite lock, a PostgreSQL serialization
failure or restart): a handler never opens, retries or commits anything itself, so the
transaction boundary is decided once, here.

A commit that wrote outbox rows wakes the outbox dispatcher (the database's commit
listeners), so the cards a press causes leave at once rather than at the next sweep.

Some use cases need outside work *between* transactions: an electronic signature may
take a second (BSrE) and must never run inside the write transaction, and its outcome
may be unknown. Those are a :class:`Process`: its handler receives the bus and runs
its transactions through it (prepare → outside work → apply), in one place.

An inbound adapter that must run several commands as ONE transaction (a chat turn: the
press, the conversation's state and the replies commit together, or none of them does)
asks for :meth:`MessageBus.atomically`: the bus opens the unit of work, hands the adapter
a :class:`Tx` that runs commands on it (``await tx.run(Act(...))``), commits, and retries
the whole turn after a transient error. The adapter still speaks only commands.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from staffbot.app.command import Command, Process, Query
from storage.db import Database, retrying

if TYPE_CHECKING:
    from staffbot.services.context import Office
    from storage.uow import UnitOfWork

R = TypeVar("R")


Handler = Callable[[Any, "UnitOfWork", "Office"], Awaitable[Any]]
ProcessHandler = Callable[[Any, "MessageBus"], Awaitable[Any]]


class UnknownCommand(LookupError):
    """A command type no handler was registered for (a wiring mistake, not user input)."""


class Tx:
    """One open unit of work handed to an inbound adapter by :meth:`MessageBus.atomically`:
    every command it runs joins that transaction."""

    def __init__(self, bus: MessageBus, uow: UnitOfWork) -> None:
        self._bus = bus
        self._uow = uow

    async def run(self, command: Command[R]) -> R:
        if not command.readonly and self._uow.readonly:
            raise RuntimeError(f"{type(command).__name__} writes; this transaction only reads")
        return cast(R, await self._bus.handler(command)(command, self._uow, self._bus.office))


class MessageBus:
    """Runs commands: ``result = await bus.handle(Act(...))``."""

    def __init__(
        self,
        db: Database,
        office: Office,
        handlers: Mapping[type[Command[Any]], Handler],
        processes: Mapping[type[Process[Any]], ProcessHandler],
    ) -> None:
        self.db = db
        self.office = office
        self._handlers = dict(handlers)
        self._processes = dict(processes)

    async def handle(self, command: Command[R] | Process[R]) -> R:
        if isinstance(command, Process):
            process = self._processes.get(type(command))
            if process is None:
                raise UnknownCommand(type(command).__name__)
            return cast(R, await process(command, self))
        handler = self.handler(command)
        return await retrying(lambda: self._once(handler, command))

    async def atomically(self, work: Callable[[Tx], Awaitable[R]], *, readonly: bool = False) -> R:
        """Run ``work`` (several commands) as one unit of work, committed at the end;
        the whole of it again after a transient database error."""

        async def once() -> R:
            async with self.db.uow(readonly=readonly) as uow:
                result = await work(Tx(self, uow))
                if not readonly:
                    await uow.commit()
                return result

        return await retrying(once)

    def handler(self, command: Command[Any]) -> Handler:
        handler = self._handlers.get(type(command))
        if handler is None:
            raise UnknownCommand(type(command).__name__)
        return handler

    async def _once(self, handler: Handler, command: Command[R]) -> R:
        async with self.db.uow(readonly=command.readonly) as uow:
            result = await handler(command, uow, self.office)
            if not command.readonly:
                await uow.commit()
            return cast(R, result)


__all__ = ["Command", "Handler", "MessageBus", "Process", "ProcessHandler", "Query", "Tx"]

"""The shapes of a use case's input: a command, a query, a process.

Storage-free on purpose: the command modules (and through them every inbound adapter)
import this, never the bus or anything below it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Generic, TypeVar

R = TypeVar("R")


@dataclass(frozen=True)
class Command(Generic[R]):
    """A use case's input, as a frozen value; ``R`` is what its handler returns.

    Handled in one read-write unit of work that the bus commits.
    """

    readonly: ClassVar[bool] = False


@dataclass(frozen=True)
class Query(Command[R]):
    """A use case that only reads: a read-only unit of work, never committed (on SQLite
    readers never wait for the writer)."""

    readonly: ClassVar[bool] = True


@dataclass(frozen=True)
class Process(Generic[R]):
    """A use case of several transactions with outside work between them; its handler
    gets the bus, never a unit of work."""

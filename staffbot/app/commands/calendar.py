"""The working-day calendar as the admin keeps it: holiday overrides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from staffbot.app.command import Command, Query


class Removal(Enum):
    #: A date of the holidays package is now a working day.
    SUPPRESSED = "suppressed"
    #: A date only the admin had added is gone again.
    OVERRIDE_DELETED = "override_deleted"
    #: Neither the package nor an override has that date.
    NOT_A_HOLIDAY = "not_a_holiday"


@dataclass(frozen=True)
class AddHoliday(Command[None]):
    """Make a date a holiday (a decree the holidays package does not know yet)."""

    day: date
    name: str
    by: str = "admin"


@dataclass(frozen=True)
class RemoveHoliday(Command[Removal]):
    """Make a holiday a working day again (or drop a date added by mistake)."""

    day: date
    by: str = "admin"


@dataclass(frozen=True)
class HolidayRow:
    day: date
    name: str
    #: "paket" (the holidays package), "tambahan" (added by the admin) or "dihapus"
    #: (a package date the admin made a working day).
    source: str


@dataclass(frozen=True)
class ListHolidays(Query[list[HolidayRow]]):
    year: int


@dataclass(frozen=True)
class Override:
    day: date
    name: str
    removed: bool


@dataclass(frozen=True)
class HolidayOverrides(Query[tuple[Override, ...]]):
    """The admin's overrides as stored (the calendar is rebuilt from them)."""

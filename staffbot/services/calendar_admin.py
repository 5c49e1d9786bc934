"""The working-day calendar as the admin keeps it: holiday overrides, and their reload.

``calendar add-holiday`` / ``remove-holiday`` write the HolidayOverride table (with an
audit event). A running bot picks the change up at its next escalation scan: the
scheduler calls :meth:`CalendarReloader.refresh`, which reads the (small) override
table and rebuilds ``office.calendar`` only when the overrides or the year changed.
Tasks already open keep the due time they were given; new tasks, and the rungs of the
ladders after due, use the new calendar.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from flows.calendar import WorkingCalendar
from staffbot.errors import ValidationError
from staffbot.holidays_source import national_holidays
from staffbot.services.context import Office
from storage.db import Database
from storage.tables import HolidayOverride
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

#: Builds the calendar from "now" and the overrides (main.build_calendar, with settings).
CalendarBuilder = Callable[[datetime, dict[date, str], set[date]], WorkingCalendar]


class Removal(Enum):
    #: A date of the holidays package is now a working day.
    SUPPRESSED = "suppressed"
    #: A date only the admin had added is gone again.
    OVERRIDE_DELETED = "override_deleted"
    #: Neither the package nor an override has that date.
    NOT_A_HOLIDAY = "not_a_holiday"


async def add_holiday(
    uow: UnitOfWork, office: Office, day: date, *, name: str, by: str = "admin"
) -> None:
    name = name.strip()
    if not name:
        raise ValidationError(field="holiday name", problem="empty", value=day.isoformat())
    async with uow:
        await uow.holidays.put(day, name=name, removed=False, at=office.now())
        await uow.audit.append(
            at=office.now(),
            kind="holiday_added",
            actor=by,
            data={"day": day.isoformat(), "name": name},
        )
        await uow.commit()


async def remove_holiday(
    uow: UnitOfWork, office: Office, day: date, *, by: str = "admin"
) -> Removal:
    package = national_holidays([day.year], language=office.language)
    async with uow:
        if day in package:
            await uow.holidays.put(day, name=package[day], removed=True, at=office.now())
            outcome = Removal.SUPPRESSED
        elif await uow.holidays.delete(day):
            outcome = Removal.OVERRIDE_DELETED
        else:
            return Removal.NOT_A_HOLIDAY
        await uow.audit.append(
            at=office.now(),
            kind="holiday_removed",
            actor=by,
            data={"day": day.isoformat(), "name": package.get(day), "outcome": outcome.value},
        )
        await uow.commit()
        return outcome


@dataclass(frozen=True)
class HolidayRow:
    day: date
    name: str
    #: "paket" (the holidays package), "tambahan" (added by the admin) or "dihapus"
    #: (a package date the admin made a working day).
    source: str


async def listing(uow: UnitOfWork, office: Office, year: int) -> list[HolidayRow]:
    overrides = {r.day: r for r in await uow.holidays.all() if r.day.year == year}
    package = national_holidays([year], language=office.language)
    rows = [HolidayRow(day, name, "paket") for day, name in package.items() if day not in overrides]
    for day, row in overrides.items():
        rows.append(HolidayRow(day, row.name, "dihapus" if row.removed else "tambahan"))
    return sorted(rows, key=lambda r: r.day)


def split_overrides(rows: list[HolidayOverride]) -> tuple[dict[date, str], set[date]]:
    added = {r.day: r.name for r in rows if not r.removed}
    removed = {r.day for r in rows if r.removed}
    return added, removed


class CalendarReloader:
    """Rebuilds ``office.calendar`` when the overrides (or the year) changed."""

    def __init__(self, build: CalendarBuilder) -> None:
        self._build = build
        self._seen: tuple[object, ...] | None = None

    async def refresh(self, db: Database, office: Office, now: datetime) -> bool:
        async with db.uow(readonly=True) as uow:
            rows = list(await uow.holidays.all())
        year = now.astimezone(office.tz).year
        seen = (year, *((r.day, r.name, r.removed) for r in rows))
        if seen == self._seen:
            return False
        first = self._seen is None
        added, removed = split_overrides(rows)
        office.calendars.replace(self._build(now, added, removed))
        self._seen = seen
        if not first:
            log.info("working-day calendar reloaded: %s overrides", len(rows))
        return True

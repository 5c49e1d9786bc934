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
from datetime import date, datetime
from typing import Any

from flows.calendar import WorkingCalendar
from staffbot.app.bus import Command, Handler, MessageBus
from staffbot.app.commands.calendar import (
    AddHoliday,
    HolidayOverrides,
    HolidayRow,
    ListHolidays,
    Override,
    Removal,
    RemoveHoliday,
)
from staffbot.errors import ValidationError
from staffbot.holidays_source import national_holidays
from staffbot.services.context import Office
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

#: Builds the calendar from "now" and the overrides (bootstrap.build_calendar, with settings).
CalendarBuilder = Callable[[datetime, dict[date, str], set[date]], WorkingCalendar]


async def add_holiday(cmd: AddHoliday, uow: UnitOfWork, office: Office) -> None:
    name = cmd.name.strip()
    if not name:
        raise ValidationError(field="holiday name", problem="empty", value=cmd.day.isoformat())
    await uow.holidays.put(cmd.day, name=name, removed=False, at=office.now())
    await uow.audit.append(
        at=office.now(),
        kind="holiday_added",
        actor=cmd.by,
        data={"day": cmd.day.isoformat(), "name": name},
    )


async def remove_holiday(cmd: RemoveHoliday, uow: UnitOfWork, office: Office) -> Removal:
    day = cmd.day
    package = national_holidays([day.year], language=office.language)
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
        actor=cmd.by,
        data={"day": day.isoformat(), "name": package.get(day), "outcome": outcome.value},
    )
    return outcome


async def listing(cmd: ListHolidays, uow: UnitOfWork, office: Office) -> list[HolidayRow]:
    year = cmd.year
    overrides = {r.day: r for r in await uow.holidays.all() if r.day.year == year}
    package = national_holidays([year], language=office.language)
    rows = [HolidayRow(day, name, "paket") for day, name in package.items() if day not in overrides]
    for day, row in overrides.items():
        rows.append(HolidayRow(day, row.name, "dihapus" if row.removed else "tambahan"))
    return sorted(rows, key=lambda r: r.day)


async def overrides(cmd: HolidayOverrides, uow: UnitOfWork, office: Office) -> tuple[Override, ...]:
    return tuple(Override(r.day, r.name, r.removed) for r in await uow.holidays.all())


def split_overrides(rows: tuple[Override, ...]) -> tuple[dict[date, str], set[date]]:
    added = {r.day: r.name for r in rows if not r.removed}
    removed = {r.day for r in rows if r.removed}
    return added, removed


class CalendarReloader:
    """Rebuilds ``office.calendar`` when the overrides (or the year) changed."""

    def __init__(self, build: CalendarBuilder) -> None:
        self._build = build
        self._seen: tuple[object, ...] | None = None

    async def refresh(self, bus: MessageBus, now: datetime) -> bool:
        office = bus.office
        rows = await bus.handle(HolidayOverrides())
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


HANDLERS: dict[type[Command[Any]], Handler] = {
    AddHoliday: add_holiday,
    HolidayOverrides: overrides,
    ListHolidays: listing,
    RemoveHoliday: remove_holiday,
}

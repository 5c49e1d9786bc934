"""The working-day calendar: office hours, holidays, and SLA arithmetic in working time.

The values it works with are their own modules: :mod:`flows.working_time` (a span such
as "1 hari") and :mod:`flows.office_hours` (a weekday's hours, the setting's spelling).

Pure (stdlib only); the time zone and the holiday list are handed in. In practice the
zone is Asia/Jakarta (WIB, UTC+7, no daylight saving time) and the holidays come from
``staffbot.holidays_source.national_holidays`` (national holidays, cuti bersama and the
admin's overrides).

Semantics, decided once here so that every SLA, ladder level and report agrees:

* All datetimes going in must be timezone-aware (``ValueError`` otherwise); they may be
  in any zone. Everything returned is in the calendar's zone.
* A *working day* is a weekday with office hours that is not a holiday. The office is
  open on the half-open interval ``[opens, closes)``: at exactly the closing time it is
  closed, at exactly the opening time it is open.
* A start outside office hours (before opening, at or after closing, on a weekend or a
  holiday) counts from the next opening.
* ``days`` (``"1 hari"``, the SOP's *Waktu: 1 hari*): the same wall-clock time on the
  next working day. Started 15:00 on the Friday before a holiday weekend, the step is due
  15:00 on the next working day. When that time is outside the target day's hours (begun
  16:20 on a Friday, which closes 16:30, and due on a Monday, which closes 16:00) the due
  time is clamped into the target day: its closing time (or its opening, for a day that
  opens later). N days moves N working days and keeps the *starting* time of day, so the
  clamp of one day does not leak into the next.
* ``hours`` / ``minutes``: working time consumed only inside office intervals, rolling
  over closing times, weekends and holidays. Work that ends exactly at a closing time is
  due at that closing time (not at the next opening). ``add`` applies days first, then
  hours and minutes.
* ``subtract_hours`` walks working time backwards from a due time ("2 working hours
  before due"). From a due time outside office hours it counts back from the last
  closing. Of the instants that are equally far from the due time (a closing and the
  next opening) it gives the later one, so ``subtract_hours(add(s, h), h)`` is
  ``next_opening(s)`` for an hours-only span.
* ``working_between(a, b)`` is the office time inside ``[a, b]``; zero when ``b <= a``.
  For hours-only spans ``working_between(s, add(s, span))`` equals the span.
* Working time is measured on the calendar zone's wall clock. WIB has no daylight saving
  time, so this is also elapsed time; in a zone with DST an hour that the clocks skip
  inside office hours would count as an hour of work.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from types import MappingProxyType
from typing import Final

# Re-exported: the settings, the scheduler and the command line import them from here.
from flows.office_hours import (
    DEFAULT_OFFICE_HOURS,
    OfficeHours,
    format_office_hours,
    parse_office_hours,
)
from flows.working_time import WorkingTime

__all__ = [
    "DEFAULT_OFFICE_HOURS",
    "OfficeHours",
    "WorkingCalendar",
    "WorkingTime",
    "format_office_hours",
    "parse_office_hours",
]

_ZERO: Final = timedelta(0)

_NO_HOLIDAYS: Final[Mapping[date, str]] = MappingProxyType({})


def _wall(d: date, t: time, tz: tzinfo) -> datetime:
    return datetime.combine(d, t, tzinfo=tz)


class WorkingCalendar:
    """Office hours plus holidays in one time zone; see the module notes for semantics."""

    def __init__(
        self,
        tz: tzinfo,
        office_hours: Mapping[int, OfficeHours] = DEFAULT_OFFICE_HOURS,
        holidays: Mapping[date, str] = _NO_HOLIDAYS,
    ) -> None:
        if not isinstance(tz, tzinfo):
            raise ValueError(f"a calendar needs a tzinfo, not {tz!r}")
        for weekday, hours in office_hours.items():
            if weekday not in range(7):
                raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {weekday!r}")
            if not isinstance(hours, OfficeHours):
                raise ValueError(f"office hours of weekday {weekday} must be OfficeHours")
        if not office_hours:
            # with no open weekday every search for the next opening would never end
            raise ValueError("the office must be open on at least one weekday")
        for day in holidays:
            # a datetime is a date too, but would never match a date lookup
            if isinstance(day, datetime) or not isinstance(day, date):
                raise ValueError(f"holidays are keyed by date, not {day!r}")
        self._tz = tz
        self._hours: Mapping[int, OfficeHours] = MappingProxyType(dict(office_hours))
        self._holidays: Mapping[date, str] = MappingProxyType(dict(holidays))

    @property
    def tz(self) -> tzinfo:
        return self._tz

    @property
    def holidays(self) -> Mapping[date, str]:
        return self._holidays

    @property
    def office_hours(self) -> Mapping[int, OfficeHours]:
        return self._hours

    # ---- days -------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        return d.weekday() in self._hours and d not in self._holidays

    def holiday_name(self, d: date) -> str | None:
        return self._holidays.get(d)

    def hours_on(self, d: date) -> OfficeHours | None:
        """The office hours of ``d``; ``None`` on weekends and holidays."""
        if not self.is_working_day(d):
            return None
        return self._hours[d.weekday()]

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        day = d + timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before ``d``."""
        day = d - timedelta(days=1)
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    # ---- instants ---------------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        local = self._local(at)
        hours = self.hours_on(local.date())
        return hours is not None and hours.opens <= local.time() < hours.closes

    def next_opening(self, at: datetime) -> datetime:
        """``at`` itself (in the calendar's zone) when the office is open, else the next
        opening time."""
        local = self._local(at)
        day = local.date()
        hours = self.hours_on(day)
        if hours is not None:
            if local.time() < hours.opens:
                return _wall(day, hours.opens, self._tz)
            if local.time() < hours.closes:
                return local
        day = self.next_working_day(day)
        return _wall(day, self._hours[day.weekday()].opens, self._tz)

    def _previous_closing(self, at: datetime) -> datetime:
        """``at`` itself when office time lies just before it (open after the opening
        instant, or exactly closing time), else the last closing time before it."""
        local = self._local(at)
        day = local.date()
        hours = self.hours_on(day)
        if hours is not None:
            if local.time() > hours.closes:
                return _wall(day, hours.closes, self._tz)
            if local.time() > hours.opens:
                return local
        day = self.previous_working_day(day)
        return _wall(day, self._hours[day.weekday()].closes, self._tz)

    # ---- arithmetic -------------------------------------------------------------------

    def add(self, start: datetime, span: WorkingTime) -> datetime:
        """The due time of something started at ``start`` with time limit ``span``."""
        begin = self.next_opening(start)
        if span.days:
            begin = self._add_days(begin, span.days)
        if not span.clock_part:
            # a day clamped to its closing time stays there
            return begin
        return self.add_duration(begin, span.clock_part)

    def add_duration(self, start: datetime, work: timedelta) -> datetime:
        """``start`` plus ``work`` of office time (any precision), e.g. to resume a
        paused SLA with the working time that was left."""
        if work < _ZERO:
            raise ValueError(f"working time must not be negative: {work}")
        current = self.next_opening(start)
        remaining = work
        while remaining > _ZERO:
            current = self.next_opening(current)
            closing = _wall(current.date(), self._hours[current.weekday()].closes, self._tz)
            available = closing - current
            if remaining <= available:
                return current + remaining
            remaining -= available
            current = closing
        return current

    def subtract_hours(self, due: datetime, hours: int, minutes: int = 0) -> datetime:
        """The instant ``hours``:``minutes`` of office time before ``due``."""
        work = timedelta(hours=hours, minutes=minutes)
        if work < _ZERO:
            raise ValueError(f"working time must not be negative: {work}")
        current = self._local(due)
        remaining = work
        while remaining > _ZERO:
            current = self._previous_closing(current)
            opening = _wall(current.date(), self._hours[current.weekday()].opens, self._tz)
            available = current - opening
            if remaining <= available:
                return current - remaining
            remaining -= available
            current = opening
        return current

    def working_between(self, a: datetime, b: datetime) -> timedelta:
        """Office time inside ``[a, b]`` (zero when ``b <= a``)."""
        start, end = self._local(a), self._local(b)
        if end <= start:
            return _ZERO
        total = _ZERO
        day = start.date()
        while day <= end.date():
            hours = self.hours_on(day)
            if hours is not None:
                lo = max(start, _wall(day, hours.opens, self._tz))
                hi = min(end, _wall(day, hours.closes, self._tz))
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total

    # ---- internals --------------------------------------------------------------------

    def _local(self, at: datetime) -> datetime:
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError(f"naive datetime {at.isoformat()}: give a timezone-aware one")
        return at.astimezone(self._tz)

    def _add_days(self, begin: datetime, days: int) -> datetime:
        """``days`` working days after ``begin`` (which is open), same time of day,
        clamped into the target day's hours."""
        day = begin.date()
        for _ in range(days):
            day = self.next_working_day(day)
        hours = self._hours[day.weekday()]
        clock = min(max(begin.time(), hours.opens), hours.closes)
        return _wall(day, clock, self._tz)

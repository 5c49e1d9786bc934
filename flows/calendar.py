"""The working-day calendar: office hours, holidays, and SLA arithmetic in working time.

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

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from types import MappingProxyType
from typing import Final

__all__ = [
    "DEFAULT_OFFICE_HOURS",
    "OfficeHours",
    "WorkingCalendar",
    "WorkingTime",
    "format_office_hours",
    "parse_office_hours",
]

_ZERO: Final = timedelta(0)


@dataclass(frozen=True)
class OfficeHours:
    """One weekday's opening, wall-clock times in the calendar's zone."""

    opens: time
    closes: time

    def __post_init__(self) -> None:
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("office hours are wall-clock times: give them without tzinfo")
        if not self.opens < self.closes:
            raise ValueError(f"office must open before it closes: {self.opens}-{self.closes}")


# Per-unit spellings accepted by WorkingTime.parse; Indonesian first, English too
# because the bot has an English mode and admins type both.
_UNITS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "hari": "days",
        "d": "days",
        "day": "days",
        "days": "days",
        "jam": "hours",
        "h": "hours",
        "hour": "hours",
        "hours": "hours",
        "menit": "minutes",
        "m": "minutes",
        "min": "minutes",
        "mins": "minutes",
        "minute": "minutes",
        "minutes": "minutes",
    }
)
_TERM: Final = re.compile(r"(\d+)\s*([a-z]+)(?:\s+kerja)?")
_SEPARATOR: Final = re.compile(r"(?:\s|,|\+|\bdan\b|\band\b)*")


@dataclass(frozen=True)
class WorkingTime:
    """A non-negative span of working time: an SLA or an escalation-ladder offset.

    Minutes of 60 or more are carried into hours (``WorkingTime(minutes=90)`` equals
    ``WorkingTime(hours=1, minutes=30)``). Days are never converted to hours: a working
    day is "the same time on the next working day", not a fixed number of hours.
    """

    days: int = 0
    hours: int = 0
    minutes: int = 0

    def __post_init__(self) -> None:
        for name in ("days", "hours", "minutes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"WorkingTime.{name} must be an int, not {value!r}")
            if value < 0:
                raise ValueError(f"WorkingTime.{name} must not be negative: {value}")
        if self.minutes >= 60:
            # frozen: the carry is the one write, done before anyone sees the object
            object.__setattr__(self, "hours", self.hours + self.minutes // 60)
            object.__setattr__(self, "minutes", self.minutes % 60)

    @classmethod
    def parse(cls, text: str) -> WorkingTime:
        """Read ``"1 hari"``, ``"2 jam"``, ``"30 menit"``, ``"1d"``, ``"2h"``, ``"30m"``,
        ``"1 hari 2 jam"``, ``"1d2h"``, ``"1 day, 2 hours"``, ``"2 jam kerja"``.

        Each unit may appear once; anything else raises ``ValueError``.
        """
        source = text.strip().lower()
        if not source:
            raise ValueError("empty working time")
        found: dict[str, int] = {}
        pos = 0
        while pos < len(source):
            sep = _SEPARATOR.match(source, pos)
            if sep is not None:
                pos = sep.end()
            if pos >= len(source):
                break
            term = _TERM.match(source, pos)
            if term is None:
                raise ValueError(f"cannot read working time {text!r} at {source[pos:]!r}")
            unit = _UNITS.get(term.group(2))
            if unit is None:
                raise ValueError(f"unknown unit {term.group(2)!r} in working time {text!r}")
            if unit in found:
                raise ValueError(f"{unit} given twice in working time {text!r}")
            found[unit] = int(term.group(1))
            pos = term.end()
        if not found:
            raise ValueError(f"cannot read working time {text!r}")
        return cls(**found)

    def is_zero(self) -> bool:
        return self.days == 0 and self.hours == 0 and self.minutes == 0

    @property
    def clock_part(self) -> timedelta:
        """The hours and minutes, to be consumed inside office intervals."""
        return timedelta(hours=self.hours, minutes=self.minutes)

    def __str__(self) -> str:
        parts = []
        if self.days:
            parts.append(f"{self.days} hari")
        if self.hours:
            parts.append(f"{self.hours} jam")
        if self.minutes:
            parts.append(f"{self.minutes} menit")
        return " ".join(parts) if parts else "0 menit"


_STANDARD: Final = OfficeHours(time(7, 30), time(16, 0))
DEFAULT_OFFICE_HOURS: Final[Mapping[int, OfficeHours]] = MappingProxyType(
    {
        0: _STANDARD,
        1: _STANDARD,
        2: _STANDARD,
        3: _STANDARD,
        4: OfficeHours(time(7, 30), time(16, 30)),
    }
)
"""Disdukcapil office hours, WIB, weekday 0 = Monday: Mon-Thu 07:30-16:00,
Fri 07:30-16:30, Saturday and Sunday closed."""

_NO_HOLIDAYS: Final[Mapping[date, str]] = MappingProxyType({})

# Day names for office-hours settings: Indonesian and English, full or short.
_DAYS: Final[Mapping[str, int]] = MappingProxyType(
    {
        **dict.fromkeys(("sen", "senin", "mon", "monday"), 0),
        **dict.fromkeys(("sel", "selasa", "tue", "tues", "tuesday"), 1),
        **dict.fromkeys(("rab", "rabu", "wed", "wednesday"), 2),
        **dict.fromkeys(("kam", "kamis", "thu", "thur", "thurs", "thursday"), 3),
        **dict.fromkeys(("jum", "jumat", "jum'at", "fri", "friday"), 4),
        **dict.fromkeys(("sab", "sabtu", "sat", "saturday"), 5),
        **dict.fromkeys(("min", "minggu", "ahad", "sun", "sunday"), 6),
    }
)
_SHORT_DAYS: Final = ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min")
_DAY_WORD: Final = r"[a-z']+"
_CLOCK: Final = r"\d{1,2}[:.]\d{2}"
_ENTRY: Final = re.compile(
    rf"^(?P<first>{_DAY_WORD})(?:\s*-\s*(?P<last>{_DAY_WORD}))?\s+"
    rf"(?P<opens>{_CLOCK})\s*-\s*(?P<closes>{_CLOCK})$"
)


def _day(word: str, text: str) -> int:
    weekday = _DAYS.get(word)
    if weekday is None:
        raise ValueError(f"unknown day {word!r} in office hours {text!r}")
    return weekday


def _clock(value: str, text: str) -> time:
    hours, minutes = (int(part) for part in re.split(r"[:.]", value))
    if hours > 23 or minutes > 59:
        raise ValueError(f"bad time {value!r} in office hours {text!r}")
    return time(hours, minutes)


def parse_office_hours(text: str) -> dict[int, OfficeHours]:
    """Read office hours per weekday (0 = Monday) from a setting.

    Entries are separated by ``,`` or ``;``; each is a day or a range of days and a time
    range, in Indonesian or English: ``"Mon-Thu 07:30-16:00, Fri 07:30-16:30"``,
    ``"Sen-Kam 07.30-16.00; Jum 07.30-16.30"``. Ranges do not wrap past Sunday. A day
    given twice, an unknown word or an empty text raises ``ValueError``; days not named
    are closed.
    """
    hours: dict[int, OfficeHours] = {}
    entries = [part.strip().lower() for part in re.split(r"[,;]", text)]
    for entry in entries:
        if not entry:
            continue
        found = _ENTRY.match(re.sub(r"\s+", " ", entry))
        if found is None:
            raise ValueError(f"cannot read office hours {entry!r} (e.g. 'Mon-Thu 07:30-16:00')")
        first = _day(found["first"], text)
        last = _day(found["last"], text) if found["last"] else first
        if last < first:
            raise ValueError(f"day range {entry!r} runs backwards (ranges stop at Sunday)")
        span = OfficeHours(_clock(found["opens"], text), _clock(found["closes"], text))
        for weekday in range(first, last + 1):
            if weekday in hours:
                raise ValueError(f"{_SHORT_DAYS[weekday]} given twice in office hours {text!r}")
            hours[weekday] = span
    if not hours:
        raise ValueError("office hours name no day: the office must open on some weekday")
    return dict(sorted(hours.items()))


def format_office_hours(hours: Mapping[int, OfficeHours]) -> str:
    """The Indonesian spelling of office hours, runs of equal days joined:
    ``"Sen-Kam 07.30-16.00, Jum 07.30-16.30"``."""
    runs: list[tuple[int, int, OfficeHours]] = []
    for weekday in sorted(hours):
        span = hours[weekday]
        if runs and runs[-1][1] == weekday - 1 and runs[-1][2] == span:
            runs[-1] = (runs[-1][0], weekday, span)
        else:
            runs.append((weekday, weekday, span))
    parts = []
    for first, last, span in runs:
        days = _SHORT_DAYS[first] + (f"-{_SHORT_DAYS[last]}" if last != first else "")
        parts.append(f"{days} {span.opens:%H.%M}-{span.closes:%H.%M}")
    return ", ".join(parts)


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

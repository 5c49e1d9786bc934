"""Office hours per weekday: the value, the default, and the setting's spelling.

Pure (stdlib only). ``STAFFBOT_OFFICE_HOURS`` is read with :func:`parse_office_hours`
and shown back with :func:`format_office_hours`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from types import MappingProxyType
from typing import Final

__all__ = ["DEFAULT_OFFICE_HOURS", "OfficeHours", "format_office_hours", "parse_office_hours"]


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

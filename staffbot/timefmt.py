"""Times as people read them: office time, Indonesian day and month names, the zone's name.

The one place that spells months, weekdays and time zones: chat cards, web pages and
documents all use it. Stdlib only, so the documents' worker processes can import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from types import MappingProxyType
from typing import Final

__all__ = [
    "day_name",
    "long_date",
    "long_time",
    "month_name",
    "short_time",
    "zone_abbreviation",
]

_MONTHS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "id": (
            "Januari",
            "Februari",
            "Maret",
            "April",
            "Mei",
            "Juni",
            "Juli",
            "Agustus",
            "September",
            "Oktober",
            "November",
            "Desember",
        ),
        "en": (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
    }
)
_DAYS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
        "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    }
)

#: Indonesia's three zones by their tz database names (Asia/Ujung_Pandang is the old
#: name of Makassar). The tz database's own abbreviations are not used: they are not
#: these everywhere, and other zones would print whatever the database says.
_INDONESIAN_ZONES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "Asia/Jakarta": "WIB",
        "Asia/Pontianak": "WIB",
        "Asia/Makassar": "WITA",
        "Asia/Ujung_Pandang": "WITA",
        "Asia/Jayapura": "WIT",
    }
)


def month_name(month: int, lang: str = "id") -> str:
    """``month_name(11) == "November"``; an unknown language gets Indonesian."""
    return _MONTHS.get(lang, _MONTHS["id"])[month - 1]


def day_name(weekday: int, lang: str = "id") -> str:
    """``day_name(0) == "Senin"`` (0 = Monday, as ``date.weekday()``)."""
    return _DAYS.get(lang, _DAYS["id"])[weekday]


def zone_abbreviation(at: datetime) -> str:
    """The name of the zone ``at`` is in, as Indonesians write it after a time: WIB,
    WITA or WIT for the country's zones, else the UTC offset at that instant
    (``UTC+7``, ``UTC+5:30``, ``UTC-3``). A naive datetime raises ``ValueError``."""
    offset = at.utcoffset()
    if offset is None:
        raise ValueError("naive datetime: pass an aware datetime")
    name = _INDONESIAN_ZONES.get(str(getattr(at.tzinfo, "key", "")))
    if name is not None:
        return name
    minutes = round(offset.total_seconds() / 60)
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'-' if minutes < 0 else '+'}{hours}" + (f":{rest:02d}" if rest else "")


def long_time(at: datetime, tz: tzinfo, lang: str = "id") -> str:
    """'Kamis, 26 November 2026 10:15 WIB'."""
    local = at.astimezone(tz)
    return (
        f"{day_name(local.weekday(), lang)}, {local.day} {month_name(local.month, lang)} "
        f"{local.year} {local:%H:%M} {zone_abbreviation(local)}"
    )


def short_time(at: datetime, tz: tzinfo, now: datetime, lang: str = "id") -> str:
    """'14:05' today, '26 Nov 14:05' on another day of this year, else with the year."""
    local, today = at.astimezone(tz), now.astimezone(tz)
    if local.date() == today.date():
        return f"{local:%H:%M}"
    month = month_name(local.month, lang)[:3]
    if local.year == today.year:
        return f"{local.day} {month} {local:%H:%M}"
    return f"{local.day} {month} {local.year} {local:%H:%M}"


def long_date(at: datetime, tz: tzinfo, lang: str = "id") -> str:
    local = at.astimezone(tz)
    return f"{local.day} {month_name(local.month, lang)} {local.year}"

"""A span of working time: an SLA or an escalation-ladder offset ("1 hari", "2 jam").

Pure (stdlib only). How a span is added to an instant is the calendar's business
(:mod:`flows.calendar`); here is only the value and how a flow file spells it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from types import MappingProxyType
from typing import Final

__all__ = ["WorkingTime"]

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

"""Indonesian national holidays and cuti bersama for the working-day calendar.

The ``holidays`` package knows the national holidays (category ``public``) and the cuti
bersama of the joint ministerial decree (category ``government``); holidays 0.109 has
cuti bersama for 2018-2027 only. The government decrees next year's cuti bersama each
autumn and sometimes moves a date, so the admin keeps an override table
(``calendar add-holiday`` / ``calendar remove-holiday``) that this module merges in:
removed dates are dropped from the package's list, added dates are put in (and win over
both the package and a removal of the same date).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Final

import holidays

from staffbot.errors import ConfigurationError, ValidationError

__all__ = ["missing_cuti_bersama", "national_holidays"]

_COUNTRY: Final = "ID"
_CATEGORIES: Final = ("public", "government")
# STAFFBOT_LANGUAGE says "en"; the package calls its English "en_US"
_LANGUAGE_ALIASES: Final[Mapping[str, str]] = MappingProxyType({"en": "en_US"})
_NOTHING: Final[Mapping[date, str]] = MappingProxyType({})


def national_holidays(
    years: Iterable[int],
    *,
    added: Mapping[date, str] = _NOTHING,
    removed: Iterable[date] = (),
    language: str = "id",
) -> dict[date, str]:
    """Holidays and cuti bersama of ``years`` with the admin's overrides, date -> name.

    Names are in Indonesian by default (``language="en"`` for English). Added dates are
    kept even outside ``years``. Two holidays on one day come as one name joined by
    ``"; "`` (the package's way).
    """
    wanted = sorted(set(years))
    for year in wanted:
        if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
            raise ValidationError(field="years", value=year)
    extra = dict(added)
    dropped = set(removed)
    for day in (*extra, *dropped):
        if isinstance(day, datetime) or not isinstance(day, date):
            raise ValidationError(field="holiday date", value=day)
    for day, name in extra.items():
        if not name.strip():
            raise ValidationError(field="holiday name", value=day.isoformat())

    result: dict[date, str] = {}
    if wanted:
        result.update(_from_package(wanted, language))
    for day in dropped:
        result.pop(day, None)
    for day, name in extra.items():
        result[day] = name.strip()
    return dict(sorted(result.items()))


def missing_cuti_bersama(years: Iterable[int]) -> list[int]:
    """The years for which the package knows no cuti bersama: the admin should enter
    that year's decree as overrides (for the CLI and the start-up log to warn about)."""
    wanted = sorted(set(years))
    if not wanted:
        return []
    decreed = holidays.country_holidays(_COUNTRY, years=wanted, categories=("government",))
    known = {day.year for day in decreed}
    return [year for year in wanted if year not in known]


def _from_package(years: list[int], language: str) -> dict[date, str]:
    code = _LANGUAGE_ALIASES.get(language, language)
    # without an explicit language holidays 0.109 names ID holidays in English
    table = holidays.country_holidays(_COUNTRY, years=years, categories=_CATEGORIES, language=code)
    # an unsupported language falls back to English silently: refuse it instead
    if code not in table.supported_languages:
        raise ConfigurationError(
            problem=f"holiday names: language {language!r} not in {table.supported_languages}"
        )
    # the package's object is a dict that grows when asked about other years: copy it
    return {day: str(name) for day, name in table.items()}

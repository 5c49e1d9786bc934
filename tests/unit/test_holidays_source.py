"""National holidays and cuti bersama from the `holidays` package, with overrides."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from flows.calendar import WorkingCalendar
from flows.working_time import WorkingTime
from staffbot.errors import ConfigurationError, ValidationError
from staffbot.holidays_source import missing_cuti_bersama, national_holidays

WIB = ZoneInfo("Asia/Jakarta")
ONE_DAY = WorkingTime(days=1)

# What holidays 0.109 gives for 2026 (the SKB 3 Menteri's cuti bersama), checked by hand
CUTI_BERSAMA_2026 = {
    date(2026, 2, 16): "Cuti Bersama Tahun Baru Imlek",
    date(2026, 3, 18): "Cuti Bersama Hari Suci Nyepi",
    date(2026, 3, 20): "Cuti Bersama Hari Raya Idul Fitri",
    date(2026, 3, 23): "Cuti Bersama Hari Raya Idul Fitri",
    date(2026, 3, 24): "Cuti Bersama Hari Raya Idul Fitri",
    date(2026, 5, 15): "Cuti Bersama Kenaikan Yesus Kristus",
    date(2026, 5, 28): "Cuti Bersama Hari Raya Idul Adha",
    date(2026, 12, 24): "Cuti Bersama Hari Raya Natal",
}


@pytest.fixture(scope="module")
def y2026() -> dict[date, str]:
    return national_holidays([2026])


def wib(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=WIB)


def test_cuti_bersama_2026_come_from_the_package(y2026: dict[date, str]) -> None:
    cuti = {day: name for day, name in y2026.items() if name.startswith("Cuti Bersama")}
    assert cuti == CUTI_BERSAMA_2026
    assert all(day.weekday() < 5 for day in cuti)


def test_names_are_indonesian(y2026: dict[date, str]) -> None:
    assert y2026[date(2026, 8, 17)] == "Hari Kemerdekaan Republik Indonesia"
    assert y2026[date(2026, 1, 1)] == "Tahun Baru Masehi"
    assert y2026[date(2026, 6, 1)] == "Hari Lahir Pancasila"
    assert len(y2026) == 25
    assert all(day.year == 2026 for day in y2026)


def test_english_names_on_request() -> None:
    english = national_holidays([2026], language="en")
    assert english[date(2026, 8, 17)] == "Independence Day"
    assert english[date(2026, 12, 24)] == "Christmas Joint Holiday"


def test_unknown_language_is_refused_not_silently_english() -> None:
    with pytest.raises(ConfigurationError):
        national_holidays([2026], language="jv")


def test_an_added_override_makes_a_day_off() -> None:
    decreed = {date(2026, 7, 13): "Cuti Bersama (SKB tambahan)"}
    days = national_holidays([2026], added=decreed)
    assert days[date(2026, 7, 13)] == "Cuti Bersama (SKB tambahan)"
    cal = WorkingCalendar(WIB, holidays=days)
    # a step started on Friday 15:00 before the added Monday is due Tuesday 15:00
    assert cal.add(wib(2026, 7, 10, 15), ONE_DAY) == wib(2026, 7, 14, 15)


def test_added_wins_and_removed_is_dropped(y2026: dict[date, str]) -> None:
    days = national_holidays(
        [2026],
        added={date(2026, 8, 17): "HUT RI ke-81", date(2026, 5, 28): "Idul Adha (geser)"},
        removed=[date(2026, 12, 24), date(2026, 5, 28), date(2026, 7, 1)],
    )
    assert days[date(2026, 8, 17)] == "HUT RI ke-81"
    assert days[date(2026, 5, 28)] == "Idul Adha (geser)"
    assert date(2026, 12, 24) not in days
    assert set(days) == set(y2026) - {date(2026, 12, 24)}
    cal = WorkingCalendar(WIB, holidays=days)
    assert cal.is_working_day(date(2026, 12, 24))
    assert cal.add(wib(2026, 12, 23, 15), ONE_DAY) == wib(2026, 12, 24, 15)


def test_overrides_beyond_the_package() -> None:
    # the package has no cuti bersama after 2027: the admin enters the decree
    assert missing_cuti_bersama([2026, 2027, 2028]) == [2028]
    assert missing_cuti_bersama([]) == []
    days = national_holidays([2028], added={date(2028, 1, 31): "Cuti Bersama Imlek"})
    assert days[date(2028, 1, 31)] == "Cuti Bersama Imlek"
    assert national_holidays([], added={date(2030, 1, 2): " Libur "}) == {date(2030, 1, 2): "Libur"}


def test_bad_overrides_are_refused() -> None:
    with pytest.raises(ValidationError):
        national_holidays([2026], added={datetime(2026, 7, 13, tzinfo=WIB): "x"})
    with pytest.raises(ValidationError):
        national_holidays([2026], added={date(2026, 7, 13): "  "})
    with pytest.raises(ValidationError):
        national_holidays([2026], removed=[datetime(2026, 7, 13, tzinfo=WIB)])
    with pytest.raises(ValidationError):
        national_holidays([0])


@pytest.mark.parametrize(
    ("start", "due"),
    [
        # Friday before Waisak (Sun) + Hari Lahir Pancasila (Mon)
        (wib(2026, 5, 29, 15), wib(2026, 6, 2, 15)),
        # Wednesday before Kenaikan + its cuti bersama: Monday
        (wib(2026, 5, 13, 15), wib(2026, 5, 18, 15)),
        # Tuesday before Nyepi and Idul Fitri with their cuti bersama: the next Wednesday
        (wib(2026, 3, 17, 15), wib(2026, 3, 25, 15)),
        # Wednesday before Christmas Eve cuti bersama and Christmas: Monday
        (wib(2026, 12, 23, 15), wib(2026, 12, 28, 15)),
    ],
)
def test_real_2026_calendar(y2026: dict[date, str], start: datetime, due: datetime) -> None:
    cal = WorkingCalendar(WIB, holidays=y2026)
    assert cal.add(start, ONE_DAY) == due

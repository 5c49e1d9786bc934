"""Times as people read them: one spelling of months, days and the zone's name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from staffbot.timefmt import day_name, long_time, month_name, short_time, zone_abbreviation

AT = datetime(2026, 11, 26, 3, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "name"),
    [
        ("Asia/Jakarta", "WIB"),
        ("Asia/Pontianak", "WIB"),
        ("Asia/Makassar", "WITA"),
        ("Asia/Jayapura", "WIT"),
        ("Asia/Kolkata", "UTC+5:30"),
        ("Europe/Berlin", "UTC+1"),  # winter: the offset of that instant
        ("America/Sao_Paulo", "UTC-3"),
        ("UTC", "UTC+0"),
    ],
)
def test_zone_abbreviation(zone: str, name: str) -> None:
    assert zone_abbreviation(AT.astimezone(ZoneInfo(zone))) == name


def test_zone_abbreviation_follows_daylight_saving_and_refuses_naive_times() -> None:
    summer = datetime(2026, 7, 1, 12, tzinfo=ZoneInfo("Europe/Berlin"))
    assert zone_abbreviation(summer) == "UTC+2"
    # a fixed offset has no zone name, whatever it calls itself
    assert zone_abbreviation(AT.astimezone(timezone(timedelta(hours=7), "WIB"))) == "UTC+7"
    with pytest.raises(ValueError):
        zone_abbreviation(datetime(2026, 11, 26, 10))  # noqa: DTZ001 (the point)


def test_long_time_names_the_office_zone() -> None:
    assert long_time(AT, ZoneInfo("Asia/Jakarta")) == "Kamis, 26 November 2026 10:15 WIB"
    assert long_time(AT, ZoneInfo("Asia/Makassar"), "en") == (
        "Thursday, 26 November 2026 11:15 WITA"
    )


def test_month_and_day_names() -> None:
    assert [month_name(m) for m in (1, 5, 8, 12)] == ["Januari", "Mei", "Agustus", "Desember"]
    assert month_name(5, "en") == "May"
    assert month_name(5, "fr") == "Mei"  # an unknown language gets Indonesian
    assert day_name(4) == "Jumat" and day_name(6, "en") == "Sunday"
    jakarta = ZoneInfo("Asia/Jakarta")
    assert short_time(AT, jakarta, AT + timedelta(days=3)) == "26 Nov 10:15"
    assert short_time(AT, jakarta, AT + timedelta(days=400)) == "26 Nov 2026 10:15"

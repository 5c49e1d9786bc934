"""parse_office_hours / format_office_hours: the STAFFBOT_OFFICE_HOURS setting."""

from __future__ import annotations

from datetime import time

import pytest

from flows.calendar import (
    DEFAULT_OFFICE_HOURS,
    OfficeHours,
    format_office_hours,
    parse_office_hours,
)


@pytest.mark.parametrize(
    "text",
    [
        "Mon-Thu 07:30-16:00, Fri 07:30-16:30",
        "Sen-Kam 07.30-16.00; Jum 07.30-16.30",
        "senin-kamis 7:30-16:00 , jumat 7.30 - 16.30",
        "monday-thursday 07:30-16:00;friday 07:30-16:30;",
    ],
)
def test_the_default_hours_in_every_spelling(text: str) -> None:
    assert parse_office_hours(text) == dict(DEFAULT_OFFICE_HOURS)


def test_a_saturday_morning_and_the_indonesian_spelling_back() -> None:
    hours = parse_office_hours("Sen-Jum 08:00-15:00, Sabtu 08:00-12:00")
    assert hours[5] == OfficeHours(time(8), time(12)) and 6 not in hours
    assert format_office_hours(hours) == "Sen-Jum 08.00-15.00, Sab 08.00-12.00"
    assert format_office_hours(DEFAULT_OFFICE_HOURS) == "Sen-Kam 07.30-16.00, Jum 07.30-16.30"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "name no day"),
        ("Senin pagi", "cannot read"),
        ("Jum-Sen 07:30-16:00", "backwards"),
        ("Mon 16:00-07:30", "open before it closes"),
        ("Mon 07:30-16:00, Senin 08:00-12:00", "twice"),
        ("Mon 25:00-26:00", "bad time"),
        ("Funday 07:30-16:00", "unknown day"),
    ],
)
def test_mistakes_are_refused(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_office_hours(text)

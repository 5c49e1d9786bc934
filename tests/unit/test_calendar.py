"""The working-day calendar: SLA due times, office-hours edges, WIB, properties."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.calendar import WorkingCalendar
from flows.office_hours import DEFAULT_OFFICE_HOURS, OfficeHours
from flows.working_time import WorkingTime

WIB = ZoneInfo("Asia/Jakarta")

# A hand-written slice of 2026 (the package's real list is tested in
# test_holidays_source.py): the Nyepi/Idul Fitri cluster, Kenaikan, Idul Adha,
# Waisak + Pancasila, Independence Day, Christmas.
HOLIDAYS_2026 = {
    date(2026, 3, 18): "Cuti Bersama Hari Suci Nyepi",
    date(2026, 3, 19): "Hari Suci Nyepi",
    date(2026, 3, 20): "Cuti Bersama Hari Raya Idul Fitri",
    date(2026, 3, 21): "Hari Raya Idul Fitri",
    date(2026, 3, 22): "Hari kedua dari Hari Raya Idul Fitri",
    date(2026, 3, 23): "Cuti Bersama Hari Raya Idul Fitri",
    date(2026, 3, 24): "Cuti Bersama Hari Raya Idul Fitri",
    date(2026, 5, 14): "Kenaikan Yesus Kristus",
    date(2026, 5, 15): "Cuti Bersama Kenaikan Yesus Kristus",
    date(2026, 5, 27): "Hari Raya Idul Adha",
    date(2026, 5, 28): "Cuti Bersama Hari Raya Idul Adha",
    date(2026, 5, 31): "Hari Raya Waisak",
    date(2026, 6, 1): "Hari Lahir Pancasila",
    date(2026, 8, 17): "Hari Kemerdekaan Republik Indonesia",
    date(2026, 12, 24): "Cuti Bersama Hari Raya Natal",
    date(2026, 12, 25): "Hari Raya Natal",
}

CAL = WorkingCalendar(WIB, holidays=HOLIDAYS_2026)
ONE_DAY = WorkingTime(days=1)
TWO_HOURS = WorkingTime(hours=2)


def wib(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=WIB)


# ---- "1 hari" -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "due"),
    [
        # Friday before Waisak (Sun) + Hari Lahir Pancasila (Mon): due Tuesday
        (wib(2026, 5, 29, 15), wib(2026, 6, 2, 15)),
        # Friday before Independence Day (Mon)
        (wib(2026, 8, 14, 15), wib(2026, 8, 18, 15)),
        # Wednesday before Kenaikan (Thu) + cuti bersama (Fri)
        (wib(2026, 5, 13, 15), wib(2026, 5, 18, 15)),
        # Tuesday before the whole Nyepi / Idul Fitri cluster
        (wib(2026, 3, 17, 15), wib(2026, 3, 25, 15)),
        # an ordinary Friday: Monday
        (wib(2026, 7, 10, 15), wib(2026, 7, 13, 15)),
    ],
)
def test_one_working_day_is_same_time_next_working_day(start: datetime, due: datetime) -> None:
    assert CAL.add(start, ONE_DAY) == due


def test_one_day_after_friday_late_afternoon_is_clamped_to_monday_closing() -> None:
    # Friday closes 16:30, Monday 16:00
    assert CAL.add(wib(2026, 7, 10, 16, 20), ONE_DAY) == wib(2026, 7, 13, 16)
    assert CAL.add(wib(2026, 5, 29, 16, 20), ONE_DAY) == wib(2026, 6, 2, 16)


def test_n_days_keep_the_starting_time_not_the_clamped_one() -> None:
    assert CAL.add(wib(2026, 7, 10, 16, 20), WorkingTime(days=5)) == wib(2026, 7, 17, 16, 20)
    assert CAL.add(wib(2026, 7, 10, 16, 20), WorkingTime(days=2)) == wib(2026, 7, 14, 16)


def test_clamp_to_a_later_opening() -> None:
    late_monday = {**DEFAULT_OFFICE_HOURS, 0: OfficeHours(time(9), time(16))}
    cal = WorkingCalendar(WIB, office_hours=late_monday)
    assert cal.add(wib(2026, 7, 10, 8), ONE_DAY) == wib(2026, 7, 13, 9)


def test_days_first_then_hours() -> None:
    # Friday 15:00 + 1 day = Monday 15:00; + 2 h = 1 h Monday, 1 h Tuesday
    span = WorkingTime.parse("1 hari 2 jam")
    assert CAL.add(wib(2026, 7, 10, 15), span) == wib(2026, 7, 14, 8, 30)
    # a day clamped to Monday's closing, then half an hour from Tuesday's opening
    late = CAL.add(wib(2026, 7, 10, 16, 20), WorkingTime(days=1, minutes=30))
    assert late == wib(2026, 7, 14, 8)


# ---- office-hours edges ----------------------------------------------------------------


def test_exactly_at_opening() -> None:
    opening = wib(2026, 7, 13, 7, 30)
    assert CAL.is_open(opening)
    assert not CAL.is_open(opening - timedelta(microseconds=1))
    assert CAL.next_opening(opening) == opening
    assert CAL.add(opening, TWO_HOURS) == wib(2026, 7, 13, 9, 30)
    assert CAL.add(opening, ONE_DAY) == wib(2026, 7, 14, 7, 30)


def test_exactly_at_closing_counts_from_next_opening() -> None:
    closing = wib(2026, 7, 13, 16)
    assert not CAL.is_open(closing)
    assert CAL.is_open(closing - timedelta(microseconds=1))
    assert CAL.next_opening(closing) == wib(2026, 7, 14, 7, 30)
    assert CAL.add(closing, TWO_HOURS) == wib(2026, 7, 14, 9, 30)
    assert CAL.add(closing, ONE_DAY) == wib(2026, 7, 15, 7, 30)


def test_one_minute_before_closing_plus_two_hours() -> None:
    assert CAL.add(wib(2026, 7, 13, 15, 59), TWO_HOURS) == wib(2026, 7, 14, 9, 29)
    # Friday closes 16:30 and the weekend is skipped
    assert CAL.add(wib(2026, 7, 10, 16, 29), TWO_HOURS) == wib(2026, 7, 13, 9, 29)
    # Friday before the Independence Day long weekend
    assert CAL.add(wib(2026, 8, 14, 16, 29), TWO_HOURS) == wib(2026, 8, 18, 9, 29)


def test_work_that_ends_at_closing_is_due_at_closing() -> None:
    monday = wib(2026, 7, 13, 7, 30)
    assert CAL.add(monday, WorkingTime(hours=8, minutes=30)) == wib(2026, 7, 13, 16)
    assert CAL.add(monday, WorkingTime(hours=8, minutes=31)) == wib(2026, 7, 14, 7, 31)


def test_friday_closes_later() -> None:
    assert CAL.is_open(wib(2026, 7, 10, 16, 15))
    assert not CAL.is_open(wib(2026, 7, 9, 16, 15))


# ---- a step started outside office hours -------------------------------------------------


@pytest.mark.parametrize(
    ("start", "plus_one_day", "plus_two_hours"),
    [
        # Saturday
        (wib(2026, 7, 11, 10), wib(2026, 7, 14, 7, 30), wib(2026, 7, 13, 9, 30)),
        # Monday 06:00, before opening
        (wib(2026, 7, 13, 6), wib(2026, 7, 14, 7, 30), wib(2026, 7, 13, 9, 30)),
        # Monday 17:00, after closing
        (wib(2026, 7, 13, 17), wib(2026, 7, 15, 7, 30), wib(2026, 7, 14, 9, 30)),
        # on a holiday (Independence Day, a Monday)
        (wib(2026, 8, 17, 10), wib(2026, 8, 19, 7, 30), wib(2026, 8, 18, 9, 30)),
        # Saturday inside the Idul Fitri cluster
        (wib(2026, 3, 21, 9), wib(2026, 3, 26, 7, 30), wib(2026, 3, 25, 9, 30)),
    ],
)
def test_start_outside_hours_counts_from_next_opening(
    start: datetime, plus_one_day: datetime, plus_two_hours: datetime
) -> None:
    assert not CAL.is_open(start)
    assert CAL.add(start, ONE_DAY) == plus_one_day
    assert CAL.add(start, TWO_HOURS) == plus_two_hours
    assert CAL.add(start, WorkingTime()) == CAL.next_opening(start)


# ---- days -------------------------------------------------------------------------------


def test_working_days_and_holiday_names() -> None:
    assert CAL.is_working_day(date(2026, 7, 13))
    assert not CAL.is_working_day(date(2026, 7, 11))  # Saturday
    assert not CAL.is_working_day(date(2026, 8, 17))
    assert CAL.holiday_name(date(2026, 8, 17)) == "Hari Kemerdekaan Republik Indonesia"
    assert CAL.holiday_name(date(2026, 7, 11)) is None
    assert CAL.hours_on(date(2026, 7, 10)) == OfficeHours(time(7, 30), time(16, 30))
    assert CAL.hours_on(date(2026, 8, 17)) is None
    assert CAL.next_working_day(date(2026, 3, 17)) == date(2026, 3, 25)
    assert CAL.next_working_day(date(2026, 12, 23)) == date(2026, 12, 28)
    assert CAL.previous_working_day(date(2026, 3, 25)) == date(2026, 3, 17)


def test_default_office_hours() -> None:
    assert DEFAULT_OFFICE_HOURS[0] == OfficeHours(time(7, 30), time(16))
    assert DEFAULT_OFFICE_HOURS[3] == OfficeHours(time(7, 30), time(16))
    assert DEFAULT_OFFICE_HOURS[4] == OfficeHours(time(7, 30), time(16, 30))
    assert set(DEFAULT_OFFICE_HOURS) == {0, 1, 2, 3, 4}


# ---- backwards and between --------------------------------------------------------------


def test_subtract_hours() -> None:
    assert CAL.subtract_hours(wib(2026, 7, 14, 9, 30), 2) == wib(2026, 7, 14, 7, 30)
    assert CAL.subtract_hours(wib(2026, 7, 14, 8, 30), 2) == wib(2026, 7, 13, 15)
    # Monday 08:00 due: half an hour Monday, 1.5 h before Friday's 16:30 closing
    assert CAL.subtract_hours(wib(2026, 7, 13, 8), 2) == wib(2026, 7, 10, 15)
    # due on a Saturday: counted back from Friday's closing
    assert CAL.subtract_hours(wib(2026, 7, 11, 12), 2) == wib(2026, 7, 10, 14, 30)
    assert CAL.subtract_hours(wib(2026, 7, 13, 16), 0, 30) == wib(2026, 7, 13, 15, 30)
    assert CAL.subtract_hours(wib(2026, 7, 11, 12), 0) == wib(2026, 7, 11, 12)


def test_working_between() -> None:
    assert CAL.working_between(wib(2026, 7, 13, 10), wib(2026, 7, 13, 9)) == timedelta(0)
    assert CAL.working_between(wib(2026, 7, 10, 15), wib(2026, 7, 13, 9)) == timedelta(hours=3)
    # across the Idul Fitri cluster: 1 h on the 17th, 1.5 h on the 25th
    assert CAL.working_between(wib(2026, 3, 17, 15), wib(2026, 3, 25, 9)) == timedelta(
        hours=2, minutes=30
    )
    # a whole ordinary week: 4 x 8.5 h + 9 h
    assert CAL.working_between(wib(2026, 7, 11), wib(2026, 7, 18)) == timedelta(hours=43)


def test_inputs_in_other_zones_come_back_in_the_calendar_zone() -> None:
    start = datetime(2026, 7, 10, 8, tzinfo=UTC)  # 15:00 WIB
    due = CAL.add(start, ONE_DAY)
    assert due == wib(2026, 7, 13, 15)
    assert due.tzinfo is WIB
    assert CAL.next_opening(datetime(2026, 7, 13, 3, tzinfo=UTC)).tzinfo is WIB


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 7, 13, 9)  # noqa: DTZ001 (the point of the test)
    aware = wib(2026, 7, 13, 9)
    calls: list[Callable[[], object]] = [
        lambda: CAL.is_open(naive),
        lambda: CAL.next_opening(naive),
        lambda: CAL.add(naive, ONE_DAY),
        lambda: CAL.add_duration(naive, timedelta(hours=1)),
        lambda: CAL.subtract_hours(naive, 2),
        lambda: CAL.working_between(naive, aware),
        lambda: CAL.working_between(aware, naive),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="naive"):
            call()


def test_bad_construction_is_refused() -> None:
    with pytest.raises(ValueError):
        OfficeHours(time(16), time(7, 30))
    with pytest.raises(ValueError):
        OfficeHours(time(7, 30, tzinfo=UTC), time(16))
    with pytest.raises(ValueError):
        WorkingCalendar(WIB, office_hours={})
    with pytest.raises(ValueError):
        WorkingCalendar(WIB, office_hours={7: OfficeHours(time(8), time(9))})
    with pytest.raises(ValueError):
        WorkingCalendar(WIB, holidays={datetime(2026, 8, 17, tzinfo=WIB): "x"})
    with pytest.raises(ValueError):
        CAL.add_duration(wib(2026, 7, 13, 9), timedelta(hours=-1))


# ---- WorkingTime ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 hari", WorkingTime(days=1)),
        ("2 jam", WorkingTime(hours=2)),
        ("30 menit", WorkingTime(minutes=30)),
        ("1d", WorkingTime(days=1)),
        ("2h", WorkingTime(hours=2)),
        ("30m", WorkingTime(minutes=30)),
        ("1 hari 2 jam", WorkingTime(days=1, hours=2)),
        ("1d2h30m", WorkingTime(days=1, hours=2, minutes=30)),
        ("1 Hari, 2 Jam dan 5 menit", WorkingTime(days=1, hours=2, minutes=5)),
        ("2 jam kerja", WorkingTime(hours=2)),
        ("1 day 4 hours", WorkingTime(days=1, hours=4)),
        ("90m", WorkingTime(hours=1, minutes=30)),
        ("0 jam", WorkingTime()),
    ],
)
def test_parse(text: str, expected: WorkingTime) -> None:
    assert WorkingTime.parse(text) == expected


@pytest.mark.parametrize("text", ["", "  ", "1", "jam", "1 minggu", "2 jam 3 jam", "-1 jam", "x1h"])
def test_parse_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        WorkingTime.parse(text)


def test_working_time_text_and_checks() -> None:
    assert str(WorkingTime(days=1, hours=2)) == "1 hari 2 jam"
    assert str(WorkingTime(minutes=30)) == "30 menit"
    assert str(WorkingTime()) == "0 menit"
    assert WorkingTime().is_zero()
    assert not ONE_DAY.is_zero()
    assert WorkingTime.parse(str(WorkingTime(days=2, hours=3, minutes=4))) == WorkingTime(
        days=2, hours=3, minutes=4
    )
    with pytest.raises(ValueError):
        WorkingTime(hours=-1)


# ---- WIB has no daylight saving time --------------------------------------------------------


def test_wib_has_no_dst_over_a_whole_year() -> None:
    fixed = WorkingCalendar(timezone(timedelta(hours=7)), holidays=HOLIDAYS_2026)
    day = date(2026, 1, 1)
    expected_year = timedelta(0)
    while day.year == 2026:
        for hour in (0, 7, 12, 23):
            moment = datetime.combine(day, time(hour), tzinfo=WIB)
            assert moment.utcoffset() == timedelta(hours=7)
            assert moment.dst() in (None, timedelta(0))
        hours = CAL.hours_on(day)
        if hours is not None:
            opening = CAL.next_opening(datetime.combine(day, time(0), tzinfo=WIB))
            assert opening.astimezone(UTC).time() == time(0, 30)
            expected_year += datetime.combine(day, hours.closes) - datetime.combine(
                day, hours.opens
            )
        start = datetime.combine(day, time(15), tzinfo=WIB)
        assert CAL.add(start, ONE_DAY) == fixed.add(start, ONE_DAY)
        assert CAL.add(start, TWO_HOURS) == fixed.add(start, TWO_HOURS)
        day += timedelta(days=1)
    year = CAL.working_between(wib(2026, 1, 1), wib(2027, 1, 1))
    assert year == expected_year
    # elapsed time equals UTC time: no hour gained or lost anywhere in the year
    assert wib(2027, 1, 1) - wib(2026, 1, 1) == timedelta(days=365)
    assert year == fixed.working_between(wib(2026, 1, 1), wib(2027, 1, 1))


# ---- properties ---------------------------------------------------------------------------

PROPS = settings(max_examples=300, deadline=None)
ZONES = st.sampled_from([WIB, UTC, timezone(timedelta(hours=-5))])
NAIVE_START = datetime(2026, 1, 1)  # noqa: DTZ001
NAIVE_END = datetime(2026, 12, 31)  # noqa: DTZ001
moments = st.datetimes(
    # hypothesis wants naive bounds and adds the zone itself
    min_value=NAIVE_START,
    max_value=NAIVE_END,
    timezones=ZONES,
)
spans = st.builds(
    WorkingTime,
    days=st.integers(0, 10),
    hours=st.integers(0, 40),
    minutes=st.integers(0, 59),
)
clock_spans = st.builds(WorkingTime, hours=st.integers(0, 60), minutes=st.integers(0, 59))


def in_office_or_at_closing(at: datetime) -> bool:
    hours = CAL.hours_on(at.date())
    return CAL.is_open(at) or (hours is not None and at.time() == hours.closes)


@PROPS
@given(a=moments, b=moments, span=spans)
def test_add_is_monotonic_in_start(a: datetime, b: datetime, span: WorkingTime) -> None:
    early, late = sorted((a, b))
    assert CAL.add(early, span) <= CAL.add(late, span)


@PROPS
@given(start=moments, a=spans, b=spans)
def test_add_is_monotonic_in_span(start: datetime, a: WorkingTime, b: WorkingTime) -> None:
    small = WorkingTime(
        days=min(a.days, b.days),
        minutes=min(a.hours * 60 + a.minutes, b.hours * 60 + b.minutes),
    )
    assert CAL.add(start, small) <= CAL.add(start, a)
    assert CAL.add(start, small) <= CAL.add(start, b)


@PROPS
@given(start=moments, span=clock_spans)
def test_working_between_inverts_add_for_hours(start: datetime, span: WorkingTime) -> None:
    assert CAL.working_between(start, CAL.add(start, span)) == span.clock_part


@PROPS
@given(start=moments, span=spans)
def test_results_are_in_office_hours_or_at_closing(start: datetime, span: WorkingTime) -> None:
    due = CAL.add(start, span)
    assert due.tzinfo is WIB
    assert due >= start
    assert in_office_or_at_closing(due)


@PROPS
@given(due=moments, hours=st.integers(0, 30), minutes=st.integers(0, 59))
def test_subtract_hours_walks_back_exactly(due: datetime, hours: int, minutes: int) -> None:
    before = CAL.subtract_hours(due, hours, minutes)
    assert before <= due
    assert CAL.working_between(before, due) == timedelta(hours=hours, minutes=minutes)
    if hours or minutes:
        assert CAL.is_open(before)


@PROPS
@given(start=moments, span=clock_spans.filter(lambda s: not s.is_zero()))
def test_subtract_undoes_add(start: datetime, span: WorkingTime) -> None:
    due = CAL.add(start, span)
    assert CAL.subtract_hours(due, span.hours, span.minutes) == CAL.next_opening(start)


@PROPS
@given(a=moments, b=moments, c=moments)
def test_working_between_is_additive(a: datetime, b: datetime, c: datetime) -> None:
    x, y, z = sorted((a, b, c))
    assert CAL.working_between(x, z) == CAL.working_between(x, y) + CAL.working_between(y, z)


@PROPS
@given(start=moments, pause=moments)
def test_remaining_time_resumes_to_the_same_instant(start: datetime, pause: datetime) -> None:
    # pause/resume of an SLA: the office time left, added back, lands where it was, or
    # at an instant with no office time in between (a closing versus the next opening)
    due = CAL.add(start, ONE_DAY)
    if pause > due:
        return
    resumed = CAL.add_duration(pause, CAL.working_between(pause, due))
    early, late = sorted((resumed, due))
    assert CAL.working_between(early, late) == timedelta(0)
    assert in_office_or_at_closing(resumed)

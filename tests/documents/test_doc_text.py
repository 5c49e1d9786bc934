"""Numbers in words, dates, BA numbers, masking."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from staffbot.documents.errors import DocumentError
from staffbot.documents.model import mask_nik
from staffbot.documents.text import (
    format_ba_number,
    format_date,
    format_datetime,
    format_duration,
    number_words,
    terbilang,
    written_date,
)

JAKARTA = ZoneInfo("Asia/Jakarta")
UNITS = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]


def expected_below_100(n: int) -> str:
    """An independent spelling of 0..99, straight from the grammar rules."""
    if n < 10:
        return UNITS[n]
    if n == 10:
        return "sepuluh"
    if n == 11:
        return "sebelas"
    if n < 20:
        return f"{UNITS[n - 10]} belas"
    tens, ones = divmod(n, 10)
    return f"{UNITS[tens]} puluh" + (f" {UNITS[ones]}" if ones else "")


@pytest.mark.parametrize("n", range(100))
def test_terbilang_0_to_99(n: int) -> None:
    assert terbilang(n) == expected_below_100(n)


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (100, "seratus"),
        (101, "seratus satu"),
        (111, "seratus sebelas"),
        (200, "dua ratus"),
        (500, "lima ratus"),
        (999, "sembilan ratus sembilan puluh sembilan"),
        (1000, "seribu"),
        (1001, "seribu satu"),
        (1100, "seribu seratus"),
        (2000, "dua ribu"),
        (2026, "dua ribu dua puluh enam"),
        (11_000, "sebelas ribu"),
        (100_000, "seratus ribu"),
        (1_000_000, "satu juta"),
        (2_500_000, "dua juta lima ratus ribu"),
        (1_000_000_000, "satu miliar"),
        (3_000_000_000_000, "tiga triliun"),
        (-5, "minus lima"),
    ],
)
def test_terbilang_larger(n: int, words: str) -> None:
    assert terbilang(n) == words


def test_number_words_english() -> None:
    assert number_words(2026, "en") == "two thousand twenty-six"
    assert number_words(500, "en") == "five hundred"
    assert number_words(25, "id") == "dua puluh lima"


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (
            date(2026, 11, 25),
            "hari Rabu tanggal dua puluh lima bulan November tahun dua ribu dua puluh enam",
        ),
        (date(2026, 1, 1), "hari Kamis tanggal satu bulan Januari tahun dua ribu dua puluh enam"),
        (
            date(2027, 8, 17),
            "hari Selasa tanggal tujuh belas bulan Agustus tahun dua ribu dua puluh tujuh",
        ),
        (
            date(2026, 3, 31),
            "hari Selasa tanggal tiga puluh satu bulan Maret tahun dua ribu dua puluh enam",
        ),
    ],
)
def test_written_date(day: date, words: str) -> None:
    assert written_date(day) == words


def test_written_date_english() -> None:
    assert written_date(date(2026, 11, 25), "en") == (
        "Wednesday, the twenty-fifth day of November in the year two thousand twenty-six"
    )


def test_dates_are_shown_on_the_office_clock() -> None:
    late_utc = datetime(2026, 11, 24, 20, 30, tzinfo=UTC)  # already the 25th in Tanggamus
    assert format_date(late_utc, tz=JAKARTA) == "25 November 2026"
    assert format_datetime(late_utc, tz=JAKARTA) == "25 November 2026 03.30 WIB"
    assert format_datetime(late_utc, "en", tz=JAKARTA) == "25 November 2026 03:30 WIB"
    assert written_date(datetime(2026, 11, 29, 1, tzinfo=JAKARTA), tz=UTC).startswith(
        "hari Sabtu tanggal dua puluh delapan"
    )
    with pytest.raises(ValueError):
        format_datetime(datetime(2026, 11, 25, 10, 0), tz=JAKARTA)  # noqa: DTZ001 (the point)
    with pytest.raises(ValueError, match="time zone"):
        format_date(late_utc)  # a datetime's day depends on the zone: no silent default


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("Asia/Jakarta", "25 November 2026 03.30 WIB"),
        ("Asia/Pontianak", "25 November 2026 03.30 WIB"),
        ("Asia/Makassar", "25 November 2026 04.30 WITA"),
        ("Asia/Jayapura", "25 November 2026 05.30 WIT"),
        ("Asia/Kolkata", "25 November 2026 02.00 UTC+5:30"),
        ("America/Sao_Paulo", "24 November 2026 17.30 UTC-3"),
    ],
)
def test_the_zone_is_named_after_the_office_time_zone(zone: str, shown: str) -> None:
    late_utc = datetime(2026, 11, 24, 20, 30, tzinfo=UTC)
    assert format_datetime(late_utc, tz=ZoneInfo(zone)) == shown


@pytest.mark.parametrize(
    ("pattern", "n", "year", "month", "expected"),
    [
        ("470/{n}/BA/DISDUKCAPIL/{year}", 12, 2026, 11, "470/12/BA/DISDUKCAPIL/2026"),
        ("470/{n:03d}/BA/{roman_month}/{year}", 7, 2026, 11, "470/007/BA/XI/2026"),
        ("BA-{year}-{month:02d}-{n}", 1, 2027, 1, "BA-2027-01-1"),
    ],
)
def test_format_ba_number(pattern: str, n: int, year: int, month: int, expected: str) -> None:
    assert format_ba_number(pattern, n, year, month) == expected


@pytest.mark.parametrize("pattern", ["470/BA/{year}", "470/{n}/{tahun}", "470/{n/{year}"])
def test_format_ba_number_refuses_bad_patterns(pattern: str) -> None:
    with pytest.raises(DocumentError):
        format_ba_number(pattern, 1, 2026)


def test_format_ba_number_refuses_sequence_zero() -> None:
    with pytest.raises(DocumentError):
        format_ba_number("470/{n}/{year}", 0, 2026)


def test_mask_nik() -> None:
    assert mask_nik("1806123456780001") == "1806********0001"
    assert mask_nik("1806 1234 5678 0001") == "1806********0001"
    assert mask_nik("081234567890") == "0812****7890"
    assert mask_nik("1234") == "****"


def test_format_duration() -> None:
    assert format_duration(None) == "-"
    assert format_duration(timedelta(minutes=45)) == "45 mnt"
    assert format_duration(timedelta(hours=6, minutes=30)) == "6,5 jam"
    assert format_duration(timedelta(hours=36)) == "1,5 hari"
    assert format_duration(timedelta(hours=36), "en") == "1.5 d"

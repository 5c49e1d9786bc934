"""Numbers in words, dates, BA numbers, masking."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError as PydanticError

from staffbot.documents.errors import DocumentError
from staffbot.documents.model import mask_nik
from staffbot.documents.text import (
    format_ba_number,
    format_date,
    format_datetime,
    format_duration,
    format_nip,
    mask_phone,
    number_words,
    salutation,
    terbilang,
    written_date,
)
from staffbot.numbering import format_number, pattern_problem
from staffbot.settings import Settings, settings_problems

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


# -- the letters' helpers: NIP groups, salutation, phone mask, number patterns ----------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("197903031998101001", "19790303 199810 1 001"),
        ("19790903 199810 1 001", "19790903 199810 1 001"),  # already grouped
        ("1234567", "1234567"),  # not an ASN NIP: printed as it is
        ("", ""),
    ],
)
def test_a_nip_is_printed_in_its_standard_groups(raw: str, expected: str) -> None:
    assert format_nip(raw) == expected


@pytest.mark.parametrize(
    ("nik", "short", "long"),
    [
        ("1806054501900001", "Sdri.", "Saudari"),  # 45 = 5 + 40: born on the 5th, a woman
        ("1806050501900001", "Sdr.", "Saudara"),
        ("1806057101900001", "Sdri.", "Saudari"),  # the 31st
        ("1806053501900001", "Sdr./Sdri.", "Saudara/i"),  # day 35: the NIK cannot tell
        (None, "Sdr./Sdri.", "Saudara/i"),
    ],
)
def test_the_salutation_follows_the_nik(nik: str | None, short: str, long: str) -> None:
    you = salutation(nik)
    assert (you.short, you.long) == (short, long)


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("+6281234567890", "0812-****-7890"),
        ("081234567890", "0812-****-7890"),
        ("+62812345678901", "0812-*****-8901"),
    ],
)
def test_a_phone_number_is_masked_the_way_people_write_it(phone: str, expected: str) -> None:
    assert mask_phone(phone) == expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("470/{seq}/SRT/DISDUKCAPIL/{year}", "470/7/SRT/DISDUKCAPIL/2026"),
        ("045.2/{seq:04d}/{roman_month}/{year}", "045.2/0007/XI/2026"),
        ("{year}/{month}/{n}", "2026/11/7"),
    ],
)
def test_numbers_follow_the_office_pattern(pattern: str, expected: str) -> None:
    assert format_number(pattern, 7, 2026, 11) == expected


@pytest.mark.parametrize(
    ("pattern", "said"),
    [
        ("470/{tahun}/{seq}", "{tahun} yang tidak dikenal"),
        ("470/SRT/{year}", "tidak memuat nomor urut {seq}"),
        ("470/{seq}/SRT", "tidak memuat tahun {year}"),
        ("470/{seq/{year}", "tidak dapat dibaca"),
    ],
)
def test_a_bad_pattern_stops_the_start_with_an_indonesian_message(pattern: str, said: str) -> None:
    assert said in (pattern_problem(pattern) or "")
    with pytest.raises(PydanticError) as caught:
        Settings(number_surat=pattern, _env_file=None)  # type: ignore[call-arg]
    [line] = settings_problems(caught.value)
    assert line.startswith("STAFFBOT_NUMBER_SURAT: pola nomor") and said in line

"""Indonesian (and English) wording: numbers in words, dates, document numbers.

Pure functions, stdlib only. Day and month names and the zone's name come from
:mod:`staffbot.timefmt`, the one place that spells them; a datetime is always shown
on the office's clock (``tz``, the letterhead's zone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from staffbot.documents.errors import DocumentError
from staffbot.documents.model import Language
from staffbot.numbering import format_number
from staffbot.timefmt import day_name, month_name, zone_abbreviation

__all__ = [
    "Salutation",
    "format_ba_number",
    "format_date",
    "format_datetime",
    "format_duration",
    "format_nip",
    "local_time",
    "mask_phone",
    "nik_sex",
    "number_words",
    "salutation",
    "terbilang",
    "written_date",
]

_ID_UNITS = (
    "nol",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
    "sepuluh",
    "sebelas",
)
_ID_SCALES = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"))


def terbilang(n: int) -> str:
    """The number in Indonesian words: ``terbilang(2026) == "dua ribu dua puluh enam"``."""
    if n < 0:
        return "minus " + terbilang(-n)
    if n < 12:
        return _ID_UNITS[n]
    if n < 20:
        return _ID_UNITS[n - 10] + " belas"
    if n < 100:
        tens, rest = divmod(n, 10)
        head = _ID_UNITS[tens] + " puluh"
        return head if rest == 0 else f"{head} {terbilang(rest)}"
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = "seratus" if hundreds == 1 else _ID_UNITS[hundreds] + " ratus"
        return head if rest == 0 else f"{head} {terbilang(rest)}"
    if n < 1_000_000:
        thousands, rest = divmod(n, 1000)
        head = "seribu" if thousands == 1 else terbilang(thousands) + " ribu"
        return head if rest == 0 else f"{head} {terbilang(rest)}"
    for size, word in _ID_SCALES:
        if n >= size:
            count, rest = divmod(n, size)
            head = f"{terbilang(count)} {word}"
            return head if rest == 0 else f"{head} {terbilang(rest)}"
    raise AssertionError("unreachable")  # pragma: no cover


_EN_UNITS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_EN_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))


def _english(n: int) -> str:
    if n < 0:
        return "minus " + _english(-n)
    if n < 20:
        return _EN_UNITS[n]
    if n < 100:
        tens, rest = divmod(n, 10)
        return _EN_TENS[tens] + ("" if rest == 0 else "-" + _EN_UNITS[rest])
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = _EN_UNITS[hundreds] + " hundred"
        return head if rest == 0 else f"{head} {_english(rest)}"
    for size, word in _EN_SCALES:
        if n >= size:
            count, rest = divmod(n, size)
            head = f"{_english(count)} {word}"
            return head if rest == 0 else f"{head} {_english(rest)}"
    raise AssertionError("unreachable")  # pragma: no cover


def number_words(n: int, language: Language = "id") -> str:
    return terbilang(n) if language == "id" else _english(n)


def local_time(value: datetime, tz: tzinfo) -> datetime:
    """``value`` on the office's clock; a naive datetime raises ``ValueError``."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: pass an aware datetime")
    return value.astimezone(tz)


def _day_of(value: date | datetime, tz: tzinfo | None) -> date:
    if not isinstance(value, datetime):
        return value
    if tz is None:
        raise ValueError("a datetime needs the office's time zone to name its day")
    return local_time(value, tz).date()


def format_date(
    value: date | datetime, language: Language = "id", *, tz: tzinfo | None = None
) -> str:
    """``25 November 2026``; a datetime is first put on the office's clock ``tz``."""
    day = _day_of(value, tz)
    return f"{day.day} {month_name(day.month, language)} {day.year}"


def format_datetime(value: datetime, language: Language = "id", *, tz: tzinfo) -> str:
    """``25 November 2026 10.15 WIB`` (Indonesian writes the time with a dot); the zone's
    name follows ``tz``: ``WITA`` in Makassar, ``WIT`` in Jayapura."""
    local = local_time(value, tz)
    sep = "." if language == "id" else ":"
    clock = f"{local.hour:02d}{sep}{local.minute:02d}"
    return f"{format_date(local.date(), language)} {clock} {zone_abbreviation(local)}"


def written_date(
    value: date | datetime, language: Language = "id", *, tz: tzinfo | None = None
) -> str:
    """The date spelled out the way a Berita Acara opens.

    ``hari Rabu tanggal dua puluh lima bulan November tahun dua ribu dua puluh enam``
    """
    day = _day_of(value, tz)
    if language == "id":
        return (
            f"hari {day_name(day.weekday(), 'id')} tanggal {terbilang(day.day)} "
            f"bulan {month_name(day.month, 'id')} tahun {terbilang(day.year)}"
        )
    return (
        f"{day_name(day.weekday(), 'en')}, the {_english_ordinal(day.day)} day of "
        f"{month_name(day.month, 'en')} in the year {_english(day.year)}"
    )


def _english_ordinal(n: int) -> str:
    words = _english(n)
    irregular = {
        "one": "first",
        "two": "second",
        "three": "third",
        "five": "fifth",
        "eight": "eighth",
        "nine": "ninth",
        "twelve": "twelfth",
    }
    head, _, last = words.rpartition("-")
    if last in irregular:
        last = irregular[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return f"{head}-{last}" if head else last


def format_duration(value: timedelta | None, language: Language = "id") -> str:
    """A compact elapsed time for report tables: ``45 mnt``, ``6,5 jam``, ``1,5 hari``.

    Hours and days are elapsed (calendar) time with one decimal; ``-`` for None.
    """
    if value is None:
        return "-"
    minutes = max(0.0, value.total_seconds() / 60)
    if language == "id":
        units, comma = ("mnt", "jam", "hari"), True
    else:
        units, comma = ("min", "h", "d"), False
    if minutes < 60:
        return f"{round(minutes)} {units[0]}"
    amount, unit = (minutes / 60, units[1]) if minutes < 24 * 60 else (minutes / 1440, units[2])
    text = f"{amount:.1f}"
    return f"{text.replace('.', ',') if comma else text} {unit}"


def format_ba_number(pattern: str, n: int, year: int, month: int = 1) -> str:
    """Format a document number from its pattern and yearly sequence
    (:func:`staffbot.numbering.format_number`, errors as :class:`DocumentError`).

    ``format_ba_number("470/{n}/BA/DISDUKCAPIL/{year}", 12, 2026)`` ->
    ``470/12/BA/DISDUKCAPIL/2026``; ``{seq}`` is the same as ``{n}``.
    """
    try:
        return format_number(pattern, n, year, month)
    except ValueError as exc:
        raise DocumentError(problem=str(exc)) from exc


def format_nip(nip: str) -> str:
    """An 18-digit NIP in its standard groups: date of birth, TMT CPNS (year and month),
    sex, serial: ``197903031998101001`` -> ``19790303 199810 1 001``. Anything else
    (a non-ASN number, already grouped) is returned as it is, trimmed."""
    digits = re.sub(r"\s", "", nip or "")
    if not re.fullmatch(r"\d{18}", digits):
        return (nip or "").strip()
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"


def mask_phone(phone: str) -> str:
    """A mobile number masked the way people write it: ``+6281234567890`` ->
    ``0812-****-7890`` (the middle digits hidden, UU 27/2022, PDP)."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    elif digits.startswith("8"):
        digits = "0" + digits
    if len(digits) < 9:
        return "*" * len(digits)
    return f"{digits[:4]}-{'*' * (len(digits) - 8)}-{digits[-4:]}"


@dataclass(frozen=True)
class Salutation:
    """How a letter addresses a person: ``short`` before the name (Sdr. / Sdri.) and
    ``long`` in the text (Saudara / Saudari)."""

    short: str
    long: str


_SALUTATIONS = {
    ("id", "L"): Salutation("Sdr.", "Saudara"),
    ("id", "P"): Salutation("Sdri.", "Saudari"),
    ("id", None): Salutation("Sdr./Sdri.", "Saudara/i"),
    ("en", "L"): Salutation("Mr.", "you"),
    ("en", "P"): Salutation("Ms.", "you"),
    ("en", None): Salutation("Mr./Ms.", "you"),
}


def nik_sex(nik: str | None) -> str | None:
    """ "P" (perempuan) or "L" (laki-laki) from a NIK: its day of birth (digits 7-8) has
    40 added for a woman. None when the NIK cannot tell."""
    digits = re.sub(r"\s", "", nik or "")
    if not re.fullmatch(r"\d{16}", digits):
        return None
    day = int(digits[6:8])
    if 1 <= day <= 31:
        return "L"
    if 41 <= day <= 71:
        return "P"
    return None


def salutation(nik: str | None, language: Language = "id") -> Salutation:
    """Sdr./Saudara or Sdri./Saudari from the NIK; both forms only when it cannot tell."""
    return _SALUTATIONS[(language, nik_sex(nik))]

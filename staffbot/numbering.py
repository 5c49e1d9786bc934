"""Document numbers from the office's patterns (Tata Naskah Dinas).

Each kind of document the bot numbers (surat tanggapan, Berita Acara, rekap) has a
pattern in the settings, e.g. ``470/{seq}/SRT/DISDUKCAPIL/{year}``: the office's
classification code and its own marks, with

* ``{seq}`` the number within the year (``{n}`` is the same; a format spec works:
  ``{seq:03d}`` gives 007),
* ``{year}``, ``{month}`` (11) and ``{roman_month}`` (XI) of the day the document is made.

Patterns are checked when the settings are read, so a typo stops the start with a
message in Indonesian instead of a broken letter later. Stdlib only.
"""

from __future__ import annotations

import string

__all__ = ["KINDS", "check_pattern", "format_number", "pattern_problem"]

#: Numbered kinds -> the setting that holds their pattern.
KINDS: dict[str, str] = {
    "surat": "STAFFBOT_NUMBER_SURAT",
    "ba": "STAFFBOT_NUMBER_BA",
    "rekap": "STAFFBOT_NUMBER_REKAP",
}

_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_FIELDS = ("seq", "n", "year", "month", "roman_month")


def _values(seq: int, year: int, month: int) -> dict[str, object]:
    return {
        "seq": seq,
        "n": seq,
        "year": year,
        "month": month,
        "roman_month": _ROMAN[month - 1],
    }


def pattern_problem(pattern: str) -> str | None:
    """What is wrong with ``pattern``, in Indonesian; None when it can be used."""
    allowed = ", ".join("{" + f + "}" for f in _FIELDS if f != "n")
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None]
    except ValueError as exc:
        return f"pola nomor {pattern!r} tidak dapat dibaca ({exc}); periksa tanda kurung kurawal"
    unknown = sorted({name for name in names if name not in _FIELDS})
    if unknown:
        shown = ", ".join("{" + name + "}" for name in unknown)
        return (
            f"pola nomor {pattern!r} memakai {shown} yang tidak dikenal; "
            f"yang dapat dipakai: {allowed}"
        )
    if "seq" not in names and "n" not in names:
        return f"pola nomor {pattern!r} tidak memuat nomor urut {{seq}}"
    if "year" not in names:
        return (
            f"pola nomor {pattern!r} tidak memuat tahun {{year}}: "
            "nomor urut dimulai lagi tiap tahun"
        )
    try:
        pattern.format(**_values(1, 2026, 11))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        return f"pola nomor {pattern!r} tidak dapat dipakai ({exc})"
    return None


def check_pattern(pattern: str, setting: str) -> str:
    """``pattern`` when usable, else a ValueError naming the setting (read at start-up)."""
    problem = pattern_problem(pattern)
    if problem is not None:
        raise ValueError(f"{setting}: {problem}")
    return pattern


def format_number(pattern: str, seq: int, year: int, month: int) -> str:
    """The number ``seq`` of ``year`` in ``pattern`` (a checked one)."""
    if seq < 1:
        raise ValueError(f"nomor urut dimulai dari 1, bukan {seq}")
    if not 1 <= month <= 12:
        raise ValueError(f"bulan {month} tidak ada")
    problem = pattern_problem(pattern)
    if problem is not None:
        raise ValueError(problem)
    return pattern.format(**_values(seq, year, month))

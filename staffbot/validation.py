"""Validation of what people type: NIK, phone numbers, names, kecamatan, layanan.

Each check returns the normalised value or raises ValidationError(field, problem);
the text shown to the person comes from staffbot.texts by ``invalid.<field>.<problem>``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from staffbot.errors import ValidationError

#: Kemendagri province codes (first two NIK digits).
PROVINCE_CODES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "16",
        "17",
        "18",
        "19",
        "21",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "51",
        "52",
        "53",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "72",
        "73",
        "74",
        "75",
        "76",
        "81",
        "82",
        "91",
        "92",
        "93",
        "94",
        "95",
        "96",
        "97",
    }
)

MAX_NAME = 120
MAX_KELUHAN = 2000


@dataclass(frozen=True)
class NikCheck:
    nik: str
    birth_date: date
    female: bool
    #: The regency code is not one of the office's own (allowed, but flagged).
    outside: bool
    regency: str


def check_nik(raw: str, *, regency_codes: Sequence[str], today: date) -> NikCheck:
    nik = re.sub(r"[\s.\-]", "", raw or "")
    if not re.fullmatch(r"\d{16}", nik):
        raise ValidationError(field="nik", problem="format")
    if nik[:2] not in PROVINCE_CODES:
        raise ValidationError(field="nik", problem="province", code=nik[:2])
    if nik[2:4] == "00" or nik[4:6] == "00":
        raise ValidationError(field="nik", problem="region", code=nik[:6])
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = day > 40
    if female:
        day -= 40
    birth = _birth_date(day, month, yy, today)
    if birth is None:
        raise ValidationError(field="nik", problem="birthdate", digits=nik[6:12])
    if nik[12:] == "0000":
        raise ValidationError(field="nik", problem="sequence")
    return NikCheck(
        nik=nik,
        birth_date=birth,
        female=female,
        outside=nik[:4] not in regency_codes,
        regency=nik[:4],
    )


def _birth_date(day: int, month: int, yy: int, today: date) -> date | None:
    # Two-digit years: the latest century that does not put the birth in the future.
    for century in (2000, 1900):
        try:
            candidate = date(century + yy, month, day)
        except ValueError:
            return None
        if candidate <= today:
            return candidate
    return None


def normalise_phone(raw: str) -> str:
    """Indonesian mobile number to E.164 (+628...)."""
    digits = re.sub(r"[\s().\-]", "", raw or "")
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("62"):
            raise ValidationError(field="phone", problem="format")
    if not digits.isdigit():
        raise ValidationError(field="phone", problem="format")
    if digits.startswith("62"):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        national = digits
    if not re.fullmatch(r"8\d{8,11}", national):
        raise ValidationError(field="phone", problem="format")
    return "+62" + national


def check_name(raw: str) -> str:
    name = " ".join(unicodedata.normalize("NFC", raw or "").split())
    if not name:
        raise ValidationError(field="nama", problem="empty")
    if len(name) > MAX_NAME:
        raise ValidationError(field="nama", problem="length", max=MAX_NAME)
    if any(unicodedata.category(ch).startswith("C") for ch in name) or not re.search(
        r"[^\W\d_]", name
    ):
        raise ValidationError(field="nama", problem="characters")
    return name


def pick(raw: str, choices: Sequence[str], *, field: str) -> str:
    """Match a choice case- and space-insensitively; returns the canonical spelling."""
    wanted = _fold(raw)
    for choice in choices:
        if _fold(choice) == wanted:
            return choice
    raise ValidationError(
        field=field,
        problem="unknown",
        value=(raw or "").strip()[:60],
        choices=", ".join(choices),
        count=len(choices),
    )


def check_keluhan(raw: str | None) -> str:
    text = (raw or "").strip()
    if len(text) > MAX_KELUHAN:
        raise ValidationError(field="keluhan", problem="length", max=MAX_KELUHAN)
    return text


def _fold(value: str) -> str:
    return re.sub(r"[\s\-_/.]+", "", (value or "").casefold())


def check_title(raw: str | None, *, field: str, most: int) -> str | None:
    """A short free text as typed (pangkat/golongan, jabatan, desa), spaces tidied;
    empty means none."""
    text = " ".join((raw or "").split())
    if not text:
        return None
    if len(text) > most:
        raise ValidationError(field=field, problem="length", max=most)
    return text

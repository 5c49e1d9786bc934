"""Personal data as it may appear in chat cards and logs (UU 27/2022 PDP)."""

from __future__ import annotations

import re


def mask_nik(nik: str) -> str:
    """1806123456780001 -> 1806********0001."""
    if len(nik) <= 8:
        return "*" * len(nik)
    return nik[:4] + "*" * (len(nik) - 8) + nik[-4:]


def mask_phone(phone: str) -> str:
    """+6281234567890 -> +62 812-****-7890."""
    digits = phone[3:] if phone.startswith("+62") else phone.lstrip("+")
    if len(digits) < 7:
        return "*" * len(phone)
    return f"+62 {digits[:3]}-{'*' * 4}-{digits[-4:]}"


#: 16 digits in a row: a NIK or a KK number (also written in groups of four).
NIK_LIKE = re.compile(r"(?<![\d*])(\d{4})[ .-]?(\d{4})[ .-]?(\d{4})[ .-]?(\d{4})(?!\d)")
#: An Indonesian mobile number: +62 8.., 62 8.. or 08.., with or without separators.
PHONE_LIKE = re.compile(r"(?<![\d*+])(?:\+62|62|0)[ .-]?(8\d{2})[ .-]?\d{3,4}[ .-]?(\d{3,4})(?!\d)")


def mask_free_text(text: str, *, nik: bool = True, phone: bool = True) -> str:
    """Mask NIK/KK numbers and phone numbers a person typed into free text (a complaint,
    a reason, a file name) the way cards mask the fields themselves."""
    if nik:
        text = NIK_LIKE.sub(lambda m: m.group(1) + "*" * 8 + m.group(4), text)
    if phone:
        text = PHONE_LIKE.sub(lambda m: f"+62 {m.group(1)}-****-{m.group(2)}", text)
    return text

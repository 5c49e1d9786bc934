"""Personal data as it may appear in chat cards and logs (UU 27/2022 PDP)."""

from __future__ import annotations


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

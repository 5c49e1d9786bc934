"""The signing PIN on every channel: a PIN of the wrong length is refused at once and
not counted, and a locked signer is told at the press of a signing button.

The Kepala Dinas acts the way the platform makes them act (the Telegram double polled
by both libraries, the WhatsApp double's signed webhooks, the web page's events); what
they saw is read back from the platform, what was stored from the database.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import tests.support as support
from staffbot.services.context import Office
from storage.db import Database
from tests.contract.conftest import open_desk
from tests.contract.harness import Desk, Person
from tests.contract.test_channel_contract import ROLES
from tests.support import PIN, SNAPSHOT_TABLES, differences, snapshot

#: platform, Telegram library
VARIANTS = {
    "web": ("web", "ptb"),
    "telegram-ptb": ("telegram", "ptb"),
    "telegram-aiogram": ("telegram", "aiogram"),
    "whatsapp": ("whatsapp", "ptb"),
}
SIGN = "Tanda Tangani"
#: Every table but the outbox (the reply and the PIN message's deletion go there).
OTHER_TABLES = {k: v for k, v in SNAPSHOT_TABLES.items() if k != "outbox"}


async def _at_signature(db: Database, office: Office, desk: Desk, count: int) -> list[str]:
    """``count`` cases waiting for the Kepala Dinas's signature, their cards delivered."""
    for person in desk.people.values():
        await desk.join(person)
    books = support.Desk(db, office)
    numbers = []
    for _ in range(count):
        number = (await books.new_case()).number
        await books.advance_to(number, "ttd_kadis")
        numbers.append(number)
    await desk.settle()
    return numbers


async def _failures(db: Database, kadis: Person) -> int:
    async with db.uow(readonly=True) as uow:
        staff = await uow.staff.get(kadis.staff_id)
        assert staff is not None
        return staff.pin_failures


async def _step_of(db: Database, number: str) -> str:
    async with db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None
        return case.step


async def _last_text(desk: Desk, p: Person) -> str:
    return (await desk.transcript(p))[-1].text


def _typed_deleted(desk: Desk, p: Person, text: str) -> bool:
    """Telegram: every message the person typed with this text was deleted."""
    assert desk.tg is not None
    typed = [m for m in desk.tg.chat(int(p.address)).messages.values() if m.text == text]
    return bool(typed) and all(m.deleted for m in typed)


@pytest.mark.parametrize("variant", list(VARIANTS))
async def test_a_pin_of_the_wrong_length_is_refused_without_counting(
    variant: str, db: Database, office: Office, tmp_path: Path
) -> None:
    platform, library = VARIANTS[variant]
    platforms = dict.fromkeys(ROLES, platform)
    async with open_desk(db, office, tmp_path / "tg", platforms, library=library) as desk:
        [number] = await _at_signature(db, office, desk, 1)
        kadis = desk.person("kepala_dinas")
        await desk.press(kadis, SIGN, on=number)
        assert "PIN" in await _last_text(desk, kadis)
        for typo in ("65432", "1234567", "12a456"):
            before = await snapshot(db, OTHER_TABLES)
            await desk.say(kadis, typo)
            assert await _last_text(desk, kadis) == "PIN harus 6 digit angka."
            # not counted, nothing signed, the prompt still open: nothing else changed
            assert await _failures(db, kadis) == 0
            assert differences(before, await snapshot(db, OTHER_TABLES)) == {}
            if platform == "telegram":
                assert _typed_deleted(desk, kadis, typo)
        await desk.say(kadis, PIN)
        assert await _step_of(db, number) != "ttd_kadis"
        assert f"✔ Ditandatangani: {number}" in await _last_text(desk, kadis)


@pytest.mark.parametrize("variant", list(VARIANTS))
async def test_a_locked_signer_is_told_at_the_press(
    variant: str, db: Database, office: Office, tmp_path: Path
) -> None:
    platform, library = VARIANTS[variant]
    platforms = dict.fromkeys(ROLES, platform)
    async with open_desk(db, office, tmp_path / "tg", platforms, library=library) as desk:
        numbers = await _at_signature(db, office, desk, 2)
        kadis = desk.person("kepala_dinas")
        await desk.press(kadis, SIGN, on=numbers[0])
        for _ in range(office.pin_max_failures):
            await desk.say(kadis, "000000")
        assert (await _last_text(desk, kadis)).startswith("Penandatanganan dikunci sampai")
        async with db.uow(readonly=True) as uow:
            staff = await uow.staff.get(kadis.staff_id)
            assert staff is not None and staff.pin_locked_until is not None
            until = staff.pin_locked_until.astimezone(office.tz).strftime("%H.%M")
        assert re.fullmatch(r"\d\d\.\d\d", until)
        told = f"Penandatanganan dikunci sampai {until} "
        await desk.command(kadis, "tugas")
        # WhatsApp cuts a list row's title to 24 characters: the label as shown there
        [sign_all] = [
            b for b in (await desk.transcript(kadis))[-1].buttons if b.startswith("✍ Tanda tangani")
        ]
        for label, on in ((SIGN, numbers[1]), (sign_all, "")):
            seen = len(await desk.transcript(kadis))
            before = await snapshot(db, OTHER_TABLES)
            toast = await desk.press(kadis, label, on=on)
            after = (await desk.transcript(kadis))[seen:]
            if platform == "whatsapp":
                # no toasts on WhatsApp: the refusal is a message
                assert [m.text for m in after] == [toast] and toast.startswith(told)
            else:
                assert toast.startswith(told) and after == []
            assert not any("PIN" in m.text and "dikunci" not in m.text for m in after)
            assert differences(before, await snapshot(db, OTHER_TABLES)) == {}
        assert [await _step_of(db, n) for n in numbers] == ["ttd_kadis", "ttd_kadis"]

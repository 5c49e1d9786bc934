"""Files one tap away and navigation that opens things, on every channel (issue 17).

The applicant's photo reaches the step-3 holder's chat as a file they can open (the 📎
button of the card); a /tugas item brings its task's card back; a /cari result opens the
case for someone the access policy allows, and is refused politely, changing nothing, for
someone it does not. Every person acts the way their platform makes them act (see
harness.py) and what they saw is read back from the platform.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from staffbot.services.context import Office
from storage.db import Database
from tests.contract.conftest import open_desk
from tests.contract.harness import Desk, Person, Seen, cards
from tests.contract.test_applicant_whatsapp import jpeg
from tests.contract.test_channel_contract import APPLICANT, ROLES, record_by_chat

VARIANTS = {
    "web": ("web", "ptb"),
    "telegram-ptb": ("telegram", "ptb"),
    "telegram-aiogram": ("telegram", "aiogram"),
    "whatsapp": ("whatsapp", "ptb"),
}
HOLDER = "operator_penerima_wa"  # SOP step 3, the first to list the applicant's files
HEAD = "kasi_identitas_penduduk"  # a section head: the policy lets them see every case
STRANGER = "operator_pengirim_pdf"  # step 13: the case at step 3 has not reached them


@pytest.mark.parametrize("variant", list(VARIANTS))
async def test_files_and_navigation_on_every_channel(
    variant: str, db: Database, office: Office, tmp_path: Path
) -> None:
    platform, library = VARIANTS[variant]
    platforms = {role: platform for role in ROLES}
    async with open_desk(db, office, tmp_path / "tg", platforms, library=library) as desk:
        for person in desk.people.values():
            await desk.join(person)
        number = await record_by_chat(desk)
        assert desk.wa is not None
        photo = jpeg()
        sent = await desk.wa.push_image(APPLICANT, photo, "image/jpeg", name="Siti Aminah")
        assert sent.status == 200
        await desk.settle()

        await _holder_opens_the_photo(desk, number, photo)
        await _tugas_item_opens_its_card(desk, number)
        await _search_opens_for_the_allowed(desk, number)
        await _search_refused_for_the_stranger(desk, number)


async def _holder_opens_the_photo(desk: Desk, number: str, photo: bytes) -> None:
    holder = desk.person(HOLDER)
    [card] = cards(await desk.transcript(holder), number)
    files = "📎 Buka berkas (1)"
    if holder.platform == "whatsapp":
        # WhatsApp cannot edit: the card's update is a reply quoting it, and the card
        # keeps the 📎 button it was sent with (before the photo came).
        assert "Berkas dari pemohon: 1" in card.edits[-1], card.edits
        files = "📎 Berkas pemohon"
    else:
        assert "Berkas dari pemohon: 1" in card.text, card.text
    assert files in card.buttons and "Teruskan" in card.buttons, card.buttons
    await desk.tap(holder, card, files)
    [got] = [m for m in await desk.transcript(holder) if m.document is not None]
    assert number in got.text
    assert await desk.file_bytes(holder, got) == photo


async def _tugas_item_opens_its_card(desk: Desk, number: str) -> None:
    holder = desk.person(HOLDER)
    before = len(await _task_cards(desk, holder, number))
    await desk.command(holder, "tugas")
    listing = (await desk.transcript(holder))[-1]
    assert "Tugas Anda (1)" in listing.text and f"Buka {number}" in listing.buttons
    await desk.press(holder, f"Buka {number}", on="Tugas Anda")
    again = await _task_cards(desk, holder, number)
    assert len(again) == before + 1 and again[-1] == (await desk.transcript(holder))[-1]
    assert "Teruskan" in again[-1].buttons and "📎 Buka berkas (1)" in again[-1].buttons


async def _task_cards(desk: Desk, p: Person, number: str) -> list[Seen]:
    return [m for m in cards(await desk.transcript(p), number) if "Langkah 3 " in m.first_text]


async def _search_opens_for_the_allowed(desk: Desk, number: str) -> None:
    head = desk.person(HEAD)
    await desk.command(head, "cari", number)
    assert f"Buka {number}" in (await desk.transcript(head))[-1].buttons
    await desk.press(head, f"Buka {number}", on="Hasil pencarian")
    card = (await desk.transcript(head))[-1]
    assert number in card.text and "Langkah 3 " in card.text
    assert "Status: dalam proses" in card.text and "Hanya dilihat" in card.text
    assert "NIK 1806********0001" in card.text and "1806054501900001" not in card.text
    assert card.buttons == ["📎 Buka berkas (1)"]  # no action of the step: not theirs


async def _search_refused_for_the_stranger(desk: Desk, number: str) -> None:
    stranger = desk.person(STRANGER)
    await desk.command(stranger, "cari", number)
    before = await _books(desk, number)
    await desk.press(stranger, f"Buka {number}", on="Hasil pencarian")
    reply = (await desk.transcript(stranger))[-1]
    assert "belum sampai ke peran Anda" in reply.text and "Tidak ada yang diubah" in reply.text
    assert reply.document is None and "Siti" not in reply.text
    assert await _books(desk, number) == before
    # typing the command is refused the same way, files included
    await desk.command(stranger, "berkas", number)
    reply = (await desk.transcript(stranger))[-1]
    assert "belum sampai ke peran Anda" in reply.text and reply.document is None
    assert not [m for m in await desk.transcript(stranger) if m.document is not None]


async def _books(desk: Desk, number: str) -> tuple[Any, ...]:
    """The case as the office's books hold it: its row, its tasks, its audit trail."""
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        tasks = await uow.tasks.history_of_case(case.id)
        events = await uow.audit.for_case(case.id)
    return (
        case.model_dump(),
        [t.model_dump() for t in tasks],
        [e.model_dump() for e in events],
    )

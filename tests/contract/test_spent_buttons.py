"""Spent buttons, on every channel: once a prompt is answered (by a button or by text) the
message that carried its choices loses them (Telegram: the keyboard is edited away; web:
the choices are gone; WhatsApp, which cannot edit: a reply quoting it says what was
taken); a second tap on a spent button answers politely, not with an error; and the WA
receiver keeps one card per case while the applicant's files arrive."""

from __future__ import annotations

from pathlib import Path

import pytest

from staffbot.masking import mask_nik, mask_phone
from staffbot.services.context import Office
from staffbot.validation import normalise_phone
from storage.db import Database
from tests.contract.conftest import open_desk
from tests.contract.harness import Desk, Person, Seen, cards
from tests.contract.test_applicant_whatsapp import jpeg
from tests.contract.test_channel_contract import (
    APPLICANT,
    BA_NUMBER,
    ROLES,
    record_by_chat,
    work_the_case,
)
from tests.support import FORM, tiny_pdf

VARIANTS = {
    "web": ("web", "ptb"),
    "telegram-ptb": ("telegram", "ptb"),
    "telegram-aiogram": ("telegram", "aiogram"),
    "whatsapp": ("whatsapp", "ptb"),
}


def _spent(person: Person, message: Seen) -> bool:
    """The message's choices can no longer be used from the chat as it looks now."""
    if person.platform == "whatsapp":
        # WhatsApp cannot edit: a reply quoting the prompt says what became of it.
        return bool(message.edits)
    return message.buttons == []


@pytest.mark.parametrize("variant", list(VARIANTS))
async def test_prompts_lose_their_buttons_once_answered(
    variant: str, db: Database, office: Office, tmp_path: Path
) -> None:
    platform, library = VARIANTS[variant]
    platforms = {role: platform for role in ROLES}
    async with open_desk(db, office, tmp_path / "tg", platforms, library=library) as desk:
        for person in desk.people.values():
            await desk.join(person)
        cc = desk.person("petugas_call_center")
        number, confirm = await _record_keeping_the_confirmation(desk, cc)

        # Every question of the form that offered choices (kecamatan, layanan, the
        # skip of the complaint, Simpan/Batal) has them no more.
        seen = await desk.transcript(cc)
        start = next(i for i, m in enumerate(seen) if "(1/6)" in m.first_text)
        prompts = [m for m in seen[start:] if m.first_buttons]
        assert len(prompts) >= 4, [m.first_text for m in prompts]
        assert all(_spent(cc, m) for m in prompts), [(m.text, m.buttons) for m in prompts]
        [saved] = [m for m in prompts if "Simpan" in m.first_buttons]
        if cc.platform == "whatsapp":
            assert any(number in edit for edit in saved.edits), saved.edits
        else:
            assert f"Disimpan: {number}" in saved.text, saved.text
            [where] = [m for m in prompts if FORM.kecamatan in m.first_buttons]
            assert f"Dipilih: {FORM.kecamatan}" in where.text, where.text

        # A double tap on Simpan: polite, not an error, and nothing is saved twice.
        toast = await desk.tap(cc, confirm, "Simpan")
        assert desk.alerts[-1] is False and "Sudah disimpan" in toast, toast
        async with db.uow(readonly=True) as uow:
            assert len(await uow.cases.open_for_phone(APPLICANT)) == 1

        # The rest of the case; the Kasi's "Semua (1)" and the attachment prompt
        # ("Buat Surat Tanggapan", answered with a file) are spent too.
        await work_the_case(desk, number)
        await desk.settle()
        kasi = desk.person("kasi_inovasi")
        [everything] = [m for m in await desk.transcript(kasi) if "Semua (1)" in m.first_buttons]
        assert _spent(kasi, everything), everything
        if kasi.platform != "whatsapp":
            assert BA_NUMBER in everything.text, everything.text
        offered = [
            (person, m)
            for person in desk.people.values()
            for m in await desk.transcript(person)
            if "Buat Surat Tanggapan" in m.first_buttons
        ]
        assert offered and all(_spent(person, m) for person, m in offered), offered


@pytest.mark.parametrize("variant", list(VARIANTS))
async def test_a_reloaded_form_shows_the_answers_given(
    variant: str, db: Database, office: Office, tmp_path: Path
) -> None:
    """Half way through the intake form, the chat as it is shown again (the web page
    reloaded: only the bot's messages come back) says what each question was answered
    with, NIK and phone masked as on cards; the question at hand is still live."""
    platform, library = VARIANTS[variant]
    async with open_desk(
        db, office, tmp_path, {"petugas_call_center": platform}, library=library
    ) as desk:
        cc = desk.person("petugas_call_center")
        await desk.join(cc)
        await desk.command(cc, "baru")
        for given in (FORM.name, FORM.nik, FORM.wa):
            await desk.say(cc, given)
        await desk.press(cc, FORM.kecamatan)
        await desk.settle()
        seen = await desk.transcript(cc)
        form = seen[next(i for i, m in enumerate(seen) if "(1/6)" in m.first_text) :]
        asked = {q: next(m for m in form if f"({q}/6)" in m.first_text) for q in range(1, 6)}
        assert asked[5].buttons and FORM.layanan in asked[5].buttons, asked[5]
        if cc.platform == "whatsapp":
            # The chat keeps what the person typed: no second message repeats it, and
            # only the choice (a list, which cannot be edited) is answered by a quote.
            assert [len(m.edits) for m in asked.values()] == [0, 0, 0, 1, 0], asked
            assert f"Dipilih: {FORM.kecamatan}" in asked[4].edits[0]
            return
        shown = {
            1: FORM.name,
            2: mask_nik(FORM.nik),
            3: mask_phone(normalise_phone(FORM.wa)),
            4: f"Dipilih: {FORM.kecamatan}",
        }
        for q, answer in shown.items():
            assert answer in asked[q].text and not asked[q].buttons, (q, asked[q].text)
        assert all(FORM.nik not in m.text for m in form), "the full NIK stays out of the chat"


async def _record_keeping_the_confirmation(desk: Desk, cc: Person) -> tuple[str, Seen]:
    """The intake form of ``record_by_chat``, keeping the confirmation as it was first seen
    (with its Simpan button) to tap it again."""
    await desk.command(cc, "baru")
    for answer in (FORM.name, FORM.nik, FORM.wa):
        await desk.say(cc, answer)
    await desk.press(cc, FORM.kecamatan)
    await desk.press(cc, FORM.layanan)
    await desk.say(cc, FORM.keluhan)
    confirm = await desk.find(cc, "Simpan")
    await desk.tap(cc, confirm, "Simpan")
    async with desk.db.uow(readonly=True) as uow:
        [case] = await uow.cases.open_for_phone(APPLICANT)
    return case.number, confirm


async def test_the_wa_receiver_keeps_one_card_per_case(
    db: Database, office: Office, tmp_path: Path
) -> None:
    async with open_desk(db, office, tmp_path, {"operator_penerima_wa": "whatsapp"}) as desk:
        assert desk.wa is not None
        receiver = desk.person("operator_penerima_wa")
        await desk.join(receiver)
        number = await record_by_chat(desk)
        for photo in (
            desk.wa.push_image(APPLICANT, jpeg(), "image/jpeg", name="Siti"),
            desk.wa.push_document(APPLICANT, "kk.pdf", tiny_pdf("kk"), name="Siti"),
        ):
            assert (await photo).status == 200
        await desk.settle()
        [card] = cards(await desk.transcript(receiver), number)
        # WhatsApp cannot edit: the card's update came as a reply quoting it.
        assert card.edits and "Berkas dari pemohon: 2" in card.edits[-1], card.edits
        assert "kk.pdf" in card.edits[-1]
        assert "Teruskan" in card.buttons


async def test_a_web_holder_sees_the_card_edited_with_the_files(
    db: Database, office: Office, tmp_path: Path
) -> None:
    async with open_desk(db, office, tmp_path, {}) as desk:
        assert desk.wa is not None
        receiver = desk.person("operator_penerima_wa")
        number = await record_by_chat(desk)
        await desk.wa.push_document(APPLICANT, "ktp.pdf", tiny_pdf("ktp"), name="Siti")
        await desk.wa.push_document(APPLICANT, "kk.pdf", tiny_pdf("kk"), name="Siti")
        await desk.settle()
        [card] = cards(await desk.transcript(receiver), number)
        assert "Berkas dari pemohon: 2" in card.text and "kk.pdf" in card.text, card.text
        assert "Teruskan" in card.buttons

"""One contract, every channel: a whole case from the call center's intake to the signed
Berita Acara, with every staff member on the channel under test (and a mixed office).

Each person acts the way their platform makes them act (Telegram updates polled by the
real library from the Telegram double, WhatsApp webhooks signed and POSTed by the
WhatsApp double, web events as the web page sends them) and the real OutboxDispatcher
delivers every reply. Afterwards each transcript is read back from the platform: which
cards each chat received with which buttons, and how each card was closed.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from flows.model import Step
from staffbot.app.commands.audit import VerifyAuditChain
from staffbot.services.audit import verify_chain
from staffbot.services.context import Office
from storage.db import Database
from storage.tables import CASE_CLOSED
from tests.contract.conftest import open_desk
from tests.contract.harness import Desk, Person, Seen, cards
from tests.support import FORM, HAPPY, PIN, tiny_pdf

ROLES = (
    "petugas_call_center",
    "operator_penerima_wa",
    "operator_pengangkat_data",
    "operator_cetak_berkas",
    "petugas_loket_pendaftaran",
    "kasi_identitas_penduduk",
    "operator",
    "kepala_dinas",
    "kepala_bidang",
    "petugas_pemilah_berkas",
    "operator_pengirim_pdf",
    "kasi_inovasi",
)
PLATFORMS = ("telegram", "whatsapp", "web")
#: Steps 3-13, in order, with the action the holder takes.
CASE_STEPS = (
    "terima_wa",
    "angkat_data",
    "cetak_berkas",
    "loket",
    "verifikasi_kasi",
    "entri_data",
    "ttd_kadis",
    "cetak_dokumen",
    "paraf_kabid",
    "pilah",
    "kirim_pdf",
)
BA_NUMBER = "470/1/BA/DISDUKCAPIL/2026"
APPLICANT = "+6281234567890"
#: The UPT of Kota Agung's WhatsApp number, not a staff member's.
UPT = "+6281234560001"

VARIANTS = {
    "web": ({role: "web" for role in ROLES}, "ptb"),
    "telegram-ptb": ({role: "telegram" for role in ROLES}, "ptb"),
    "telegram-aiogram": ({role: "telegram" for role in ROLES}, "aiogram"),
    "whatsapp": ({role: "whatsapp" for role in ROLES}, "ptb"),
    # Round the roster: every platform holds signing, pressing and form-filling roles.
    "mixed": ({role: PLATFORMS[i % 3] for i, role in enumerate(ROLES)}, "ptb"),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
async def test_a_whole_case_on_every_channel(
    variant: str, db: Database, office: Office, tmp_path: Path
) -> None:
    platforms, library = VARIANTS[variant]
    # The UPT of the case's kecamatan is reached on WhatsApp (STAFFBOT_UPT_CONTACTS).
    reference = dataclasses.replace(office.reference, upt_contacts={FORM.kecamatan: UPT})
    office = dataclasses.replace(office, reference=reference)
    async with open_desk(db, office, tmp_path / "tg", platforms, library=library) as desk:
        for person in desk.people.values():
            await desk.join(person)
        number = await record_by_chat(desk)
        await work_the_case(desk, number)
        await desk.settle()
        await check_staff_saw(desk, number)
        await check_applicant_got(desk, number)
        await check_signed_ba_delivered(desk)
        await check_the_books(desk, number)


async def record_by_chat(desk: Desk) -> str:
    """SOP step 2: the call center fills the intake form in the chat."""
    cc = desk.person("petugas_call_center")
    await desk.command(cc, "baru")
    await desk.say(cc, FORM.name)
    await desk.say(cc, FORM.nik)
    await desk.say(cc, FORM.wa)
    await desk.press(cc, FORM.kecamatan)
    await desk.press(cc, FORM.layanan)
    await desk.say(cc, FORM.keluhan)
    await desk.press(cc, "Simpan")
    saved = (await desk.transcript(cc))[-1].text
    assert "Pengaduan dicatat" in saved, saved
    number = saved.split("dicatat:", 1)[1].split()[0].strip("*.")
    assert number == "PO-2026-00001"
    return number


async def work_the_case(desk: Desk, number: str) -> None:
    flow = desk.office.flow
    for key in CASE_STEPS:
        step = flow.step(key)
        person = desk.person(step.role)
        label = _label(step, HAPPY[key])
        toast = await desk.press(person, label, on=number)
        if HAPPY[key] == "submit_tte":
            await desk.send_file(person, "hasil.pdf", tiny_pdf(number), "application/pdf")
        elif HAPPY[key] == "sign":
            assert "PIN" in (await desk.transcript(person))[-1].text
            await desk.say(person, PIN)
        elif person.platform != "whatsapp":
            assert toast.startswith("✔") and number in toast, toast
        assert await _step_of(desk, number) != key, f"{number} still at {key}"
    kasi = desk.person("kasi_inovasi")
    await desk.press(kasi, "Buat BA", on=number)
    await desk.press(kasi, "Semua (1)")
    kadis = desk.person("kepala_dinas")
    await desk.press(kadis, "Tanda Tangani", on=BA_NUMBER)
    await desk.say(kadis, PIN)


async def check_staff_saw(desk: Desk, number: str) -> None:
    flow = desk.office.flow
    for key in (*CASE_STEPS, "buat_ba"):
        step = flow.step(key)
        person = desk.person(step.role)
        action = step.action(HAPPY.get(key, "make_ba"))
        assert action is not None
        card = _card_of(await desk.transcript(person), number, step)
        _closed_as(person, card, step, f"✔ {action.outcome} oleh {person.name}")
    kadis = desk.person("kepala_dinas")
    [ba_card] = cards(await desk.transcript(kadis), BA_NUMBER)
    _closed_as(kadis, ba_card, flow.step("ttd_ba"), f"✔ Ditandatangani oleh {kadis.name}")
    if kadis.platform == "telegram":
        # The PIN left the chat: both PIN messages the Kepala Dinas typed are deleted.
        assert desk.tg is not None
        typed = [m for m in desk.tg.chat(int(kadis.address)).messages.values() if m.text == PIN]
        assert len(typed) == 2 and all(m.deleted for m in typed)
    cc = desk.person("petugas_call_center")
    asked = [m.text for m in await desk.transcript(cc)]
    assert any("(1/6)" in text for text in asked) and any("(6/6)" in text for text in asked)


def _card_of(transcript: list[Seen], number: str, step: Step) -> Seen:
    found = [m for m in cards(transcript, number) if f"Langkah {step.sop_no} " in m.first_text]
    assert found, f"no card of step {step.sop_no} for {step.role}"
    return found[0]


def _closed_as(person: Person, card: Seen, step: Step, outcome: str) -> None:
    files = ["📎 Berkas pemohon"] if step.lists_applicant_files else []
    assert card.first_buttons == [a.label for a in step.actions] + files, (person.role, card)
    assert card.edits and outcome in card.edits[-1], (person.role, card.edits)
    if person.platform == "whatsapp":
        # WhatsApp cannot edit: the outcome came as a reply quoting the card.
        assert card.buttons == card.first_buttons
    else:
        assert outcome in card.text and card.buttons == [], (person.role, card)


async def check_applicant_got(desk: Desk, number: str) -> None:
    assert desk.wa is not None
    sent = desk.wa.sent(APPLICANT)
    # The applicant never wrote: the window is closed, so templates carry the messages.
    assert [m.type for m in sent][:1] == ["template"]
    instruction = sent[0].content["components"][0]["parameters"][0]["text"]
    assert number in instruction and "kirim" in instruction.lower()
    with_pdf = [m for m in sent if m.type == "template" and _has_document(m.content)]
    finished = [m for m in with_pdf if "telah selesai" in _body(m.content)]
    assert len(finished) == 1, [_body(m.content) for m in sent]
    header = finished[0].content["components"][0]["parameters"][0]["document"]
    media = desk.wa.media.get(header["id"])
    assert media is not None and media.data.startswith(b"%PDF")


async def check_signed_ba_delivered(desk: Desk) -> None:
    """The signed Berita Acara reaches the Kasi Inovasi who made it as a file they can
    open, and the UPT on WhatsApp; the Kepala Dinas's card carries the signed PDF."""
    async with desk.db.uow(readonly=True) as uow:
        ba = await uow.cases.ba_by_number(BA_NUMBER)
        assert ba is not None and ba.id is not None
        [signed] = await uow.documents.of_ba(ba.id, "berita_acara_ttd")
    signed_pdf = (desk.office.data_dir / signed.path).read_bytes()
    kasi = desk.person("kasi_inovasi")
    [got] = [m for m in await desk.transcript(kasi) if m.document == signed.filename]
    assert BA_NUMBER in got.text and "sudah ditandatangani" in got.text, got.text
    assert await desk.file_bytes(kasi, got) == signed_pdf

    kadis = desk.person("kepala_dinas")
    seen = await desk.transcript(kadis)
    [ba_card] = cards(seen, BA_NUMBER)
    assert f"Dokumen ber-TTE: {signed.filename}" in ba_card.edits[-1], ba_card.edits
    if kadis.platform == "web":
        # the page shows the edit's document in the card: the signed one, no longer the draft
        assert ba_card.document == signed.filename
        carried = ba_card
    else:
        # Telegram: the PDF follows the edited card; WhatsApp: it is the reply quoting it
        [carried] = [m for m in seen if m.document == signed.filename]
    assert await desk.file_bytes(kadis, carried) == signed_pdf

    assert desk.wa is not None
    [upt] = [m for m in desk.wa.sent(UPT) if m.type == "template" and _has_document(m.content)]
    assert BA_NUMBER in _body(upt.content)
    header = upt.content["components"][0]["parameters"][0]["document"]
    media = desk.wa.media.get(header["id"])
    assert media is not None and media.data == signed_pdf


def _body(content: dict[str, Any]) -> str:
    for component in content.get("components") or []:
        if component.get("type") == "body":
            return " ".join(p.get("text", "") for p in component.get("parameters", []))
    return ""


def _has_document(content: dict[str, Any]) -> bool:
    return any(c.get("type") == "header" for c in content.get("components") or [])


async def check_the_books(desk: Desk, number: str) -> None:
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.status == CASE_CLOSED
        report = await verify_chain(VerifyAuditChain(), uow, desk.office)
        failed = [o for o in await uow.outbox.listing(status="failed")]
        pending = [o for o in await uow.outbox.listing(status="pending")]
    assert report.ok
    assert failed == [] and pending == []


async def _step_of(desk: Desk, number: str) -> str:
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None
        return case.step


def _label(step: Step, action: str) -> str:
    found = step.action(action)
    assert found is not None
    return found.label

"""The channel-neutral chat layer end to end: forms, presses, prompts, PIN, BA picker."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from staffbot.app.commands.staff import AddStaff
from staffbot.bootstrap import build_bus
from staffbot.channels.base import (
    Answer,
    ChoicePressed,
    CommandReceived,
    FileReceived,
    TextReceived,
)
from staffbot.channels.web import WebChannel
from staffbot.chat.service import ChatService
from staffbot.dispatcher import OutboxDispatcher
from tests.support import (
    FORM,
    PIN,
    ROSTER,
    Desk,
    counts,
    differences,
    siak_signed_pdf,
    snapshot,
    tiny_pdf,
)

_ids = itertools.count(1)
AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


class Chats:
    """Staff talking to the bot on the web channel, as the browser would."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.chat = ChatService(desk.bus)
        web = WebChannel()
        self.dispatcher = OutboxDispatcher(
            desk.db, {"web": web, "whatsapp": web}, clock=desk.office.clock
        )

    async def staff_id(self, role: str) -> str:
        """The chat of the demo holder of ``role`` (or of the staff member with that NIP)."""
        async with self.desk.db.uow(readonly=True) as uow:
            staff = await uow.staff.by_nip(ROSTER.get(role, role))
            assert staff is not None
            return str(staff.id)

    async def send(self, role: str, event_type: type, **fields: Any) -> Answer:
        who = await self.staff_id(role)
        event = event_type(
            channel="web", chat_id=who, user_id=who, at=AT, update_id=f"u{next(_ids)}", **fields
        )
        answer = await self.chat.handle(event)
        await self.dispatcher.drain()
        return answer

    async def messages(self, role: str) -> list[dict[str, Any]]:
        who = await self.staff_id(role)
        async with self.desk.db.uow(readonly=True) as uow:
            rows = await uow.outbox.for_chat("web", who)
        return [
            {"id": r.id, "kind": r.kind, "ref": r.ref_id, "status": r.status, **r.payload}
            for r in rows
        ]

    async def last(self, role: str) -> dict[str, Any]:
        return (await self.messages(role))[-1]

    async def press(self, role: str, label: str) -> Answer:
        """Press the newest button with this label in the role's chat."""
        for message in reversed(await self.messages(role)):
            for choice in message.get("choices", []):
                if choice["label"] == label:
                    return await self.send(role, ChoicePressed, token=choice["token"])
        raise AssertionError(f"no button {label!r} for {role}")


@pytest.fixture
async def chats(desk: Desk) -> Chats:
    return Chats(desk)


async def record_case(chats: Chats) -> str:
    cc = "petugas_call_center"
    await chats.send(cc, CommandReceived, command="baru")
    for answer in ("Siti Aminah", "1806054501900001", "0812 3456 7890"):
        await chats.send(cc, TextReceived, text=answer)
    await chats.press(cc, "Kota Agung")
    await chats.press(cc, "KTP-el")
    await chats.send(cc, TextReceived, text="KTP hilang")
    await chats.press(cc, "Simpan")
    saved = await chats.last(cc)
    assert "Pengaduan dicatat" in saved["text"]
    return "PO-2026-00001"


async def test_intake_form_validates_each_answer(chats: Chats) -> None:
    cc = "petugas_call_center"
    await chats.send(cc, CommandReceived, command="baru")
    await chats.send(cc, TextReceived, text="Siti Aminah")
    await chats.send(cc, TextReceived, text="12345")
    texts = [m["text"] for m in await chats.messages(cc)][-2:]
    assert texts == ["NIK harus 16 digit angka.", "(2/6) NIK pemohon (16 digit)?"]
    await chats.send(cc, CommandReceived, command="batal")
    assert (await chats.last(cc))["text"] == "Isian dibatalkan."


async def test_a_whole_case_through_the_chat(chats: Chats) -> None:
    number = await record_case(chats)
    desk = chats.desk
    steps = [
        ("operator_penerima_wa", "Teruskan"),
        ("operator_pengangkat_data", "Selesai"),
        ("operator_cetak_berkas", "Selesai"),
        ("petugas_loket_pendaftaran", "Setujui"),
        ("kasi_identitas_penduduk", "Setujui"),
    ]
    for role, label in steps:
        card = await chats.last(role)
        assert card["kind"] == "card" and number in card["text"]
        answer = await chats.press(role, label)
        assert answer.text.startswith("✔")
        edited = (await chats.messages(role))[-1]
        assert edited["kind"] == "edit" and edited["ref"] == card["id"]
        assert "choices" not in edited and "oleh" in edited["text"]
    # step 8: the operator has the standard letter generated
    await chats.press("operator", "Ajukan TTE")
    answer = await chats.press("operator", "Buat Surat Tanggapan")
    assert answer.text == "✔ Diajukan TTE: PO-2026-00001"
    # step 9: the Kepala Dinas signs with his PIN; the PIN message is deleted
    kadis = "kepala_dinas"
    card = await chats.last(kadis)
    assert card["attachment"]["filename"].startswith("surat-tanggapan")
    await chats.press(kadis, "Tanda Tangani")
    answer = await chats.send(kadis, TextReceived, text=PIN, message_id="pin-msg-1")
    assert answer.text == "✔ Ditandatangani: PO-2026-00001"
    deletes = [m for m in await chats.messages(kadis) if m["kind"] == "delete"]
    assert [d["message_id"] for d in deletes] == ["pin-msg-1"]
    for role, label in [
        ("operator", "Selesai"),
        ("kepala_bidang", "Paraf"),
        ("petugas_pemilah_berkas", "Selesai"),
        ("operator_pengirim_pdf", "Kirim PDF"),
    ]:
        await chats.press(role, label)
    # step 14: the BA picker, then step 15 signed with the PIN
    await chats.press("kasi_inovasi", "Buat BA")
    await chats.press("kasi_inovasi", "Semua (1)")
    assert (
        "Berita Acara 470/1/BA/DISDUKCAPIL/2026 dibuat"
        in (await chats.last("kasi_inovasi"))["text"]
    )
    await chats.press(kadis, "Tanda Tangani")
    answer = await chats.send(kadis, TextReceived, text=PIN, message_id="pin-msg-2")
    assert answer.text == "✔ Ditandatangani: 470/1/BA/DISDUKCAPIL/2026"
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.status == "closed"
        kinds = [d.kind for d in await uow.documents.of_case(case.id or 0)]
        ba_docs = [d.kind for d in await uow.documents.of_ba(case.ba_id or 0)]
    assert kinds == ["berkas_cetak", "bukti_pendaftaran", "hasil", "hasil_ttd"]
    assert ba_docs == ["berita_acara", "berita_acara_ttd"]


async def test_wrong_pin_keeps_the_prompt_and_deletes_the_message(chats: Chats) -> None:
    number = await record_case(chats)
    await chats.desk.advance_to(number, "ttd_kadis")
    await chats.press("kepala_dinas", "Tanda Tangani")
    answer = await chats.send("kepala_dinas", TextReceived, text="999999", message_id="m1")
    assert answer.alert and answer.text == "PIN salah. Sisa percobaan: 4."
    answer = await chats.send("kepala_dinas", TextReceived, text=PIN, message_id="m2")
    assert answer.text == f"✔ Ditandatangani: {number}"
    deletes = [
        m["message_id"] for m in await chats.messages("kepala_dinas") if m["kind"] == "delete"
    ]
    assert deletes == ["m1", "m2"]


async def test_prompts_of_two_cards_wait_side_by_side(chats: Chats) -> None:
    """Tanda Tangani on A, then Tolak on B: the reason goes to B, the PIN to A, and each
    reply names its case (before, the second press silently dropped the first)."""
    kadis = "kepala_dinas"
    a = await record_case(chats)
    b = (await chats.desk.new_case()).number
    for number in (a, b):
        await chats.desk.advance_to(number, "ttd_kadis")

    async def press_on(number: str, label: str) -> None:
        for message in reversed(await chats.messages(kadis)):
            if number in message["text"] and message["kind"] == "card":
                [token] = [c["token"] for c in message["choices"] if c["label"] == label]
                await chats.send(kadis, ChoicePressed, token=token)
                return
        raise AssertionError(f"no card of {number}")

    await press_on(a, "Tanda Tangani")
    await press_on(b, "Tolak")
    answer = await chats.send(kadis, TextReceived, text="Data belum lengkap")
    assert answer.text == f"✔ Ditolak: {b}"
    assert f"Masih menunggu PIN untuk {a}." in (await chats.last(kadis))["text"]
    answer = await chats.send(kadis, TextReceived, text=PIN, message_id="m1")
    assert answer.text == f"✔ Ditandatangani: {a}"
    assert (await chats.desk.step_of(a), await chats.desk.step_of(b)) == (
        "cetak_dokumen",
        "entri_data",
    )


async def test_reject_asks_for_a_reason(chats: Chats) -> None:
    number = await record_case(chats)
    await chats.press("operator_penerima_wa", "Tolak")
    prompt = await chats.last("operator_penerima_wa")
    assert prompt["text"] == f"Tulis alasan untuk <b>Ditolak</b> kasus {number} (atau /batal):"
    answer = await chats.send("operator_penerima_wa", TextReceived, text="Foto KTP buram")
    assert answer.text == f"✔ Ditolak: {number}"
    async with chats.desk.db.uow(readonly=True) as uow:
        rows = await uow.outbox.for_case(1)
    applicant = [r for r in rows if r.kind == "applicant"]
    assert "Foto KTP buram" in applicant[-1].payload["text"]


async def test_forged_foreign_and_replayed_tokens_change_nothing(chats: Chats) -> None:
    await record_case(chats)
    card = await chats.last("operator_penerima_wa")
    token = card["choices"][0]["token"]
    before = await counts(chats.desk.db)
    forged = await chats.send("operator_penerima_wa", ChoicePressed, token="bukan-token")
    foreign = await chats.send("operator", ChoicePressed, token=token)
    assert forged.text == foreign.text == "Tombol ini tidak dikenal atau bukan untuk Anda."
    assert await counts(chats.desk.db) == before
    await chats.send("operator_penerima_wa", ChoicePressed, token=token)
    before = await counts(chats.desk.db)
    replay = await chats.send("operator_penerima_wa", ChoicePressed, token=token)
    assert replay.text == "Sudah diproses oleh Andi Saputra pada 09:00."
    assert await counts(chats.desk.db) == before


async def test_a_redelivered_update_is_processed_once(chats: Chats) -> None:
    await record_case(chats)
    who = await chats.staff_id("operator_penerima_wa")
    token = (await chats.last("operator_penerima_wa"))["choices"][0]["token"]
    event = ChoicePressed(
        channel="web", chat_id=who, user_id=who, at=AT, update_id="same", token=token
    )
    first = await chats.chat.handle(event)
    before = await counts(chats.desk.db)
    second = await chats.chat.handle(event)
    assert first.text.startswith("✔") and second.text == ""
    assert await counts(chats.desk.db) == before


async def test_applicant_files_arrive_on_the_case(chats: Chats) -> None:
    number = await record_case(chats)

    async def fetch() -> bytes:
        return tiny_pdf("kk")

    event = FileReceived(
        channel="whatsapp",
        chat_id="+6281234567890",
        user_id="+6281234567890",
        at=AT,
        update_id="wamid.1",
        filename="kk.pdf",
        mime_type="application/pdf",
        fetch=fetch,
    )
    await chats.chat.handle(event)
    await chats.dispatcher.drain()
    async with chats.desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        files = await uow.documents.of_case(case.id or 0, "berkas")  # type: ignore[union-attr]
    assert [f.filename for f in files] == ["kk.pdf"]
    card = await chats.last("operator_penerima_wa")
    assert "📎 Berkas dari pemohon: 1 (kk.pdf)" in card["text"]


async def test_sign_all_with_one_pin(chats: Chats) -> None:
    numbers = []
    for _ in range(3):
        result = await chats.desk.new_case()
        await chats.desk.advance_to(result.number, "ttd_kadis")
        numbers.append(result.number)
    await chats.send("kepala_dinas", CommandReceived, command="tugas")
    await chats.press("kepala_dinas", "✍ Tanda tangani semua (3)")
    answer = await chats.send("kepala_dinas", TextReceived, text=PIN, message_id="p")
    assert answer.text == f"✔ Ditandatangani: {numbers[-1]}"
    for number in numbers:
        assert await chats.desk.step_of(number) == "cetak_dokumen"
    async with chats.desk.db.uow(readonly=True) as uow:
        signatures = [e for e in await uow.audit.for_case(1) if e.action == "sign"]
    assert len(signatures) == 1


async def test_reports_from_the_chat_for_kasi_and_above(chats: Chats) -> None:
    await chats.send("kepala_bidang", CommandReceived, command="laporan")
    documents = [m for m in await chats.messages("kepala_bidang") if m.get("attachment")]
    assert [d["attachment"]["filename"][:10] for d in documents] == ["rekap-keca", "mutu-baku-"]
    assert documents[0]["text"].startswith("📊 Rekap per kecamatan")
    await chats.send("operator", CommandReceived, command="laporan")
    assert (await chats.last("operator"))["text"] == "Perintah ini tidak untuk peran Anda."


async def test_search_by_nik_or_phone_from_the_chat_keeps_them_masked(chats: Chats) -> None:
    desk = chats.desk
    first = (await desk.new_case()).number
    second = (await desk.new_case(dataclasses.replace(FORM, layanan="KK"))).number
    role = "kasi_identitas_penduduk"
    line = "{} · Siti Aminah · NIK 1806********0001 · Kota Agung · langkah 3 · dalam proses"
    for query in ("1806054501900001", "1806 0545 0190 0001", "081234567890", "+62 812-3456-7890"):
        await chats.send(role, CommandReceived, command="cari", args=query)
        reply = await chats.last(role)
        assert reply["text"].splitlines() == [
            "<b>Hasil pencarian (2):</b>",
            line.format(second),
            line.format(first),
        ], query
        assert [c["label"] for c in reply["choices"]] == [f"Buka {second}", f"Buka {first}"]
    # opening a result brings the case's card: NIK and phone masked there as well
    await chats.press(role, f"Buka {first}")
    card = await chats.last(role)
    assert card["kind"] == "card" and first in card["text"]
    assert "NIK 1806********0001" in card["text"] and "+62 812-****-7890" in card["text"]
    # nowhere in this chat does the full NIK or phone number appear
    for message in await chats.messages(role):
        text = json.dumps(message)
        assert "1806054501900001" not in text and "81234567890" not in text
    await chats.send(role, CommandReceived, command="cari", args="0812 9999 0000")
    assert (await chats.last(role))["text"] == "Tidak ada kasus yang cocok."
    await chats.send(role, CommandReceived, command="cari", args="")
    assert (await chats.last(role))["text"] == "Tulis: /cari &lt;nomor kasus, NIK atau nomor WA&gt;"


async def test_search_results_say_the_status_in_the_chats_language(chats: Chats) -> None:
    desk = chats.desk
    running = (await desk.new_case()).number
    finished = (await desk.new_case()).number
    async with desk.uow() as uow:  # as if the whole SOP had run: only the word matters here
        case = await uow.cases.by_number(finished)
        assert case is not None
        await uow.cases.set_fields(case, status="closed")
        await uow.commit()
    role = "kasi_identitas_penduduk"
    masked = "Siti Aminah · NIK 1806********0001 · Kota Agung"

    async def found() -> list[str]:
        await chats.send(role, CommandReceived, command="cari", args="1806054501900001")
        return [str(line) for line in (await chats.last(role))["text"].splitlines()[1:]]

    assert await found() == [
        f"{finished} · {masked} · langkah 3 · selesai",
        f"{running} · {masked} · langkah 3 · dalam proses",
    ]
    # STAFFBOT_LANGUAGE=en: the same database, an office built in English
    chats.chat = ChatService(build_bus(desk.db, dataclasses.replace(desk.office, language="en")))
    assert await found() == [
        f"{finished} · {masked} · step 3 · completed",
        f"{running} · {masked} · step 3 · in progress",
    ]


LINA = "199512122020122013"


async def second_receiver(desk: Desk) -> str:
    """Lina holds the WA receiver's role (step 3) beside Andi."""
    await desk.bus.handle(AddStaff(name="Lina Marlina", nip=LINA, roles=("operator_penerima_wa",)))
    return LINA


async def test_every_holder_sees_the_outcome_and_a_stale_card_changes_nothing(
    chats: Chats,
) -> None:
    andi, lina = "operator_penerima_wa", await second_receiver(chats.desk)
    number = (await chats.desk.new_case()).number
    await chats.dispatcher.drain()
    cards = {}
    for who in (andi, lina):
        [cards[who]] = [m for m in await chats.messages(who) if m["kind"] == "card"]
        assert number in cards[who]["text"] and cards[who]["status"] == "sent"
        assert [c["label"] for c in cards[who]["choices"]] == [
            "Teruskan",
            "Tolak",
            "📎 Berkas pemohon",
        ]
    answer = await chats.press(andi, "Teruskan")
    assert answer.text == f"✔ Diteruskan: {number}"
    outcome = "\n\n<b>✔ Diteruskan oleh Andi Saputra, 09:00</b>"
    for who in (andi, lina):
        edited = (await chats.messages(who))[-1]
        assert (edited["kind"], edited["ref"], edited["status"]) == (
            "edit",
            cards[who]["id"],
            "sent",
        )
        assert edited["text"] == cards[who]["text"] + outcome
        assert "choices" not in edited
    # Lina's card is stale now: pressing it is answered politely and changes nothing
    before = await snapshot(chats.desk.db)
    for label in ("Teruskan", "Tolak"):
        [token] = [c["token"] for c in cards[lina]["choices"] if c["label"] == label]
        stale = await chats.send(lina, ChoicePressed, token=token)
        assert stale.alert and stale.text == "Sudah diproses oleh Andi Saputra pada 09:00."
    assert differences(before, await snapshot(chats.desk.db)) == {}
    assert await chats.desk.step_of(number) == "angkat_data"


async def test_ambil_takes_the_task_and_the_other_holder_is_told(chats: Chats) -> None:
    andi, lina = "operator_penerima_wa", await second_receiver(chats.desk)
    number = (await chats.desk.new_case()).number
    await chats.dispatcher.drain()
    cards = {}
    for who in (andi, lina):
        [cards[who]] = [m for m in await chats.messages(who) if m["kind"] == "card"]
    await chats.send(lina, CommandReceived, command="ambil", args=number)
    assert (await chats.last(lina))["text"] == (
        f"✔ Kasus {number} (langkah 3) kini Anda pegang; rekan lain tidak dapat lagi memprosesnya."
    )
    # Andi's card says who took it and loses its buttons; Lina's card keeps them
    edited = (await chats.messages(andi))[-1]
    assert (edited["kind"], edited["ref"], edited["status"]) == ("edit", cards[andi]["id"], "sent")
    assert edited["text"] == cards[andi]["text"] + "\n\n<b>👤 Diambil oleh Lina Marlina, 09:00</b>"
    assert "choices" not in edited
    assert not [m for m in await chats.messages(lina) if m["kind"] == "edit"]
    # Andi can neither press his old card nor take the task himself
    before = await snapshot(chats.desk.db)
    stale = await chats.send(andi, ChoicePressed, token=cards[andi]["choices"][0]["token"])
    refusal = "Tugas ini sudah diambil oleh Lina Marlina pada 09:00."
    assert stale.alert and stale.text == refusal
    assert differences(before, await snapshot(chats.desk.db)) == {}
    await chats.send(andi, CommandReceived, command="ambil", args=number.lower())
    assert (await chats.last(andi))["text"] == refusal
    await chats.send(lina, CommandReceived, command="ambil", args=number)
    assert (await chats.last(lina))["text"] == f"Kasus {number} sudah Anda pegang."
    await chats.send(lina, CommandReceived, command="ambil", args="")
    assert (await chats.last(lina))["text"] == "Tulis: /ambil &lt;nomor kasus&gt;"
    # Lina's own card works; then both cards show the outcome
    answer = await chats.press(lina, "Teruskan")
    assert answer.text == f"✔ Diteruskan: {number}"
    assert await chats.desk.step_of(number) == "angkat_data"
    for who in (andi, lina):
        last = (await chats.messages(who))[-1]
        assert last["kind"] == "edit" and last["ref"] == cards[who]["id"]
        assert last["text"].endswith("<b>✔ Diteruskan oleh Lina Marlina, 09:00</b>")


async def test_the_intake_summary_keeps_the_answers_and_corrects_one(chats: Chats) -> None:
    """An unknown reply at the summary says what it takes and keeps all six answers;
    "ubah nik" goes back to that one question, then to the summary, then Simpan saves."""
    cc = "petugas_call_center"
    await chats.send(cc, CommandReceived, command="baru")
    for answer in ("Siti Aminah", "1806054501900001", "0812 3456 7890"):
        await chats.send(cc, TextReceived, text=answer)
    await chats.press(cc, "Kota Agung")
    await chats.press(cc, "KTP-el")
    await chats.send(cc, TextReceived, text="KTP hilang")
    await chats.send(cc, TextReceived, text="oke deh")
    texts = [m["text"] for m in await chats.messages(cc)][-2:]
    assert "Isian belum disimpan dan tetap ada" in texts[0]
    assert "Nama: Siti Aminah" in texts[1] and "Keluhan: KTP hilang" in texts[1]
    await chats.press(cc, "Ubah")
    await chats.press(cc, "NIK")
    assert "(2/6) NIK" in (await chats.last(cc))["text"]
    await chats.send(cc, TextReceived, text="1806054501900002")
    summary = await chats.last(cc)
    assert "NIK: 1806054501900002" in summary["text"] and "Nama: Siti Aminah" in summary["text"]
    await chats.send(cc, TextReceived, text="ubah keluhan")
    await chats.send(cc, TextReceived, text="KTP-el rusak")
    assert "Keluhan: KTP-el rusak" in (await chats.last(cc))["text"]
    await chats.press(cc, "Simpan")
    assert "Pengaduan dicatat" in (await chats.last(cc))["text"]
    async with chats.desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number("PO-2026-00001")
    assert case is not None and (case.nik, case.keluhan) == ("1806054501900002", "KTP-el rusak")


async def test_a_pdf_signed_in_siak_is_confirmed_with_one_press(
    chats: Chats, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Step 8 answered with a PDF that carries the Kepala Dinas's TTE already: his card
    says so, its button confirms (no PIN prompt), and nothing is stamped a second time."""
    upload = await asyncio.to_thread(siak_signed_pdf, tmp_path_factory.mktemp("siak"))
    number = await record_case(chats)
    for role, label in [
        ("operator_penerima_wa", "Teruskan"),
        ("operator_pengangkat_data", "Selesai"),
        ("operator_cetak_berkas", "Selesai"),
        ("petugas_loket_pendaftaran", "Setujui"),
        ("kasi_identitas_penduduk", "Setujui"),
    ]:
        await chats.press(role, label)
    await chats.press("operator", "Ajukan TTE")

    async def fetch() -> bytes:
        return upload

    await chats.send(
        "operator",
        FileReceived,
        filename="kk-siak.pdf",
        mime_type="application/pdf",
        fetch=fetch,
        size=len(upload),
    )
    kadis = "kepala_dinas"
    card = await chats.last(kadis)
    assert "sudah ditandatangani secara elektronik (SIAK)" in card["text"]
    assert [c["label"] for c in card["choices"]] == ["Konfirmasi TTE SIAK", "Tolak"]
    answer = await chats.press(kadis, "Konfirmasi TTE SIAK")
    assert answer.text == f"✔ Ditandatangani: {number}"
    assert not [m for m in await chats.messages(kadis) if "Masukkan PIN" in m.get("text", "")]
    edited = await chats.last(kadis)
    assert edited["kind"] == "edit" and "ditandatangani di SIAK" in edited["text"]
    async with chats.desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.step == "cetak_dokumen"
        [passed_on] = await uow.documents.of_case(case.id or 0, "hasil_ttd")
    assert (chats.desk.office.data_dir / passed_on.path).read_bytes() == upload

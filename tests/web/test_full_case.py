"""One case from the call to the signed Berita Acara, played through the web channel's
HTTP interface only: every step by the staff member of that role, in their own browser."""

from __future__ import annotations

import re
from typing import Any

from staffbot.app.commands.audit import VerifyAuditChain
from staffbot.services.audit import verify_chain
from storage.tables import BA_SIGNED, CASE_CLOSED
from tests.support import ROSTER, tiny_pdf
from tests.web.support import Person, Web, new_id

NUMBER = "PO-2026-00001"
PHONE = "+6281234567890"
AT = "09:00"  # the test clock stands still at 09:00 WIB


def cards_of(shown: dict[int, dict[str, Any]], number: str) -> list[dict[str, Any]]:
    return [m for m in shown.values() if m["kind"] == "card" and number in m["text"]]


def labels(message: dict[str, Any]) -> list[str]:
    return [c["label"] for c in message["choices"]]


async def open_card(person: Person, sop_no: int, number: str = NUMBER) -> dict[str, Any]:
    """The one card of this step in the person's chat, still with its buttons."""
    shown = await person.shown()
    cards = [
        m for m in cards_of(shown, number) if f"Langkah {sop_no} ·" in m["text"] and not m["edited"]
    ]
    assert len(cards) == 1, [m["text"] for m in cards_of(shown, number)]
    return cards[0]


async def act(person: Person, sop_no: int, label: str, outcome: str) -> dict[str, Any]:
    """Press the card's button; the card is then edited: outcome line, no buttons."""
    card = await open_card(person, sop_no)
    answer = await person.press_label(card, label)
    assert not answer["alert"], answer
    edited = (await person.shown())[card["id"]]
    assert edited["edited"] and edited["choices"] == []
    assert edited["text"].endswith(f"<b>✔ {outcome} oleh {person.name}, {AT}</b>"), edited["text"]
    assert edited["text"].startswith(card["text"])
    return edited


async def sign_with_pin(person: Person, card: dict[str, Any]) -> None:
    answer = await person.press_label(card, "Tanda Tangani")
    assert answer["text"] == "Lihat pesan berikut"
    batch = await person.messages()
    assert batch["input"] == "pin"  # the page masks the text box now
    assert "Masukkan PIN tanda tangan" in batch["messages"][-1]["text"]
    pin_id = new_id()
    answer = await person.say("123456", cid=pin_id)
    assert not answer["alert"], answer
    batch = await person.messages()
    assert batch["input"] == "text"
    # the PIN message is deleted from the chat (the page drops its own echo of it)
    assert {"kind": "delete", "message_id": pin_id} in [
        {k: m.get(k) for k in ("kind", "message_id")} for m in batch["messages"]
    ]
    assert all("123456" not in m["text"] for m in batch["messages"])


async def test_one_case_from_the_call_to_the_signed_berita_acara(web: Web) -> None:
    # -- SOP 1-2: the call center records the call with the guided form -----------------
    center = await web.demo_person("Rina Marlina")
    await center.say("/baru")
    assert "Nama lengkap pemohon" in (await center.last())["text"]
    await center.say("Siti Aminah")
    assert "NIK pemohon" in (await center.last())["text"]
    await center.say("1806054501900002x")  # wrong: answered on the spot, asked again
    shown = list((await center.shown()).values())
    assert "NIK" in shown[-2]["text"] and "NIK pemohon" in shown[-1]["text"]
    await center.say("1806054501900001")
    assert "Nomor WhatsApp" in (await center.last())["text"]
    await center.say("0812-3456-7890")
    question = await center.last()
    assert "Kecamatan" in question["text"] and "Kota Agung" in labels(question)
    await center.press_label(question, "Kota Agung")
    question = await center.last()
    assert "Jenis layanan" in question["text"]
    await center.press_label(question, "KTP-el")
    question = await center.last()
    assert "keluhan" in question["text"].lower() and labels(question) == ["Lewati"]
    await center.say("KTP-el hilang, mohon dicetak ulang")
    confirm = await center.last()
    assert "Siti Aminah" in confirm["text"] and "1806054501900001" in confirm["text"]
    assert labels(confirm) == ["Simpan", "Ubah", "Batal"]
    await center.press_label(confirm, "Simpan")
    assert f"Pengaduan dicatat: <b>{NUMBER}</b>" in (await center.last())["text"]
    # buttons of the form questions are spent: the question lost them, and pressing one
    # again (a stale page) changes nothing and is told politely, not as an error
    assert not (await center.shown())[question["id"]]["choices"]
    saved = await center.last()
    stale = await center.press_label(question, "Lewati")
    assert not stale["alert"] and "sudah diambil" in stale["text"], stale
    assert await center.last() == saved

    # -- the applicant (demo WhatsApp inbox) got the instruction and sends a file ---------
    applicant = web.client()
    inbox = await applicant.get("/pemohon")
    assert PHONE in inbox.text
    page = await applicant.get(f"/pemohon/{PHONE}")
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert csrf is not None
    messages = (await applicant.get(f"/pemohon/{PHONE}/api/messages")).json()["messages"]
    assert any("Siti Aminah" in m["text"] and NUMBER in m["text"] for m in messages)
    upload = await applicant.post(
        f"/pemohon/{PHONE}/api/file",
        files={"file": ("kk.pdf", tiny_pdf("KK"), "application/pdf")},
        data={"id": new_id()},
        headers={"X-CSRF-Token": csrf.group(1)},
    )
    assert upload.status_code == 200, upload.text
    await web.drain()
    messages = (await applicant.get(f"/pemohon/{PHONE}/api/messages")).json()["messages"]
    assert "1 berkas diterima" in messages[-1]["text"]

    # -- SOP 3: the WhatsApp operator forwards --------------------------------------------
    wa = await web.person("operator_penerima_wa")
    shown = await wa.shown()
    [card] = cards_of(shown, NUMBER)  # one card per case: the file edited it, no second
    assert "Langkah 3 ·" in card["text"] and "1806********0001" in card["text"]
    assert "1806054501900001" not in card["text"]  # NIK masked at this step
    assert labels(card) == ["Teruskan", "Tolak", "📎 Buka berkas (1)"]
    assert "kk.pdf" in card["text"]  # edited in place, listing the applicant's new file
    await wa.press_label(card, "📎 Buka berkas (1)")  # the file, one tap away
    [kk] = [m for m in (await wa.shown()).values() if m.get("attachment")]
    assert kk["attachment"]["filename"] == "kk.pdf"
    answer = await wa.press_label(card, "Teruskan")
    assert answer["text"] == f"✔ Diteruskan: {NUMBER}"
    shown = await wa.shown()
    edited = shown[card["id"]]  # the card is edited once the task is done
    assert edited["choices"] == []
    assert edited["text"].endswith(f"<b>✔ Diteruskan oleh Andi Saputra, {AT}</b>")
    tasks = await wa.tasks()
    assert tasks == []

    # -- SOP 4-7 ------------------------------------------------------------------------------
    data = await web.person("operator_pengangkat_data")
    card = await open_card(data, 4)
    assert "1806054501900001" in card["text"]  # this step needs the full NIK
    assert [t["number"] for t in await data.tasks()] == [NUMBER]
    await act(data, 4, "Selesai", "Selesai")

    printer = await web.person("operator_cetak_berkas")
    card = await open_card(printer, 5)
    dossier = card.get("attachment")
    await act(printer, 5, "Selesai", "Selesai")

    counter = await web.person("petugas_loket_pendaftaran")
    card = await open_card(counter, 6)
    assert "+6281234567890" in card["text"]  # the counter records the WA number
    assert labels(card) == ["Setujui", "Tolak"]
    await act(counter, 6, "Setujui", "Disetujui")

    kasi = await web.person("kasi_identitas_penduduk")
    card = await open_card(kasi, 7)
    assert "REG-2026-00001" in card["text"]
    await act(kasi, 7, "Setujui", "Disetujui")

    # -- SOP 8: the operator submits the result document for TTE --------------------------
    operator = await web.person("operator")
    card = await open_card(operator, 8)
    assert labels(card) == ["Ajukan TTE"]
    answer = await operator.press_label(card, "Ajukan TTE")
    assert answer["text"] == "Lihat pesan berikut"
    ask = await operator.last()
    assert "Kirim PDF dokumen hasil" in ask["text"]
    answer = await operator.upload(tiny_pdf("KTP-el Siti Aminah"), "hasil ktp.pdf")
    assert answer["text"] == f"✔ Diajukan TTE: {NUMBER}", answer
    edited = (await operator.shown())[card["id"]]
    assert edited["text"].endswith(f"<b>✔ Diajukan TTE oleh Yusuf Hidayat, {AT}</b>")

    # -- SOP 9: the Kepala Dinas signs with his PIN ----------------------------------------
    kadis = await web.person("kepala_dinas")
    card = await open_card(kadis, 9)
    assert labels(card) == ["Tanda Tangani", "Tolak"]
    assert card["attachment"]["filename"] == "hasil ktp.pdf"
    await sign_with_pin(kadis, card)
    edited = (await kadis.shown())[card["id"]]
    assert edited["choices"] == []
    # the card now links the signed letter, not the one he was asked to sign
    signed = edited["attachment"]["filename"]
    assert signed == "hasil ktp-ttd.pdf"
    assert edited["text"].endswith(
        f"<b>✔ Ditandatangani oleh {kadis.name}, {AT}</b>\n📄 Dokumen ber-TTE: {signed}"
    )

    # -- SOP 10-13 --------------------------------------------------------------------------
    await act(operator, 10, "Selesai", "Selesai")
    kabid = await web.person("kepala_bidang")
    await act(kabid, 11, "Paraf", "Diparaf")
    sorter = await web.person("petugas_pemilah_berkas")
    await act(sorter, 12, "Selesai", "Selesai")
    sender = await web.person("operator_pengirim_pdf")
    await act(sender, 13, "Kirim PDF", "PDF dikirim")

    # -- SOP 14: the Kasi Inovasi makes the Berita Acara ----------------------------------
    inovasi = await web.person("kasi_inovasi")
    card = await open_card(inovasi, 14)
    await inovasi.press_label(card, "Buat BA")
    pick = await inovasi.last()
    assert "Kota Agung" in pick["text"] and NUMBER in pick["text"]
    answer = await inovasi.press_label(pick, "Semua (1)")
    assert not answer["alert"], answer
    made = await inovasi.last()
    assert "Berita Acara 470/1/BA/DISDUKCAPIL/2026 dibuat" in made["text"]
    edited = (await inovasi.shown())[card["id"]]
    assert edited["choices"] == [] and "Masuk BA oleh Maya Sari, S.Kom." in edited["text"]

    # -- SOP 15: the Kepala Dinas signs the Berita Acara ----------------------------------
    ba_cards = [
        m
        for m in (await kadis.shown()).values()
        if m["kind"] == "card" and "470/1/BA/DISDUKCAPIL/2026" in m["text"]
    ]
    assert len(ba_cards) == 1 and "Langkah 15 ·" in ba_cards[0]["text"]
    assert NUMBER in ba_cards[0]["text"]
    await sign_with_pin(kadis, ba_cards[0])
    edited = (await kadis.shown())[ba_cards[0]["id"]]
    assert edited["choices"] == []
    signed = edited["attachment"]["filename"]
    assert signed.endswith("-ttd.pdf") and signed != ba_cards[0]["attachment"]["filename"]
    assert f"<b>✔ Ditandatangani oleh {kadis.name}, {AT}</b>" in edited["text"]
    # the Kasi Inovasi who made it gets the signed Berita Acara
    sent = await inovasi.last()
    assert "sudah ditandatangani" in sent["text"] and sent["attachment"]["filename"] == signed

    # -- every person's chat: the cards they got, each edited with the outcome -----------
    people = {
        "operator_penerima_wa": (wa, 1),  # one card, edited when the file came
        "operator_pengangkat_data": (data, 1),
        "operator_cetak_berkas": (printer, 1),
        "petugas_loket_pendaftaran": (counter, 1),
        "kasi_identitas_penduduk": (kasi, 1),
        "operator": (operator, 2),
        "kepala_dinas": (kadis, 2),
        "kepala_bidang": (kabid, 1),
        "petugas_pemilah_berkas": (sorter, 1),
        "operator_pengirim_pdf": (sender, 1),
        "kasi_inovasi": (inovasi, 1),
    }
    for role, (person, expected) in people.items():
        cards = [m for m in (await person.shown()).values() if m["kind"] == "card"]
        assert len(cards) == expected, (role, [c["text"][:60] for c in cards])
        assert all(c["edited"] and c["choices"] == [] for c in cards), role
        assert all(f"oleh {person.name}, {AT}" in c["text"] for c in cards), role
        assert await person.tasks() == [], role
    assert [m for m in (await center.shown()).values() if m["kind"] == "card"] == []

    # -- the end state and the audit trail -----------------------------------------------
    async with web.desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(NUMBER)
        assert case is not None and case.id is not None
        assert case.status == CASE_CLOSED
        ba = await uow.cases.ba_by_number("470/1/BA/DISDUKCAPIL/2026")
        assert ba is not None and ba.status == BA_SIGNED
        events = await uow.audit.for_case(case.id)
        ba_events = await uow.audit.for_ba(ba.id or 0)
        documents = await uow.documents.of_case(case.id)
        ba_documents = await uow.documents.of_ba(ba.id or 0)
        report = await verify_chain(VerifyAuditChain(), uow, web.desk.office)
        names = {s.nip: s.name for s in await uow.staff.all()}
    transitions = [(e.action, e.actor) for e in events if e.kind in ("case_created", "transition")]
    assert [a for a, _ in transitions] == [
        "call",
        "record",
        "forward",
        "done",
        "done",
        "approve",
        "approve",
        "submit_tte",
        "sign",
        "done",
        "paraf",
        "done",
        "send_pdf",
        "make_ba",
        "sign",
    ]
    by_step = dict(
        zip(
            ["record", "forward", "done4", "done5", "approve6", "approve7", "submit_tte", "sign9"],
            transitions[1:9],
            strict=True,
        )
    )
    assert by_step["record"][1] == names[ROSTER["petugas_call_center"]]
    assert by_step["forward"][1] == names[ROSTER["operator_penerima_wa"]]
    assert by_step["sign9"][1] == names[ROSTER["kepala_dinas"]]
    assert transitions[-1][1] == names[ROSTER["kepala_dinas"]]
    assert any(e.kind == "applicant_file" for e in events)
    assert report.ok
    # the documents the steps produce: the applicant's file, the result, the signed
    # result (SOP 9) and the signed Berita Acara (SOP 15)
    kinds = {d.kind for d in documents}
    assert {"berkas", "hasil"} <= kinds
    assert any(d.signed for d in documents), f"no signed result document: {sorted(kinds)}"
    assert any(d.signed for d in ba_documents), "no signed Berita Acara document"
    assert any(e.kind == "transition" and e.action == "sign" for e in ba_events)
    # the applicant got the finished, signed document over "WhatsApp" (SOP 13)
    messages = (await applicant.get(f"/pemohon/{PHONE}/api/messages")).json()["messages"]
    sent = [m["attachment"] for m in messages if m.get("attachment")]
    assert sent and all(a["url"].startswith("/pemohon/%2B6281234567890/documents/") for a in sent)
    pdf = await applicant.get(sent[-1]["url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    signed_ids = {d.id for d in documents if d.signed}
    assert any(a["id"] in signed_ids for a in sent)
    # the documents the staff saw are downloadable by staff
    if dossier:
        download = await kabid.client.get(dossier["url"])
        assert download.status_code == 200
        assert download.headers["content-disposition"].startswith("attachment;")
        assert download.headers["cache-control"] == "no-store, private"

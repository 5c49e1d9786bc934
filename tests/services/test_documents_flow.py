"""Every document of the SOP is produced in a full flow and reads back right; signed
ones validate against the office root; a changed byte is caught."""

from __future__ import annotations

import io

from pypdf import PdfReader

from staffbot.app.commands.reports import MakeReport
from staffbot.app.commands.verification import CheckFile
from staffbot.services import reports
from staffbot.services.files import read_blob
from staffbot.services.verification import check_file
from tests.support import HAPPY, Desk


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


async def test_documents_of_a_full_flow(desk: Desk) -> None:
    numbers = [(await desk.new_case()).number for _ in range(2)]
    for number in numbers:
        while (step := await desk.step_of(number)) != "buat_ba":
            await desk.act(number, HAPPY[step])
    [ba] = await desk.make_ba(*numbers)
    await desk.act(numbers[0], "sign", role="kepala_dinas")
    office = desk.office
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(numbers[0])
        assert case is not None and case.id is not None
        docs = {d.kind: d for d in await uow.documents.of_case(case.id)}
        ba_docs = {d.kind: d for d in await uow.documents.of_ba(case.ba_id or 0)}
    assert set(docs) == {"berkas_cetak", "bukti_pendaftaran", "hasil", "hasil_ttd"}
    assert set(ba_docs) == {"berita_acara", "berita_acara_ttd"}

    bukti = text_of(read_blob(office, docs["bukti_pendaftaran"]))
    # one number: the nomor pengaduan; the register's number stays the office's own
    assert "PO-2026-00001" in bukti and "REG-2026-00001" not in bukti
    assert "1806********0001" in bukti and "1806054501900001" not in bukti
    assert "Siti Aminah" in bukti and "Kota Agung" in bukti
    cover = text_of(read_blob(office, docs["berkas_cetak"]))
    assert "PO-2026-00001" in cover and "KTP-el" in cover
    letter = text_of(read_blob(office, docs["hasil"]))
    assert "Tanggapan Pengaduan" in letter and "Ahmad Fauzi" in letter
    ba_text = text_of(read_blob(office, ba_docs["berita_acara"]))
    assert ba.number in ba_text and "BERITA ACARA" in ba_text.upper()
    assert all(n in ba_text for n in numbers) and "Kota Agung" in ba_text

    async with desk.db.uow(readonly=True) as uow:
        for kind in ("hasil_ttd", "berita_acara_ttd"):
            signed = read_blob(office, (docs | ba_docs)[kind])
            verdict = await check_file(CheckFile(signed), uow, office)
            assert verdict.known and verdict.signature_ok and verdict.matches_record
            assert verdict.signer == "Ahmad Fauzi, S.STP., M.Si."
            tampered = bytearray(signed)
            tampered[len(tampered) // 3] ^= 0x20
            changed = await check_file(CheckFile(bytes(tampered)), uow, office)
            assert not changed.known and not changed.signature_ok

    async with desk.db.uow() as uow:
        month = reports.month_so_far(office)
        counts = await reports.rekap_counts(uow, office, month)
        steps, roles = await reports.mutu_baku_rows(uow, office, month)
        rekap = await reports.make_report(MakeReport("rekap", month), uow, office)
        mutu = await reports.make_report(MakeReport("mutu_baku", month), uow, office)
        sop = await reports.make_report(MakeReport("sop"), uow, office)
        rekap_pdf, mutu_pdf, sop_pdf = rekap.pdf, mutu.pdf, sop.pdf
        await uow.commit()
    assert [(c.kecamatan, c.layanan, c.count) for c in counts] == [("Kota Agung", "KTP-el", 2)]
    loket = next(r for r in steps if r.no == "6")
    assert loket.count == 2 and loket.within_share == 1.0 and loket.waktu == "1 hari"
    assert any(r.label == "Kepala Dinas" and r.count == 3 for r in roles)
    rekap_text = text_of(rekap_pdf)
    assert "Kota Agung" in rekap_text and "Gisting" in rekap_text
    assert "Mutu Baku" in text_of(mutu_pdf) or "MUTU BAKU" in text_of(mutu_pdf)
    sop_text = text_of(sop_pdf)
    assert "Berita Acara" in sop_text and "Kepala Dinas" in sop_text

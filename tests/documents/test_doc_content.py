"""What the documents of a full flow say, read back from the PDFs.

* Every document's QR code leads to the record it stands for, and that record's page
  says what the document is. The QR is decoded from the rendered page (pypdfium2 draws
  the page with its signature widgets, zxing-cpp reads the codes; both are PyPI wheels
  without system libraries), and where the renderer also prints the URL (bukti
  pendaftaran, Berita Acara) the printed text is checked too. Every QR on a signed
  document (the Berita Acara's printed one and the stamp's) leads to the signed record.
* The rekap PDF carries the right count per kecamatan for a known set of cases.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from dataclasses import replace

from docsupport import qr_targets, text_of, web_client

from staffbot.app.commands.reports import MakeReport, Period, ReportKind
from staffbot.services import reports
from staffbot.services.documents import status_url, verify_url
from staffbot.services.files import read_blob
from staffbot.services.verification import KIND_LABELS
from storage.tables import Document
from tests.support import FORM, Desk

#: Kinds whose renderer prints the QR's URL under the QR code.
PRINTS_URL = {"bukti_pendaftaran"}
#: The standard letter (step 8) and the Berita Acara (step 14) carry no QR of their own:
#: their QR arrives with the signature stamp, on the signed copy (`hasil_ttd`, ...).
NO_QR = {"hasil", "berita_acara"}
#: Drafts the Kepala Dinas signed: their signed copy replaced them.
SIGNED_DRAFTS = {"hasil": "hasil_ttd", "berita_acara": "berita_acara_ttd"}
ALL_KINDS = set(KIND_LABELS)


async def _every_document(desk: Desk) -> tuple[list[Document], str]:
    """A full flow for two cases up to the signed Berita Acara, then the three reports;
    with the first case's status code."""
    numbers = [(await desk.new_case()).number for _ in range(2)]
    for number in numbers:
        await desk.advance_to(number, "buat_ba")
    await desk.make_ba(*numbers)
    await desk.act(numbers[0], "sign", role="kepala_dinas")
    office = desk.office
    async with desk.db.uow() as uow:
        month = reports.month_so_far(office)
        kinds: tuple[tuple[ReportKind, Period | None], ...] = (
            ("rekap", month),
            ("mutu_baku", month),
            ("sop", None),
        )
        report_ids = [
            (await reports.make_report(MakeReport(kind, period), uow, office)).document_id
            for kind, period in kinds
        ]
        await uow.commit()
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(numbers[0])
        assert case is not None and case.id is not None and case.ba_id is not None
        assert case.status_code is not None
        documents = [*await uow.documents.of_case(case.id), *await uow.documents.of_ba(case.ba_id)]
        for document_id in report_ids:
            report = await uow.documents.get(document_id)
            assert report is not None
            documents.append(report)
    return documents, case.status_code


async def test_each_documents_qr_leads_to_the_record_it_stands_for(desk: Desk) -> None:
    documents, status_code = await _every_document(desk)
    by_kind = {d.kind: d for d in documents}
    assert set(by_kind) == ALL_KINDS and len(by_kind) == len(documents)
    codes = [d.verify_code for d in documents]
    assert all(codes) and len(set(codes)) == len(codes)

    async with web_client(desk) as client:
        for document in documents:
            assert document.verify_code is not None
            own = verify_url(desk.office, document.verify_code)
            if document.kind == "bukti_pendaftaran":
                expected = status_url(desk.office, status_code)  # the applicant's QR
            elif document.kind in SIGNED_DRAFTS:
                # its printed QR now names its signed copy, which took the code over
                signed_copy = by_kind[SIGNED_DRAFTS[document.kind]]
                assert signed_copy.verify_code is not None
                expected = verify_url(desk.office, signed_copy.verify_code)
            else:
                expected = own
            pdf = await asyncio.to_thread(read_blob, desk.office, document)
            targets = await asyncio.to_thread(qr_targets, pdf)
            if document.kind in NO_QR:
                assert targets == [], document.kind
            else:
                # every QR on the page, the stamp's included, leads to one record
                assert targets and set(targets) == {expected}, (document.kind, targets)
            if document.kind in PRINTS_URL:
                assert expected in " ".join(text_of(pdf)), document.kind

            page = await client.get(f"/v/{document.verify_code}")
            assert page.status_code == 200, document.kind
            assert KIND_LABELS[document.kind] in page.text
            assert document.sha256 in page.text
            if document.signed:
                assert "✔ Dokumen sah dan sudah ditandatangani" in page.text
                assert "Ditandatangani oleh" in page.text and "Ahmad Fauzi" in page.text
                assert "sertifikat internal Disdukcapil" in page.text
                assert "BSrE, BSSN" not in page.text
            elif document.kind in SIGNED_DRAFTS:
                assert "Versi lama, sudah diganti" in page.text
                assert f'href="/v/{by_kind[SIGNED_DRAFTS[document.kind]].verify_code}"' in (
                    page.text
                )
                assert "Dokumen sah" not in page.text
            else:
                assert "Dokumen terdaftar, tanpa tanda tangan elektronik" in page.text
                assert "Dokumen sah" not in page.text
        unknown = await client.get("/v/tidakAdaKodeIni")
        assert unknown.status_code == 404 and "Dokumen tidak terdaftar" in unknown.text


#: The known set: (kecamatan, layanan) of each case sorted at step 12 ...
SORTED = [
    ("Kota Agung", "KTP-el"),
    ("Kota Agung", "KTP-el"),
    ("Kota Agung", "KK"),
    ("Gisting", "KK"),
    ("Kota Agung Timur", "Akta Kelahiran"),
    ("Kelumbayan Barat", "KIA"),
]
#: ... and of cases still before it, which the rekap must not count.
NOT_YET = [("Bulok", "KK"), ("Gisting", "KTP-el")]


async def test_the_rekap_counts_each_kecamatan_right(desk: Desk) -> None:
    for i, (kecamatan, layanan) in enumerate(SORTED + NOT_YET):
        form = replace(FORM, kecamatan=kecamatan, layanan=layanan, nik=f"180605450190{i + 1:04d}")
        number = (await desk.new_case(form)).number
        target = "kirim_pdf" if i < len(SORTED) else "ttd_kadis"
        await desk.advance_to(number, target)
    office = desk.office
    async with desk.db.uow() as uow:
        month = reports.month_so_far(office)
        pdf = (await reports.make_report(MakeReport("rekap", month), uow, office)).pdf
        await uow.commit()

    text = " ".join(text_of(pdf))
    # numbered and signed, so it can go to the Bupati
    assert "Nomor: 470/1/REKAP/DISDUKCAPIL/2026" in text
    assert "Ahmad Fauzi, S.STP., M.Si. Pembina Utama Muda (IV/c) NIP. 19790303 199810 1 001" in text
    layanan = list(office.reference.layanan)
    cells = rf"((?:\d+ ){{{len(layanan)}}}\d+)"  # one count per layanan, then the total
    expected = Counter(SORTED)
    codes = office.reference.kecamatan_codes
    # rows in the order of the Kemendagri codes, each with its code
    assert office.reference.kecamatan_in_order()[0] == "Kota Agung"
    for i, kecamatan in enumerate(office.reference.kecamatan_in_order(), start=1):
        # "Kota Agung" is a prefix of "Kota Agung Timur": the numbers must follow it.
        code = re.escape(codes[kecamatan])
        row = re.search(rf"(?<!\d){i} {code} {re.escape(kecamatan)} {cells}(?!\d)", text)
        assert row is not None, kecamatan
        *values, total = (int(v) for v in row.group(1).split())
        assert values == [expected[(kecamatan, lay)] for lay in layanan], kecamatan
        assert total == sum(n for (k, _), n in expected.items() if k == kecamatan), kecamatan
    grand = re.search(rf"Jumlah {cells}(?!\d)", text)
    assert grand is not None
    *per_layanan, total = (int(v) for v in grand.group(1).split())
    assert per_layanan == [sum(n for (_, lay), n in expected.items() if lay == x) for x in layanan]
    assert total == len(SORTED)

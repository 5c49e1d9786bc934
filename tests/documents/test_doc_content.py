"""What the documents of a full flow say, read back from the PDFs.

* Every document's QR code points at that document's own verification page, and the
  web app serves that page as valid. The QR is decoded from the rendered page
  (pypdfium2 draws the page with its signature widgets, zxing-cpp reads the codes;
  both are PyPI wheels without system libraries), and where the renderer also prints
  the URL (bukti pendaftaran, Berita Acara) the printed text is checked too.
* The rekap PDF carries the right count per kecamatan for a known set of cases.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections import Counter
from dataclasses import replace

import httpx
import pypdfium2
import zxingcpp
from docsupport import text_of

from staffbot.app.commands.reports import MakeReport, Period, ReportKind
from staffbot.channels.web import WebChannel
from staffbot.chat.service import ChatService
from staffbot.services import reports
from staffbot.services.documents import verify_url
from staffbot.services.files import read_blob
from staffbot.services.verification import KIND_LABELS
from staffbot.web.app import create_web_app
from staffbot.web.deps import WebDeps
from staffbot.web.verify import verification_routes
from storage.tables import Document
from tests.support import FORM, Desk

#: Kinds whose renderer prints the verification URL under the QR code.
PRINTS_URL = {"bukti_pendaftaran"}
#: The standard letter (step 8) and the Berita Acara (step 14) carry no QR of their own:
#: their QR arrives with the signature stamp, on the signed copy (`hasil_ttd`, ...).
NO_QR = {"hasil", "berita_acara"}
ALL_KINDS = set(KIND_LABELS)


def qr_targets(pdf: bytes) -> list[str]:
    """Every QR code on every page, decoded from the page drawn at 200 dpi.

    ``init_forms`` makes pdfium draw the signature widgets, where the stamp's QR is.
    """
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    try:
        document.init_forms()
        found: list[str] = []
        for index in range(len(document)):
            image = document[index].render(scale=200 / 72, may_draw_forms=True).to_pil()
            found += [result.text for result in zxingcpp.read_barcodes(image)]
        return found
    finally:
        document.close()


def web_client(desk: Desk) -> httpx.AsyncClient:
    """The web app as main.py wires it (the verification routes mounted in it)."""

    async def healthy() -> bool:
        return True

    async def metrics() -> str:
        return ""

    app = create_web_app(
        WebDeps(
            office=desk.office,
            bus=desk.bus,
            chat=ChatService(desk.bus),
            channel=WebChannel(),
            public_url=desk.office.reference.public_url,
            demo=False,
            health=healthy,
            metrics=metrics,
            extra_routes=verification_routes(desk.bus),
        )
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def _every_document(desk: Desk) -> list[Document]:
    """A full flow for two cases up to the signed Berita Acara, then the three reports."""
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
        documents = [*await uow.documents.of_case(case.id), *await uow.documents.of_ba(case.ba_id)]
        for document_id in report_ids:
            report = await uow.documents.get(document_id)
            assert report is not None
            documents.append(report)
    return documents


async def test_each_documents_qr_opens_its_own_valid_verification_page(desk: Desk) -> None:
    documents = await _every_document(desk)
    assert {d.kind for d in documents} == ALL_KINDS
    codes = [d.verify_code for d in documents]
    assert all(codes) and len(set(codes)) == len(codes)

    async with web_client(desk) as client:
        for document in documents:
            assert document.verify_code is not None
            url = verify_url(desk.office, document.verify_code)
            assert url.endswith(f"/v/{document.verify_code}")
            pdf = await asyncio.to_thread(read_blob, desk.office, document)
            targets = await asyncio.to_thread(qr_targets, pdf)
            if document.kind in NO_QR:
                assert targets == [], document.kind
            else:
                assert url in targets, (document.kind, targets)
            if document.kind in PRINTS_URL:
                assert url in " ".join(text_of(pdf)), document.kind

            page = await client.get(f"/v/{document.verify_code}")
            assert page.status_code == 200, document.kind
            assert "✔ Dokumen sah" in page.text, document.kind
            assert KIND_LABELS[document.kind] in page.text
            assert document.sha256 in page.text
            if document.signed:
                assert "Ditandatangani oleh" in page.text and "Ahmad Fauzi" in page.text
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

"""The printable dossier: cover sheet, images on pages, PDFs appended, broken files refused."""

from __future__ import annotations

import io

import pytest
from docsupport import NOW, text_of
from fpdf import FPDF
from PIL import Image, ImageDraw
from pypdf import PdfReader

from staffbot.documents.berkas import berkas_cetak, inspect_attachment
from staffbot.documents.errors import BrokenAttachment, DocumentError
from staffbot.documents.model import Attachment, BerkasCetakInput, Letterhead


def image(kind: str, size: tuple[int, int], orientation: int | None = None) -> bytes:
    picture = Image.new("RGB", size, (235, 240, 250))
    ImageDraw.Draw(picture).rectangle((10, 10, size[0] - 10, size[1] - 10), outline=(0, 0, 0))
    out = io.BytesIO()
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        picture.save(out, format=kind, exif=exif)
    else:
        picture.save(out, format=kind)
    return out.getvalue()


def pdf_with(pages: int, label: str) -> bytes:
    doc = FPDF()
    doc.set_font("helvetica", size=14)
    for i in range(pages):
        doc.add_page()
        doc.cell(text=f"{label} halaman {i + 1}")
    return bytes(doc.output())


def dossier(*attachments: Attachment) -> BerkasCetakInput:
    return BerkasCetakInput(
        case_number="PGD-2026-000123",
        registration_number="REG/2026/11/0042",
        applicant_name="Siti Nurhaliza",
        nik="1806123456780001",
        layanan="Perbaikan Data KTP-el",
        kecamatan="Kota Agung",
        received_at=NOW,
        verification_url="http://127.0.0.1:8080/v/8F3K2Q9X",
        attachments=attachments,
    )


def test_cover_then_files_in_order(letterhead: Letterhead) -> None:
    data = dossier(
        Attachment("ktp.jpg", image("JPEG", (1200, 760))),
        Attachment("kartu-keluarga.pdf", pdf_with(2, "Kartu Keluarga")),
        Attachment("akta.png", image("PNG", (600, 900))),
    )
    rendered = berkas_cetak(data, letterhead=letterhead, generated_at=NOW)
    pages = text_of(rendered.pdf)
    assert rendered.page_count == len(pages) == 5
    cover = pages[0]
    assert "LEMBAR SAMPUL BERKAS PERMOHONAN" in cover
    assert "PGD-2026-000123" in cover and "Siti Nurhaliza" in cover
    assert "1806********0001" in cover and "Kota Agung" in cover
    assert "ktp.jpg JPEG 1" in cover
    assert "kartu-keluarga.pdf PDF 2" in cover
    assert "akta.png PNG 1" in cover
    assert "Halaman 1 dari 5" in cover
    assert "Berkas 1 dari 3: ktp.jpg" in pages[1] and "Halaman 2 dari 5" in pages[1]
    assert "Kartu Keluarga halaman 1" in pages[2]
    assert "Kartu Keluarga halaman 2" in pages[3]
    assert "Berkas 3 dari 3: akta.png" in pages[4] and "Halaman 5 dari 5" in pages[4]
    reader = PdfReader(io.BytesIO(rendered.pdf))
    landscape = reader.pages[1].mediabox
    assert float(landscape.width) > float(landscape.height)  # a wide photo gets a wide page


def test_images_only_and_exif_rotation(letterhead: Letterhead) -> None:
    # Orientation 6: the camera was turned; the upright picture is portrait.
    data = dossier(Attachment("foto.jpg", image("JPEG", (1200, 800), orientation=6)))
    rendered = berkas_cetak(data, letterhead=letterhead, generated_at=NOW)
    reader = PdfReader(io.BytesIO(rendered.pdf))
    assert len(reader.pages) == 2
    box = reader.pages[1].mediabox
    assert float(box.width) < float(box.height)


def test_no_files(letterhead: Letterhead) -> None:
    rendered = berkas_cetak(dossier(), letterhead=letterhead, generated_at=NOW)
    (cover,) = text_of(rendered.pdf)
    assert "(tidak ada berkas terlampir)" in cover


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("cut.pdf", pdf_with(1, "x")[:-400]),
        ("not-a-pdf.pdf", b"%PDF-1.7\n" + b"garbage" * 50 + b"\n%%EOF\n"),
        ("cut.jpg", image("JPEG", (800, 600))[:-600]),
        ("bad-crc.png", image("PNG", (300, 300))[:-30] + b"\x00" * 30),
        ("notes.txt", b"just text"),
    ],
)
def test_broken_files_are_refused_by_name(
    letterhead: Letterhead, name: str, content: bytes
) -> None:
    data = dossier(Attachment("ok.png", image("PNG", (200, 200))), Attachment(name, content))
    with pytest.raises(BrokenAttachment) as caught:
        berkas_cetak(data, letterhead=letterhead, generated_at=NOW)
    assert isinstance(caught.value, DocumentError)
    assert caught.value.params["filename"] == name
    assert caught.value.code == "document_broken_file"


def test_inspect_attachment() -> None:
    assert inspect_attachment(Attachment("a.pdf", pdf_with(3, "a"))) == ("pdf", 3)
    assert inspect_attachment(Attachment("b.png", image("PNG", (20, 20)))) == ("png", 1)

"""*Berkas cetak* (SOP step 5): the printable dossier of one case.

A cover sheet (case data, list of files, QR, initials boxes for the counters that
handle the paper), then the applicant's files in the order they came: each image
fitted on its own A4 page, each PDF appended page by page. Pages carry "Halaman x
dari y" over the whole dossier, the applicant's PDF pages excepted (they are printed
as they are).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from staffbot.documents.base import OfficePdf
from staffbot.documents.errors import BrokenAttachment
from staffbot.documents.fonts import FontSet
from staffbot.documents.labels import label
from staffbot.documents.model import (
    Attachment,
    BerkasCetakInput,
    Language,
    Letterhead,
    RenderedPdf,
    mask_nik,
)
from staffbot.documents.tables import Column
from staffbot.documents.text import format_datetime

__all__ = ["berkas_cetak", "inspect_attachment"]

Kind = Literal["pdf", "jpeg", "png"]
_KIND_LABEL = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG"}
_EXIF_ORIENTATION = 0x0112


@dataclass(frozen=True)
class _Inspected:
    attachment: Attachment
    kind: Kind
    pages: int
    image: bytes | None = None
    """The image as fpdf2 should embed it (EXIF rotation applied)."""
    size: tuple[int, int] = (0, 0)
    reader: PdfReader | None = None


def _kind(content: bytes) -> Kind | None:
    if content[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if content[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if b"%PDF-" in content[:1024]:
        return "pdf"
    return None


def inspect_attachment(attachment: Attachment) -> tuple[str, int]:
    """``(kind, pages)`` of an applicant's file, or :class:`BrokenAttachment`.

    Useful at intake (when the file arrives) to refuse a broken file early.
    """
    found = _inspect(attachment)
    return found.kind, found.pages


def _broken(attachment: Attachment, problem: str) -> BrokenAttachment:
    return BrokenAttachment(filename=attachment.filename, problem=problem)


def _inspect(attachment: Attachment) -> _Inspected:
    content = attachment.content
    kind = _kind(content)
    if kind is None:
        raise _broken(attachment, "not a PDF, JPEG or PNG file")
    if kind == "pdf":
        return _inspect_pdf(attachment)
    return _inspect_image(attachment, kind)


def _inspect_pdf(attachment: Attachment) -> _Inspected:
    content = attachment.content
    # pypdf repairs what it can; a file cut short still "opens" with pages missing,
    # so insist on the end-of-file marker that every complete PDF carries.
    if b"%%EOF" not in content[-2048:]:
        raise _broken(attachment, "the PDF is incomplete (no %%EOF)")
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _broken(attachment, "the PDF is password-protected")
        pages = len(reader.pages)
        for page in reader.pages:
            _ = page.mediabox
            page.get_contents()
    except BrokenAttachment:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise _broken(attachment, f"the PDF cannot be read ({exc})") from exc
    if pages == 0:
        raise _broken(attachment, "the PDF has no pages")
    return _Inspected(attachment=attachment, kind="pdf", pages=pages, reader=reader)


def _inspect_image(attachment: Attachment, kind: Kind) -> _Inspected:
    content = attachment.content
    try:
        with Image.open(io.BytesIO(content)) as probe:
            size = probe.size
            orientation = probe.getexif().get(_EXIF_ORIENTATION, 1) if kind == "jpeg" else 1
            if kind == "jpeg":
                # A reduced-size decode (JPEG DCT scaling) is cheap and still reads
                # every scan: a truncated photo fails here instead of printing grey.
                probe.draft("RGB", (max(1, size[0] // 8), max(1, size[1] // 8)))
                probe.load()
        if kind == "png":
            with Image.open(io.BytesIO(content)) as check:
                check.verify()  # every chunk's CRC
        image = content
        if orientation not in (1, None):
            with Image.open(io.BytesIO(content)) as photo:
                upright = ImageOps.exif_transpose(photo)
                buf = io.BytesIO()
                upright.convert("RGB").save(buf, format="JPEG", quality=90)
                image, size = buf.getvalue(), upright.size
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise _broken(attachment, f"the image cannot be read ({exc})") from exc
    return _Inspected(attachment=attachment, kind=kind, pages=1, image=image, size=size)


def berkas_cetak(
    data: BerkasCetakInput,
    *,
    letterhead: Letterhead,
    language: Language = "id",
    generated_at: datetime,
    fonts: FontSet | None = None,
) -> RenderedPdf:
    """Cover sheet plus the applicant's files, ready to print in one go.

    Raises :class:`BrokenAttachment` (a ``DocumentError``) naming the file that
    cannot be read.
    """
    files = [_inspect(a) for a in data.attachments]
    # The cover's own length decides every later page number: measure it first.
    cover = _render(data, files, letterhead, language, generated_at, fonts, None, images=False)
    cover_pages = cover.page_no()
    total = cover_pages + sum(f.pages for f in files)
    numbers: dict[int, int] = {}
    printed = cover_pages
    fpdf_page = cover_pages
    for f in files:
        if f.kind != "pdf":
            fpdf_page += 1
            numbers[fpdf_page] = printed + 1
        printed += f.pages

    def numbering(page: int) -> tuple[int, int]:
        return numbers.get(page, page), total

    pdf = _render(data, files, letterhead, language, generated_at, fonts, numbering, images=True)
    own = pdf.finish()
    if not any(f.kind == "pdf" for f in files):
        return RenderedPdf(pdf=own, page_count=total)
    return RenderedPdf(pdf=_merge(own, cover_pages, files), page_count=total)


def _merge(own: bytes, cover_pages: int, files: list[_Inspected]) -> bytes:
    """Interleave our pages (cover, one per image) with the applicant's PDF pages."""
    ours = PdfReader(io.BytesIO(own))
    writer = PdfWriter()
    for i in range(cover_pages):
        writer.add_page(ours.pages[i])
    next_own = cover_pages
    for f in files:
        if f.reader is None:
            writer.add_page(ours.pages[next_own])
            next_own += 1
            continue
        for page in f.reader.pages:
            writer.add_page(page)
    if ours.metadata:
        writer.add_metadata(dict(ours.metadata))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _render(
    data: BerkasCetakInput,
    files: list[_Inspected],
    letterhead: Letterhead,
    language: Language,
    generated_at: datetime,
    fonts: FontSet | None,
    numbering: Callable[[int], tuple[int, int]] | None,
    *,
    images: bool,
) -> OfficePdf:
    pdf = OfficePdf(
        letterhead=letterhead,
        language=language,
        generated_at=generated_at,
        title=f"{label('berkas_title', language)} {data.case_number}",
        fonts=fonts,
    )
    pdf.numbering = numbering
    pdf.add_page()
    pdf.title_block(label("berkas_title", language))

    qr_size = 30.0
    top = pdf.get_y()
    pdf.qr(data.verification_url, pdf.l_margin + pdf.epw - qr_size, top, qr_size)
    rows = [(label("case_number", language), data.case_number)]
    if data.registration_number:
        rows.append((label("registration_number", language), data.registration_number))
    rows.append((label("applicant", language), data.applicant_name))
    if data.nik:
        rows.append((label("nik", language), mask_nik(data.nik)))
    rows += [
        (label("layanan", language), data.layanan),
        (label("kecamatan", language), data.kecamatan),
        (
            label("received_at", language),
            format_datetime(data.received_at, language, tz=letterhead.tz),
        ),
    ]
    pdf.fields(rows[:1], label_w=40, value_style="B", width=pdf.epw - qr_size - 4)
    pdf.fields(rows[1:], label_w=40, width=pdf.epw - qr_size - 4)
    pdf.set_y(max(pdf.get_y(), top + qr_size) + 6)

    pdf.font(11, "B")
    pdf.cell(0, 6, label("attached_files", language), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    if files:
        columns = [
            Column(label("no", language), 11, "C"),
            Column(label("file_name", language), 110),
            Column(label("file_kind", language), 22, "C"),
            Column(label("file_pages", language), 22, "C"),
        ]
        pdf.data_table(
            columns,
            [
                (str(i), f.attachment.filename, _KIND_LABEL[f.kind], str(f.pages))
                for i, f in enumerate(files, start=1)
            ],
        )
    else:
        pdf.font(10)
        pdf.cell(0, 6, label("no_files", language), new_x="LMARGIN", new_y="NEXT")

    # Initials of the counters the paper passes through (SOP steps 5-7).
    pdf.ln(8)
    if pdf.will_page_break(34):
        pdf.add_page()
    pdf.font(10, "B")
    pdf.cell(0, 6, label("berkas_checked", language), new_x="LMARGIN", new_y="NEXT")
    roles = [label(k, language) for k in ("role_cetak", "role_loket", "role_kasi")]
    width = pdf.epw / 3
    pdf.data_table([Column(r, width, "C") for r in roles], [["\n\n\n"] * 3], size=9, stripes=False)

    for index, f in enumerate(files, start=1):
        if f.image is None or not images:
            continue
        _image_page(pdf, f, index, len(files), data.case_number, language)
    return pdf


def _image_page(
    pdf: OfficePdf, f: _Inspected, index: int, count: int, case: str, language: Language
) -> None:
    width_px, height_px = f.size
    landscape = width_px > height_px
    pdf.add_page(orientation="L" if landscape else "P")
    pdf.font(9)
    pdf.set_text_color(90, 90, 90)
    caption = label(
        "berkas_file_header", language, n=index, total=count, name=f.attachment.filename
    )
    pdf.cell(0, 5, f"{case} · {caption}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(20, 20, 20)
    top = pdf.get_y() + 2
    avail_w = pdf.epw
    avail_h = pdf.h - pdf.b_margin - top - 2
    scale = min(avail_w / width_px, avail_h / height_px)
    w, h = width_px * scale, height_px * scale
    x = pdf.l_margin + (avail_w - w) / 2
    assert f.image is not None
    pdf.image(io.BytesIO(f.image), x=x, y=top, w=w, h=h)

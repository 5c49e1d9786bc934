"""*Bukti Pendaftaran* (SOP step 6): the applicant's proof of registration."""

from __future__ import annotations

from datetime import datetime

from staffbot.documents.base import OfficePdf
from staffbot.documents.fonts import FontSet
from staffbot.documents.labels import label
from staffbot.documents.model import (
    BuktiPendaftaranInput,
    Language,
    Letterhead,
    RenderedPdf,
    mask_nik,
)
from staffbot.documents.text import format_datetime, mask_phone

__all__ = ["bukti_pendaftaran"]


def bukti_pendaftaran(
    data: BuktiPendaftaranInput,
    *,
    letterhead: Letterhead,
    language: Language = "id",
    generated_at: datetime,
    fonts: FontSet | None = None,
) -> RenderedPdf:
    """One A4 page: registration data (NIK masked) and a QR to the status page (or,
    without one, to this paper's verification page, and the text says which)."""
    pdf = OfficePdf(
        letterhead=letterhead,
        language=language,
        generated_at=generated_at,
        title=f"{label('bukti_title', language)} {data.case_number}",
        fonts=fonts,
    )
    pdf.add_page()
    pdf.title_block(label("bukti_title", language), label("bukti_subtitle", language))

    # One number: the nomor pengaduan the applicant already has from WhatsApp (step 2)
    # and that every message, the letter and the office's search use. The registration
    # book's number stays the office's own (staff see it on the case's card).
    rows = [
        (label("case_number", language), data.case_number),
        (label("applicant", language), data.applicant_name),
        (label("nik", language), mask_nik(data.nik)),
    ]
    if data.whatsapp:
        rows.append((label("whatsapp", language), mask_phone(data.whatsapp)))
    rows += [
        (label("layanan", language), data.layanan),
        (label("kecamatan", language), data.kecamatan),
        (
            label("registered_at", language),
            format_datetime(data.registered_at, language, tz=letterhead.tz),
        ),
    ]
    pdf.fields(rows[:1], value_style="B", size=12)
    pdf.fields(rows[1:])
    pdf.ln(8)

    # QR and the note in one framed box.
    qr_size = 34.0
    box_h = qr_size + 8
    top = pdf.get_y()
    pdf.set_draw_color(150, 150, 150)
    pdf.set_line_width(0.3)
    pdf.rect(pdf.l_margin, top, pdf.epw, box_h)
    pdf.set_draw_color(0, 0, 0)
    url = data.status_url or data.verification_url
    heading, note = (
        ("bukti_qr", "bukti_note") if data.status_url else ("bukti_qr_verify", "bukti_note_verify")
    )
    pdf.qr(url, pdf.l_margin + 4, top + 4, qr_size)
    text_x = pdf.l_margin + qr_size + 10
    text_w = pdf.epw - qr_size - 14
    pdf.set_xy(text_x, top + 5)
    pdf.font(10.5, "B")
    pdf.cell(text_w, 5.5, label(heading, language), new_x="LEFT", new_y="NEXT")
    pdf.font(9.5)
    pdf.multi_cell(text_w, 4.8, label(note, language), align="L", new_x="LEFT", new_y="NEXT")
    pdf.font(8.5)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(text_w, 4.4, url, align="L", new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(20, 20, 20)
    pdf.set_y(top + box_h + 4)
    return RenderedPdf(pdf=pdf.finish(), page_count=pdf.page_no())

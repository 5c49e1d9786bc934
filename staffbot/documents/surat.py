"""*Surat Tanggapan Pengaduan* (SOP step 8): the reply letter the Kepala Dinas signs."""

from __future__ import annotations

from datetime import datetime

from staffbot.documents.base import OfficePdf
from staffbot.documents.fonts import FontSet
from staffbot.documents.labels import label, tte_note
from staffbot.documents.model import (
    Language,
    Letterhead,
    RenderedPdf,
    SuratTanggapanInput,
    mask_nik,
)
from staffbot.documents.text import format_date, salutation

__all__ = ["surat_tanggapan"]

_LINE = 5.2


def surat_tanggapan(
    data: SuratTanggapanInput,
    *,
    letterhead: Letterhead,
    language: Language = "id",
    generated_at: datetime,
    fonts: FontSet | None = None,
) -> RenderedPdf:
    """The letter, with free space in the signature block for the visible TTE stamp.

    ``RenderedPdf.signature_placement`` gives that space (last page, PDF points).
    """
    pdf = OfficePdf(
        letterhead=letterhead,
        language=language,
        generated_at=generated_at,
        title=f"{data.perihal} {data.nomor}",
        fonts=fonts,
        footer_note=tte_note(data.signer_backend, language),
    )
    pdf.add_page()
    you = salutation(data.nik, language)
    _heading(pdf, data, language, you.short)

    pdf.ln(3)
    pdf.paragraph(label("greeting", language), align="L", gap=1)
    received = format_date(data.complaint_received_at, language, tz=letterhead.tz)
    pdf.paragraph(
        label("surat_opening", language, you=you.long, received=received, case=data.case_number)
    )
    facts = [(label("name", language), data.applicant_name)]
    if data.nik:
        facts.append((label("nik", language), mask_nik(data.nik)))
    facts += [
        (label("kecamatan", language), data.kecamatan),
        (label("layanan", language), data.layanan),
    ]
    pdf.fields(facts, label_w=32, indent=8, line=_LINE)
    pdf.fields(
        [(label("complaint", language), f"“{' '.join(data.complaint.split())}”")],
        label_w=32,
        indent=8,
        line=_LINE,
    )
    pdf.ln(2.5)
    intro = label("surat_response_intro", language)
    pdf.paragraph(intro[0].upper() + intro[1:])
    pdf.paragraph(data.response)
    pdf.paragraph(label("surat_closing", language, you=you.long))

    # Signature block on the right half, kept on one page.
    col_x = pdf.l_margin + pdf.epw * 0.48
    col_w = pdf.epw * 0.52
    heading = [f"{data.signatory.position},"]
    pdf.font(11)
    heading_lines = sum(len(pdf.lines_of(h, col_w)) for h in heading)
    space = 26.0
    if pdf.will_page_break(pdf.signature_height(heading_lines, data.signatory, space) + 4):
        pdf.add_page()
    pdf.ln(3)
    free = pdf.signature_block(
        x=col_x, width=col_w, heading=heading, official=data.signatory, space=space
    )
    placement = pdf.placement(free)

    if data.tembusan:
        pdf.ln(4)
        pdf.font(10)
        needed = 5 + sum(
            5 * len(pdf.lines_of(f"{i}. {t}", pdf.epw)) for i, t in enumerate(data.tembusan)
        )
        if pdf.will_page_break(needed):
            pdf.add_page()
        pdf.set_x(pdf.l_margin)
        pdf.font(10, "U")
        pdf.cell(0, 5, f"{label('tembusan', language)}:", new_x="LMARGIN", new_y="NEXT")
        pdf.font(10)
        for i, name in enumerate(data.tembusan, start=1):
            pdf.multi_cell(0, 5, f"{i}. {name}", align="L", new_x="LMARGIN", new_y="NEXT")

    return RenderedPdf(pdf=pdf.finish(), page_count=pdf.page_no(), signature_placement=placement)


def _heading(pdf: OfficePdf, data: SuratTanggapanInput, language: Language, title: str) -> None:
    """Nomor/Sifat/Lampiran/Perihal on the left; place, date and addressee on the right."""
    top = pdf.get_y()
    right_x = pdf.l_margin + pdf.epw * 0.58
    right_w = pdf.epw * 0.42
    pdf.font(11)
    pdf.set_xy(right_x, top)
    city = pdf.letterhead.city
    date_line = label(
        "place_line", language, city=city, date=format_date(data.letter_date, language)
    )
    pdf.cell(right_w, _LINE, date_line, new_x="LEFT", new_y="NEXT")
    pdf.ln(_LINE * 0.6)
    pdf.set_x(right_x)
    pdf.cell(right_w, _LINE, label("to", language), new_x="LEFT", new_y="NEXT")
    pdf.font(11, "B")
    pdf.multi_cell(
        right_w,
        _LINE,
        label("addressee", language, title=title, name=data.applicant_name),
        align="L",
        new_x="LEFT",
        new_y="NEXT",
    )
    pdf.font(11)
    if data.applicant_address:
        pdf.multi_cell(
            right_w, _LINE, data.applicant_address, align="L", new_x="LEFT", new_y="NEXT"
        )
    pdf.cell(right_w, _LINE, f"{label('at', language)} -", new_x="LEFT", new_y="NEXT")
    pdf.set_x(right_x + 8)
    pdf.font(11, "U")
    pdf.cell(right_w - 8, _LINE, label("place", language).upper(), new_x="LEFT", new_y="NEXT")
    bottom_right = pdf.get_y()

    pdf.set_xy(pdf.l_margin, top + 1.6 * _LINE)
    left_w = pdf.epw * 0.56
    label_w = 20.0
    rows = [
        (label("number", language), data.nomor, ""),
        (label("nature", language), data.sifat, ""),
        (label("attachment", language), data.lampiran, ""),
        (label("subject", language), data.perihal, "B"),
    ]
    for name, value, style in rows:
        y = pdf.get_y()
        pdf.font(11)
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(label_w, _LINE, name)
        pdf.cell(3, _LINE, ":")
        pdf.font(11, style)
        pdf.multi_cell(left_w - label_w - 3, _LINE, value, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.font(11)
    pdf.set_y(max(pdf.get_y(), bottom_right))

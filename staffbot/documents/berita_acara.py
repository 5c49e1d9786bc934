"""*Berita Acara Pengiriman Berkas ke UPT* (SOP step 14, signed at step 15)."""

from __future__ import annotations

from datetime import datetime

from staffbot.documents.base import OfficePdf
from staffbot.documents.fonts import FontSet
from staffbot.documents.labels import label
from staffbot.documents.model import (
    BeritaAcaraInput,
    Language,
    Letterhead,
    Official,
    RenderedPdf,
)
from staffbot.documents.tables import Column
from staffbot.documents.text import format_date, local_time, number_words, written_date

__all__ = ["berita_acara"]


def berita_acara(
    data: BeritaAcaraInput,
    *,
    letterhead: Letterhead,
    language: Language = "id",
    generated_at: datetime,
    fonts: FontSet | None = None,
) -> RenderedPdf:
    """The BA with every case in a table that breaks across pages (header repeated).

    ``signature_placement`` is the Kepala Dinas's block (yang menyerahkan), where the
    TTE stamp goes; the UPT signs on paper in the other block.
    """
    pdf = OfficePdf(
        letterhead=letterhead,
        language=language,
        generated_at=generated_at,
        title=f"{label('ba_title', language)} {data.number}",
        fonts=fonts,
    )
    pdf.add_page()
    pdf.title_block(label("ba_title", language), label("ba_subtitle", language), number=data.number)

    held = local_time(data.held_at, letterhead.tz)
    written = written_date(held.date(), language)
    if language == "id":
        written = written.replace("hari ", "hari ini, ", 1)
    written += f" ({held:%d-%m-%Y})"
    pdf.paragraph(label("ba_opening", language, written=written, city=letterhead.city))
    _party(pdf, 1, data.handed_over_by, label("first_party", language), language)
    _party(pdf, 2, data.received_by, label("second_party", language), language)
    pdf.ln(1)

    count = len(data.cases)
    pdf.paragraph(
        label(
            "ba_body",
            language,
            kecamatan=data.kecamatan,
            count=count,
            words=number_words(count, language),
        )
    )
    columns = [
        Column(label("no", language), 11, "C"),
        Column(label("case_number", language), 35),
        Column(label("applicant", language), 50),
        Column(label("layanan", language), 36),
        Column(label("sent_date", language), 33, "C"),
    ]
    rows = (
        (
            str(i),
            case.case_number,
            case.applicant_name,
            case.layanan,
            format_date(case.sent_at, language, tz=letterhead.tz),
        )
        for i, case in enumerate(data.cases, start=1)
    )
    pdf.data_table(columns, rows, size=9)
    pdf.ln(1.5)
    pdf.font(10.5, "B")
    pdf.cell(
        0, 6, label("ba_total", language, count=count), align="R", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(1)
    pdf.paragraph(label("ba_closing", language))

    # Two signature blocks side by side, kept together on one page.
    col_w = pdf.epw / 2 - 4
    left_x = pdf.l_margin
    right_x = pdf.l_margin + pdf.epw / 2 + 4
    space = 26.0
    pdf.font(11)
    heading_left = [
        label("receiver", language),
        label("second_party_short", language),
        data.received_by.position,
    ]
    heading_right = [
        label("giver", language),
        label("first_party_short", language),
        data.handed_over_by.position,
    ]
    lines = max(
        sum(len(pdf.lines_of(h, col_w)) for h in heading_left),
        sum(len(pdf.lines_of(h, col_w)) for h in heading_right),
    )
    needed = max(
        pdf.signature_height(lines, data.received_by, space),
        pdf.signature_height(lines, data.handed_over_by, space),
    )
    if pdf.will_page_break(needed + 4):
        pdf.add_page()
    pdf.ln(3)
    top = pdf.get_y()
    pdf.signature_block(
        x=left_x,
        width=col_w,
        heading=_pad(heading_left, lines, pdf, col_w),
        official=data.received_by,
        space=space,
        y=top,
    )
    bottom_left = pdf.get_y()
    free = pdf.signature_block(
        x=right_x,
        width=col_w,
        heading=_pad(heading_right, lines, pdf, col_w),
        official=data.handed_over_by,
        space=space,
        y=top,
    )
    placement = pdf.placement(free)
    pdf.set_y(max(bottom_left, pdf.get_y()) + 4)

    if data.verification_url:
        pdf.qr_with_caption(data.verification_url, label("scan_to_verify", language), size=22)
    return RenderedPdf(pdf=pdf.finish(), page_count=pdf.page_no(), signature_placement=placement)


def _pad(heading: list[str], lines: int, pdf: OfficePdf, width: float) -> list[str]:
    """Pad the shorter heading with empty lines so both free spaces line up."""
    have = sum(len(pdf.lines_of(h, width)) for h in heading)
    return heading + [" "] * (lines - have)


def _party(pdf: OfficePdf, number: int, official: Official, role: str, language: Language) -> None:
    rows = [(label("name", language), official.name)]
    if official.nip:
        rows.append((label("nip", language).rstrip("."), official.nip))
    rows.append((label("position", language), official.position))
    pdf.font(11)
    y = pdf.get_y()
    pdf.set_xy(pdf.l_margin + 4, y)
    pdf.cell(6, 5.6, f"{number}.")
    pdf.set_y(y)
    pdf.fields(rows, label_w=22, indent=10, line=5.6)
    pdf.set_x(pdf.l_margin + 10)
    pdf.multi_cell(pdf.epw - 10, 5.6, role, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)

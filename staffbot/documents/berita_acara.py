"""*Berita Acara Pengiriman Berkas ke UPT* (SOP step 14, signed at step 15)."""

from __future__ import annotations

from datetime import datetime

from staffbot.documents.base import OfficePdf
from staffbot.documents.fonts import FontSet
from staffbot.documents.labels import label, tte_note
from staffbot.documents.model import (
    BeritaAcaraInput,
    Language,
    Letterhead,
    NikMode,
    Official,
    RenderedPdf,
    mask_nik,
)
from staffbot.documents.tables import Column
from staffbot.documents.text import format_nip, local_time, number_words, written_date

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
        footer_note=tte_note(data.signer_backend, language),
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
            upt=data.upt_name,
            kecamatan=data.kecamatan,
            count=count,
            words=number_words(count, language),
        )
    )
    columns, rows = _table(data, pdf.epw, language)
    pdf.data_table(columns, rows, size=8.5, line=4.2)
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
    # No QR of its own: the TTE stamp in the Kepala Dinas's block carries the one that
    # verifies the signed Berita Acara (a second one would lead to the unsigned draft).
    return RenderedPdf(pdf=pdf.finish(), page_count=pdf.page_no(), signature_placement=placement)


def _pad(heading: list[str], lines: int, pdf: OfficePdf, width: float) -> list[str]:
    """Pad the shorter heading with empty lines so both free spaces line up."""
    have = sum(len(pdf.lines_of(h, width)) for h in heading)
    return heading + [" "] * (lines - have)


def _table(
    data: BeritaAcaraInput, width: float, language: Language
) -> tuple[list[Column], list[list[str]]]:
    """What the UPT needs to hand each document over: who, which NIK (as the office
    decides: masked, full or left out), which service and document, where (desa/pekon,
    and the kecamatan when the UPT serves several), and a column for the receiver's
    initials."""
    with_nik = data.nik_mode != "none"
    several = any(c.kecamatan for c in data.cases)
    fixed = {"no": 8.0, "number": 25.0, "nik": 27.0, "layanan": 21.0, "doc": 24.0}
    fixed["desa"] = 24.0 if several else 20.0
    fixed["paraf"] = 17.0
    if not with_nik:
        del fixed["nik"]
    name_w = max(24.0, width - sum(fixed.values()))
    columns = [
        Column(label("no", language), fixed["no"], "C"),
        Column(label("case_number", language), fixed["number"]),
        Column(label("applicant", language), name_w),
        *([Column(label("nik", language), fixed["nik"], "C")] if with_nik else []),
        Column(label("layanan", language), fixed["layanan"]),
        Column(label("document_number", language), fixed["doc"]),
        Column(label("desa", language), fixed["desa"]),
        Column(label("receipt", language), fixed["paraf"]),
    ]
    rows = []
    for i, case in enumerate(data.cases, start=1):
        nik = _nik(case.nik, data.nik_mode)
        place = case.desa or "-"
        if case.kecamatan:
            place = f"{place} (Kec. {case.kecamatan})"
        rows.append(
            [
                str(i),
                case.case_number,
                case.applicant_name,
                *([nik] if with_nik else []),
                case.layanan,
                case.document_number or "-",
                place,
                "",
            ]
        )
    return columns, rows


def _nik(nik: str | None, mode: NikMode) -> str:
    if not nik:
        return "-"
    return nik if mode == "full" else mask_nik(nik)


def _party(pdf: OfficePdf, number: int, official: Official, role: str, language: Language) -> None:
    """Name, NIP (grouped), pangkat/golongan and jabatan; a party without a NIP (the
    UPT's head, written in by hand) gets no NIP line."""
    rows = [(label("name", language), official.name)]
    if official.nip:
        rows.append((label("nip", language).rstrip("."), format_nip(official.nip)))
    if official.rank:
        rows.append((label("rank", language), official.rank))
    rows.append((label("position", language), official.position))
    pdf.font(11)
    y = pdf.get_y()
    pdf.set_xy(pdf.l_margin + 4, y)
    pdf.cell(6, 5.6, f"{number}.")
    pdf.set_y(y)
    pdf.fields(rows, label_w=26, indent=10, line=5.6)
    pdf.set_x(pdf.l_margin + 10)
    pdf.multi_cell(pdf.epw - 10, 5.6, role, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)

"""Reports: *Rekap per kecamatan* (SOP step 12's counts) and the *Mutu Baku* report.

Inputs are precomputed numbers; these functions only lay them out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from staffbot.documents.base import OfficePdf
from staffbot.documents.fonts import FontSet
from staffbot.documents.labels import label
from staffbot.documents.model import Language, Letterhead, Official, RenderedPdf
from staffbot.documents.report_model import MutuBakuInput, MutuBakuRow, RekapInput
from staffbot.documents.tables import Column
from staffbot.documents.text import format_date, format_duration
from staffbot.wilayah import by_code

__all__ = ["mutu_baku", "rekap_kecamatan"]


def _period(start: date, end: date, language: Language) -> str:
    return label(
        "period", language, start=format_date(start, language), end=format_date(end, language)
    )


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%".replace(".", ",")


def rekap_kecamatan(
    data: RekapInput,
    *,
    letterhead: Letterhead,
    language: Language = "id",
    generated_at: datetime,
    fonts: FontSet | None = None,
) -> RenderedPdf:
    """A kecamatan x layanan table with row and column totals, then totals per layanan.

    Landscape when there are more than five layanan columns.
    """
    layanan = list(data.layanan)
    kecamatan = list(data.kecamatan)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for c in data.counts:
        counts[(c.kecamatan, c.layanan)] += c.count
        # Counts for names missing from the given order still show, at the end.
        if c.kecamatan not in kecamatan:
            kecamatan.append(c.kecamatan)
        if c.layanan not in layanan:
            layanan.append(c.layanan)
    codes = data.kecamatan_codes
    kecamatan = by_code(kecamatan, codes)

    landscape = len(layanan) > 5
    pdf = OfficePdf(
        letterhead=letterhead,
        language=language,
        generated_at=generated_at,
        title=label("rekap_title", language),
        fonts=fonts,
        landscape=landscape,
    )
    pdf.add_page()
    pdf.title_block(
        label("rekap_title", language),
        _period(data.date_from, data.date_to, language),
        number=data.number,
        qr_url=data.verification_url,
    )

    code_w = 17.0 if codes else 0.0
    fixed = 10 + code_w + 44 + 18
    each = max(12.0, (pdf.epw - fixed) / max(1, len(layanan)))
    columns = [
        Column(label("no", language), 10, "C"),
        *([Column(label("kemendagri_code", language), code_w, "C")] if codes else []),
        Column(label("kecamatan", language), 44),
        *[Column(name, each, "C") for name in layanan],
        Column(label("total", language), 18, "C"),
    ]
    rows: list[list[str]] = []
    col_totals = [0] * len(layanan)
    for i, kec in enumerate(kecamatan, start=1):
        values = [counts.get((kec, lay), 0) for lay in layanan]
        col_totals = [a + b for a, b in zip(col_totals, values, strict=True)]
        code = [codes.get(kec, "-")] if codes else []
        rows.append([str(i), *code, kec, *(str(v) for v in values), str(sum(values))])
    grand = sum(col_totals)
    blank = [""] if codes else []
    rows.append(["", *blank, label("total", language), *(str(v) for v in col_totals), str(grand)])
    pdf.data_table(columns, rows, size=9, header_size=8.5, bold_last_row=True)

    pdf.ln(6)
    pdf.font(11, "B")
    if pdf.will_page_break(20):
        pdf.add_page()
    top, page = pdf.get_y(), pdf.page_no()
    pdf.cell(0, 6, label("rekap_by_layanan", language), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    summary = [
        [str(i), lay, str(total), _percent(total / grand if grand else None)]
        for i, (lay, total) in enumerate(zip(layanan, col_totals, strict=True), start=1)
    ]
    summary.append(["", label("total", language), str(grand), _percent(1.0 if grand else None)])
    summary_columns = [
        Column(label("no", language), 10, "C"),
        Column(label("layanan", language), 80),
        Column(label("total", language), 25, "C"),
        Column(label("share", language), 25, "C"),
    ]
    pdf.data_table(summary_columns, summary, size=9.5, bold_last_row=True)
    if data.signatory is not None:
        # Beside the summary when the page is wide enough (landscape), else below it.
        beside = pdf.epw - sum(c.width for c in summary_columns) - 10
        at = (top, page) if beside >= 85 and pdf.page_no() == page else None
        _signature(pdf, data.signatory, data.made_on or data.date_to, language, beside=at)
    return RenderedPdf(pdf=pdf.finish(), page_count=pdf.page_no())


def _signature(
    pdf: OfficePdf,
    official: Official,
    made_on: date,
    language: Language,
    *,
    beside: tuple[float, int] | None,
) -> None:
    """Place and date, the signer's jabatan, room to sign, name, pangkat and NIP: on
    the right, kept together on one page; ``beside`` (y, page): level with the summary
    table when it fits there."""
    width = min(95.0, pdf.epw * 0.45)
    x = pdf.l_margin + pdf.epw - width
    heading = [
        label(
            "place_line", language, city=pdf.letterhead.city, date=format_date(made_on, language)
        ),
        f"{official.position},",
    ]
    pdf.font(11)
    lines = sum(len(pdf.lines_of(h, width)) for h in heading)
    space = 24.0
    height = pdf.signature_height(lines, official, space)
    if beside is not None and beside[0] + height < pdf.page_break_trigger:
        end = pdf.get_y()
        pdf.signature_block(
            x=x, width=width, heading=heading, official=official, space=space, y=beside[0]
        )
        pdf.set_y(max(end, pdf.get_y()))
        return
    if pdf.will_page_break(height + 8):
        pdf.add_page()
    pdf.ln(8)
    pdf.signature_block(x=x, width=width, heading=heading, official=official, space=space)


def mutu_baku(
    data: MutuBakuInput,
    *,
    letterhead: Letterhead,
    language: Language = "id",
    generated_at: datetime,
    fonts: FontSet | None = None,
) -> RenderedPdf:
    """Per SOP step and per role: count, share within Waktu, median and worst time,
    with a horizontal bar chart of the share per step drawn with fpdf2 primitives."""
    pdf = OfficePdf(
        letterhead=letterhead,
        language=language,
        generated_at=generated_at,
        title=label("mutu_title", language),
        fonts=fonts,
    )
    pdf.add_page()
    pdf.title_block(
        label("mutu_title", language),
        _period(data.date_from, data.date_to, language),
        qr_url=data.verification_url,
    )

    _section(pdf, label("mutu_by_step", language))
    step_columns = [
        Column(label("no", language), 9, "C"),
        Column(label("step", language), 54),
        Column(label("role", language), 30),
        Column(label("waktu", language), 14, "C"),
        Column(label("count", language), 14, "C"),
        Column(label("within", language), 16, "C"),
        Column(label("median", language), 14, "C"),
        Column(label("worst", language), 14, "C"),
    ]
    pdf.data_table(
        step_columns,
        [
            [
                r.no,
                r.label,
                r.role,
                r.waktu or "-",
                str(r.count),
                _percent(r.within_share),
                format_duration(r.median, language),
                format_duration(r.worst, language),
            ]
            for r in data.by_step
        ],
        size=8.5,
    )

    charted = [r for r in data.by_step if r.within_share is not None]
    if charted:
        pdf.ln(6)
        _bar_chart(pdf, charted, label("mutu_chart", language), language)

    pdf.ln(6)
    _section(pdf, label("mutu_by_role", language))
    pdf.data_table(
        [
            Column(label("role", language), 70),
            Column(label("count", language), 19, "C"),
            Column(label("within", language), 26, "C"),
            Column(label("median", language), 25, "C"),
            Column(label("worst", language), 25, "C"),
        ],
        [
            [
                r.label,
                str(r.count),
                _percent(r.within_share),
                format_duration(r.median, language),
                format_duration(r.worst, language),
            ]
            for r in data.by_role
        ],
        size=9,
    )
    return RenderedPdf(pdf=pdf.finish(), page_count=pdf.page_no())


def _section(pdf: OfficePdf, title: str) -> None:
    if pdf.will_page_break(24):
        pdf.add_page()
    pdf.font(11, "B")
    pdf.cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _bar_colour(share: float) -> tuple[int, int, int]:
    if share >= 0.9:
        return (46, 125, 50)
    if share >= 0.7:
        return (230, 145, 30)
    return (198, 40, 40)


def _bar_chart(pdf: OfficePdf, rows: Sequence[MutuBakuRow], title: str, language: Language) -> None:
    bar_h, gap = 5.0, 2.2
    label_w = 52.0
    value_w = 16.0
    axis_h = 7.0
    height = 8 + len(rows) * (bar_h + gap) + axis_h
    if pdf.will_page_break(height):
        pdf.add_page()
    pdf.font(10, "B")
    pdf.cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    left = pdf.l_margin + label_w
    width = pdf.epw - label_w - value_w
    top = pdf.get_y()
    plot_h = len(rows) * (bar_h + gap)

    # Grid: 0, 25, 50, 75, 100 %, and a dashed line at the 90 % mark.
    pdf.set_draw_color(205, 205, 205)
    pdf.set_line_width(0.15)
    pdf.font(7.5)
    pdf.set_text_color(90, 90, 90)
    for tick in (0, 25, 50, 75, 100):
        x = left + width * tick / 100
        pdf.line(x, top - 1, x, top + plot_h)
        pdf.set_xy(x - 6, top + plot_h + 0.5)
        pdf.cell(12, 4, f"{tick}%", align="C")
    pdf.set_draw_color(120, 120, 120)
    pdf.set_dash_pattern(dash=1, gap=1)
    x90 = left + width * 0.9
    pdf.line(x90, top - 1, x90, top + plot_h)
    pdf.set_dash_pattern()

    for i, row in enumerate(rows):
        assert row.within_share is not None
        y = top + i * (bar_h + gap)
        pdf.font(8.5)
        pdf.set_text_color(20, 20, 20)
        name = f"{row.no}. {row.role or row.label}" if row.no else row.label
        while pdf.get_string_width(name) > label_w - 3 and len(name) > 4:
            name = name[:-2].rstrip() + "…"
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(label_w - 2, bar_h, name, align="R")
        share = max(0.0, min(1.0, row.within_share))
        pdf.set_fill_color(*_bar_colour(share))
        if share > 0:
            pdf.rect(left, y, width * share, bar_h, style="F")
        pdf.set_xy(left + width * share + 1, y)
        pdf.font(8, "B")
        pdf.cell(value_w, bar_h, _percent(share))
    pdf.set_draw_color(60, 60, 60)
    pdf.set_line_width(0.3)
    pdf.line(left, top - 1, left, top + plot_h)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.2)
    pdf.set_text_color(20, 20, 20)
    pdf.set_y(top + plot_h + axis_h)
    pdf.font(11)

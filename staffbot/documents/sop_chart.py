"""The flow rendered back as the SOP table (landscape A4).

The first page carries the SOP's identity block (:mod:`.sop_identity`). Rows are the
steps (No, Uraian Prosedur), the Pelaksana columns are the roles with the step's
flowchart symbol in its role's column (a terminator for the first and last step, a
diamond for a step that decides, where a "no" goes back to an earlier step, a process
box otherwise) joined by arrows, then the Mutu Baku columns (Kelengkapan, Waktu,
Output, Ket; Ket names the step a "no" goes back to). The header repeats on every
page; an arrow that crosses a page break ends in an off-page connector marked with the
next step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from staffbot.documents.base import OfficePdf
from staffbot.documents.errors import DocumentError
from staffbot.documents.fonts import FontSet
from staffbot.documents.labels import label
from staffbot.documents.model import Language, Letterhead, RenderedPdf
from staffbot.documents.report_model import SopChartInput, SopRow
from staffbot.documents.sop_identity import identity_block

__all__ = ["sop_chart"]

_NO_W = 8.0
_URAIAN_W = 64.0
_MUTU_W = (26.0, 14.0, 26.0, 14.0)
_ROLE_HEADER_H = 40.0
_GROUP_HEADER_H = 6.0
_LINE = 3.6
_PAD = 1.4
_SYMBOL_W = 5.2
_SYMBOL_H = 3.6
_HEADER_FILL = (226, 232, 240)
_CONNECTOR_ROOM = 5.0
_DIAMOND_H = 5.0


@dataclass
class _Symbol:
    page: int
    cx: float
    top: float
    bottom: float
    row_bottom: float


def sop_chart(
    data: SopChartInput,
    *,
    letterhead: Letterhead,
    language: Language = "id",
    generated_at: datetime,
    fonts: FontSet | None = None,
) -> RenderedPdf:
    roles = list(data.roles)
    unknown = sorted({r.role for r in data.rows} - set(roles))
    if unknown:
        raise DocumentError(problem=f"rows name roles missing from the columns: {unknown}")
    pdf = OfficePdf(
        letterhead=letterhead,
        language=language,
        generated_at=generated_at,
        title=data.title,
        fonts=fonts,
        landscape=True,
    )
    pdf.add_page()
    if data.identity is not None:
        # The identity block has its page (as on the printed SOP, the title in it); the
        # chart follows on the next.
        identity_block(pdf, data.title, data.identity, language, qr_url=data.verification_url)
        pdf.add_page()
    else:
        pdf.title_block(data.title, qr_url=data.verification_url)
    role_w = (pdf.epw - _NO_W - _URAIAN_W - sum(_MUTU_W)) / max(1, len(roles))
    if role_w < 4.5:
        raise DocumentError(problem=f"{len(roles)} roles do not fit on a landscape A4 page")

    _header(pdf, roles, role_w, language)
    symbols: list[_Symbol] = []
    for index, row in enumerate(data.rows):
        height = _row_height(pdf, row, language)
        lead = 0.0
        if pdf.will_page_break(height):
            pdf.add_page()
            _header(pdf, roles, role_w, language)
            # Room above the symbol for the incoming off-page connector.
            lead = _CONNECTOR_ROOM if index > 0 else 0.0
        symbols.append(
            _row(
                pdf,
                row,
                roles,
                role_w,
                height + lead,
                language,
                lead=lead,
                first=index == 0,
                last=index == len(data.rows) - 1,
            )
        )
    end_y = pdf.get_y()
    _connect(pdf, symbols, [r.no for r in data.rows])
    pdf.set_y(end_y)
    return RenderedPdf(pdf=pdf.finish(), page_count=pdf.page_no())


def _header(pdf: OfficePdf, roles: list[str], role_w: float, language: Language) -> None:
    x0 = pdf.l_margin
    y0 = pdf.get_y()
    total_h = _GROUP_HEADER_H + _ROLE_HEADER_H
    roles_x = x0 + _NO_W + _URAIAN_W
    mutu_x = roles_x + role_w * len(roles)
    pdf.set_fill_color(*_HEADER_FILL)
    pdf.set_line_width(0.2)
    pdf.font(8.5, "B")

    def box(x: float, y: float, w: float, h: float, text: str, size: float = 8.5) -> None:
        pdf.rect(x, y, w, h, style="DF")
        pdf.font(size, "B")
        lines = pdf.lines_of(text, w)
        top = y + (h - len(lines) * _LINE) / 2
        for i, part in enumerate(lines):
            pdf.set_xy(x, top + i * _LINE)
            pdf.cell(w, _LINE, part, align="C")

    box(x0, y0, _NO_W, total_h, label("no", language))
    box(x0 + _NO_W, y0, _URAIAN_W, total_h, label("uraian", language))
    box(roles_x, y0, role_w * len(roles), _GROUP_HEADER_H, label("role", language))
    box(mutu_x, y0, sum(_MUTU_W), _GROUP_HEADER_H, label("mutu_baku", language))
    x = mutu_x
    for key, w in zip(("kelengkapan", "waktu", "output", "ket"), _MUTU_W, strict=True):
        box(x, y0 + _GROUP_HEADER_H, w, _ROLE_HEADER_H, label(key, language), size=8)
        x += w
    # Role names read bottom-to-top, as on the printed SOP.
    size = 7.0
    line = 2.9
    for i, role in enumerate(roles):
        x = roles_x + i * role_w
        y = y0 + _GROUP_HEADER_H
        pdf.rect(x, y, role_w, _ROLE_HEADER_H, style="DF")
        pdf.font(size, "B")
        lines = pdf.lines_of(role, _ROLE_HEADER_H - 2)
        lines = lines[: max(1, int(role_w // line))]
        block = len(lines) * line
        for j, part in enumerate(lines):
            # After a 90° turn the text's baseline runs upwards along the column.
            bx = x + (role_w - block) / 2 + j * line
            by = y + _ROLE_HEADER_H - 1
            with pdf.rotation(90, bx, by):
                pdf.set_xy(bx, by)
                pdf.cell(_ROLE_HEADER_H - 2, line, part, align="C")
    pdf.set_xy(x0, y0 + total_h)
    pdf.font(8)


def _cells(row: SopRow, language: Language) -> list[tuple[str, float]]:
    ket = row.ket
    if row.back_to:
        back = label("sop_back", language, no=row.back_to)
        ket = f"{ket}\n{back}" if ket else back
    return [
        (row.kelengkapan, _MUTU_W[0]),
        (row.waktu, _MUTU_W[1]),
        (row.output, _MUTU_W[2]),
        (ket, _MUTU_W[3]),
    ]


def _row_height(pdf: OfficePdf, row: SopRow, language: Language) -> float:
    pdf.font(8)
    texts = [(row.uraian, _URAIAN_W), *_cells(row, language)]
    lines = max(len(pdf.lines_of(t, w)) if t else 1 for t, w in texts)
    return max(lines * _LINE + 2 * _PAD, _SYMBOL_H + 5)


def _row(
    pdf: OfficePdf,
    row: SopRow,
    roles: list[str],
    role_w: float,
    height: float,
    language: Language,
    *,
    lead: float,
    first: bool,
    last: bool,
) -> _Symbol:
    x0 = pdf.l_margin
    y = pdf.get_y()
    pdf.set_line_width(0.2)
    pdf.font(8)

    def text_cell(x: float, w: float, text: str, align: str = "L") -> None:
        pdf.rect(x, y, w, height)
        if not text:
            return
        lines = pdf.lines_of(text, w)
        top = y + (height - len(lines) * _LINE) / 2
        for i, part in enumerate(lines):
            pdf.set_xy(x, top + i * _LINE)
            pdf.cell(w, _LINE, part, align=align)

    text_cell(x0, _NO_W, row.no, "C")
    text_cell(x0 + _NO_W, _URAIAN_W, row.uraian)
    roles_x = x0 + _NO_W + _URAIAN_W
    for i in range(len(roles)):
        pdf.rect(roles_x + i * role_w, y, role_w, height)
    x = roles_x + role_w * len(roles)
    for text, w in _cells(row, language):
        text_cell(x, w, text, "C" if w < 20 else "L")
        x += w

    column = roles.index(row.role)
    cx = roles_x + (column + 0.5) * role_w
    cy = y + lead + (height - lead) / 2
    w = min(_SYMBOL_W, role_w - 1.2)
    half = _SYMBOL_H / 2
    pdf.set_fill_color(255, 255, 255)
    pdf.set_line_width(0.3)
    if row.decision:
        # A decision (Setujui/Tolak): a diamond, a little taller than a box.
        half = _DIAMOND_H / 2
        pdf.polygon(
            [(cx, cy - half), (cx + w / 2 + 0.4, cy), (cx, cy + half), (cx - w / 2 - 0.4, cy)],
            style="DF",
        )
    elif first or last:
        pdf.rect(
            cx - w / 2,
            cy - _SYMBOL_H / 2,
            w,
            _SYMBOL_H,
            style="DF",
            round_corners=True,
            corner_radius=_SYMBOL_H / 2,
        )
    else:
        pdf.rect(cx - w / 2, cy - _SYMBOL_H / 2, w, _SYMBOL_H, style="DF")
    pdf.set_line_width(0.2)
    pdf.set_xy(x0, y + height)
    return _Symbol(
        page=pdf.page_no(),
        cx=cx,
        top=cy - half,
        bottom=cy + half,
        row_bottom=y + height,
    )


def _arrow_head(pdf: OfficePdf, x: float, y: float) -> None:
    """A small filled triangle pointing down with its tip at (x, y)."""
    pdf.set_fill_color(0, 0, 0)
    pdf.polygon([(x - 0.9, y - 1.6), (x + 0.9, y - 1.6), (x, y)], style="F")


def _connect(pdf: OfficePdf, symbols: list[_Symbol], numbers: list[str]) -> None:
    """Arrows from each step's symbol to the next one's, on the page they share.

    Drawn after the table, by going back to earlier pages: automatic page breaks are
    off meanwhile, or a connector's number near a page's bottom would "break" onto the
    next page (a stray number in its header, an empty circle left behind)."""
    current = pdf.page_no()
    auto, margin = pdf.auto_page_break, pdf.b_margin
    pdf.set_auto_page_break(False)
    pdf.set_line_width(0.25)
    for i, (a, b) in enumerate(pairwise(symbols)):
        if a.page == b.page:
            _turn_to(pdf, a.page)
            mid = a.row_bottom
            pdf.line(a.cx, a.bottom, a.cx, mid)
            pdf.line(a.cx, mid, b.cx, mid)
            pdf.line(b.cx, mid, b.cx, b.top)
            _arrow_head(pdf, b.cx, b.top)
            continue
        # Off-page connector: a small circle with the next step's number on both pages.
        tag = numbers[i + 1]
        _turn_to(pdf, a.page)
        pdf.line(a.cx, a.bottom, a.cx, a.bottom + 1.8)
        _connector(pdf, a.cx, a.bottom + 3.4, tag)
        _turn_to(pdf, b.page)
        _connector(pdf, b.cx, b.top - 3.0, tag)
        pdf.line(b.cx, b.top - 1.4, b.cx, b.top)
        _arrow_head(pdf, b.cx, b.top)
    _turn_to(pdf, current)
    pdf.set_line_width(0.2)
    pdf.set_auto_page_break(auto, margin)


def _turn_to(pdf: OfficePdf, page: int) -> None:
    """Draw on an earlier page again. fpdf2 writes a font change into the page's content
    only when the font changes: forget the current one, so the next text on that page
    names its font (else "13" came out as other glyphs)."""
    pdf.page = page
    pdf.font_family = ""


def _connector(pdf: OfficePdf, cx: float, cy: float, tag: str) -> None:
    r = 1.6
    pdf.set_fill_color(255, 255, 255)
    pdf.circle(x=cx, y=cy, radius=r, style="DF")
    pdf.font(5.5, "B")
    pdf.set_xy(cx - r, cy - r)
    pdf.cell(2 * r, 2 * r, tag, align="C")

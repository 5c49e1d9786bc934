"""The A4 office document every renderer starts from.

Letterhead (kop surat) on the first page, a running footer with "Halaman x dari y",
QR codes, a fast table that breaks across pages with its header repeated, and
signature blocks that report the free space left for the TTE stamp.

One ``OfficePdf`` per document: instances are not shared between threads, the only
shared state is the read-only subset font files (see :mod:`.fonts`).
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import segno
from fpdf import FPDF

from staffbot.documents.errors import DocumentError
from staffbot.documents.fonts import SUBSET_CODEPOINTS, FontSet, default_fonts
from staffbot.documents.labels import label
from staffbot.documents.model import Box, Language, Letterhead, Official, StampPlacement
from staffbot.documents.text import format_datetime, to_wib

__all__ = ["Column", "MmBox", "OfficePdf", "qr_png"]

MM_TO_PT = 72 / 25.4
Align = Literal["L", "C", "R", "J"]

_TEXT = (20, 20, 20)
_MUTED = (95, 95, 95)
_RULE = (0, 0, 0)
_HEADER_FILL = (226, 232, 240)
_STRIPE_FILL = (246, 248, 250)


def qr_png(data: str, *, scale: int = 4) -> bytes:
    """A QR code as PNG bytes (segno; error correction M, quiet zone of 2 modules)."""
    buf = io.BytesIO()
    segno.make_qr(data, error="m").save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()


@dataclass(frozen=True)
class MmBox:
    """A rectangle in millimetres from the page's top-left corner (fpdf2's space)."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    """Millimetres."""
    align: Align = "L"


class OfficePdf(FPDF):
    def __init__(
        self,
        *,
        letterhead: Letterhead,
        language: Language,
        generated_at: datetime,
        title: str,
        fonts: FontSet | None = None,
        landscape: bool = False,
        footer_note: str | None = None,
    ) -> None:
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        to_wib(generated_at)  # refuses naive datetimes early
        self.letterhead = letterhead
        self.language: Language = language
        self.generated_at = generated_at
        self.landscape = landscape
        self.font_set = fonts if fonts is not None else default_fonts()
        self.family = self.font_set.family
        # Faces are registered on first use: fpdf2 embeds every registered face, and
        # each costs a parse and a subset at output.
        self._faces: set[str] = set()
        if landscape:
            self.set_margins(left=15, top=12, right=15)
        else:
            self.set_margins(left=25, top=12, right=20)
        self.footer_note = footer_note
        self.numbering: Callable[[int], tuple[int, int]] | None = None
        """Maps this document's page number to (printed number, printed total) when
        the PDF is later merged with other pages; None prints "x dari {nb}"."""
        self.set_auto_page_break(auto=True, margin=27 if footer_note else 20)
        self.alias_nb_pages("{nb}")
        self.set_title(title)
        self.set_author(f"{letterhead.office} {letterhead.government.title()}")
        self.set_creator("staffbot")
        self.set_creation_date(generated_at)
        self.set_text_color(*_TEXT)
        self.font(11)

    # ----------------------------------------------------------------- page frame

    def header(self) -> None:
        if self.page_no() == 1:
            self._letterhead()

    def _letterhead(self) -> None:
        lh = self.letterhead
        top = self.t_margin
        left = self.l_margin
        width = self.epw
        logo_w = 0.0
        if lh.logo_path is not None:
            try:
                self.image(str(lh.logo_path), x=left, y=top, h=24)
            except (OSError, ValueError) as exc:
                raise DocumentError(problem=f"logo {lh.logo_path}: {exc}") from exc
            logo_w = 24.0
        # The text is centred on the page (as on printed kop surat), leaving room for
        # the logo on the left.
        text_left = left + logo_w
        text_w = width - 2 * logo_w
        self.set_xy(text_left, top)
        self.font(13, "B")
        self.cell(text_w, 6.2, lh.government, align="C", new_x="LEFT", new_y="NEXT")
        self.font(15.5, "B")
        self.cell(text_w, 7.4, lh.office, align="C", new_x="LEFT", new_y="NEXT")
        self.font(9.5, "")
        self.line_or_lines(text_w, 4.4, lh.address, align="C")
        if lh.contact:
            self.font(9, "")
            self.line_or_lines(text_w, 4.2, lh.contact, align="C")
        y = max(self.get_y(), top + 24 if logo_w else 0) + 2
        self.set_draw_color(*_RULE)
        self.set_line_width(0.9)
        self.line(left, y, left + width, y)
        self.set_line_width(0.25)
        self.line(left, y + 1.2, left + width, y + 1.2)
        self.set_line_width(0.2)
        self.font(11, "")
        self.set_xy(left, y + 5)

    def footer(self) -> None:
        left = self.l_margin
        if self.footer_note:
            self.set_xy(left, -23)
            self.font(7.5)
            self.set_text_color(*_MUTED)
            self.multi_cell(
                self.epw, 3.4, self.footer_note, align="L", new_x="LMARGIN", new_y="NEXT"
            )
        self.set_y(-14)
        self.set_draw_color(*_MUTED)
        self.set_line_width(0.15)
        self.line(left, self.get_y(), left + self.epw, self.get_y())
        self.set_draw_color(*_RULE)
        self.font(7.5, "")
        self.set_text_color(*_MUTED)
        self.set_x(left)
        when = format_datetime(self.generated_at, self.language)
        half = self.epw / 2
        self.cell(half, 6, label("generated", self.language, when=when), align="L")
        page: int = self.page_no()
        total: int | str = "{nb}"
        if self.numbering is not None:
            page, total = self.numbering(page)
        self.cell(half, 6, label("page", self.language, page=page, pages=total), align="R")
        self.set_text_color(*_TEXT)

    # --------------------------------------------------------------------- text

    def normalize_text(self, text: str) -> str:
        # Characters outside the subset font would print as empty boxes: reduce them to
        # their base letter ("Ł" -> "L") or "?" instead.
        if not text.isascii():
            text = "".join(
                ch if ord(ch) in SUBSET_CODEPOINTS or ch in "\n\t" else _fallback(ch) for ch in text
            )
        return super().normalize_text(text)

    def line_or_lines(self, w: float, h: float, text: str, *, align: Align = "L") -> None:
        """One line with ``cell`` when it fits (much cheaper), else ``multi_cell``; the
        cursor ends at the start of the next line, below the text."""
        if "\n" not in text and self.get_string_width(text) <= w - 2 * self.c_margin:
            self.cell(w, h, text, align=align, new_x="LEFT", new_y="NEXT")
        else:
            self.multi_cell(w, h, text, align=align, new_x="LEFT", new_y="NEXT")

    def font(self, size: float, style: str = "") -> None:
        face = "".join(ch for ch in "BI" if ch in style)
        if face not in self._faces:
            path = dict(self.font_set.items())[face if face != "BI" else "B"]
            self.add_font(self.family, face, str(path))
            self._faces.add(face)
            # Our subset already has exact glyph bounds; without this fontTools
            # re-parses every outline to recompute them when fpdf2 saves its subset
            # (about a third of the time of a one-page letter).
            ttfont = getattr(self.fonts.get(f"{self.family.lower()}{face}"), "ttfont", None)
            if ttfont is not None:
                ttfont.recalcBBoxes = False
        self.set_font(self.family, style, size)

    def title_block(
        self,
        title: str,
        subtitle: str | None = None,
        number: str | None = None,
        qr_url: str | None = None,
    ) -> None:
        """Centred bold title, underlined, with an optional second line and number;
        ``qr_url`` puts a small QR code at the right end of the title lines."""
        if qr_url:
            size = 18.0
            top = self.get_y() - 2
            self.qr(qr_url, self.l_margin + self.epw - size, top, size)
            self.set_y(top + 2)
        self.font(13, "BU")
        self.cell(0, 6.5, title, align="C", new_x="LMARGIN", new_y="NEXT")
        if subtitle:
            self.font(11.5, "B")
            self.cell(0, 6, subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
        if number:
            self.font(11)
            self.cell(
                0,
                6,
                f"{label('number', self.language)}: {number}",
                align="C",
                new_x="LMARGIN",
                new_y="NEXT",
            )
        self.ln(4)
        if qr_url:
            self.set_y(max(self.get_y(), top + size + 2))
        self.font(11)

    def paragraph(
        self,
        text: str,
        *,
        size: float = 11,
        line: float = 5.2,
        align: Align = "J",
        indent: float = 0.0,
        gap: float = 2.0,
    ) -> None:
        self.font(size)
        for para in _paragraphs(text):
            self.set_x(self.l_margin + indent)
            self.multi_cell(
                self.epw - indent, line, para, align=align, new_x="LMARGIN", new_y="NEXT"
            )
            self.ln(gap)

    def fields(
        self,
        rows: Sequence[tuple[str, str]],
        *,
        label_w: float = 48,
        size: float = 11,
        line: float = 6.2,
        indent: float = 0.0,
        value_style: str = "",
        width: float | None = None,
    ) -> None:
        """``Label : value`` lines with aligned colons; long values wrap under themselves."""
        value_x = self.l_margin + indent + label_w + 4
        value_w = self.l_margin + (width if width is not None else self.epw) - value_x
        for name, value in rows:
            if self.will_page_break(line):
                self.add_page()
            y = self.get_y()
            self.font(size)
            self.set_xy(self.l_margin + indent, y)
            self.cell(label_w, line, name)
            self.cell(4, line, ":")
            self.font(size, value_style)
            self.set_xy(value_x, y)
            self.line_or_lines(value_w, line, value or "-")
            self.set_x(self.l_margin)
        self.font(size)

    # --------------------------------------------------------------------- QR

    def qr(self, url: str, x: float, y: float, size: float) -> None:
        self.image(io.BytesIO(qr_png(url)), x=x, y=y, w=size, h=size)

    def qr_with_caption(self, url: str, caption: str, *, size: float = 26) -> None:
        """A QR code with a short caption beside it, kept together on one page."""
        if self.will_page_break(size + 2):
            self.add_page()
        y = self.get_y()
        self.qr(url, self.l_margin, y, size)
        self.set_xy(self.l_margin + size + 4, y + size / 2 - 5)
        self.font(8.5)
        self.set_text_color(*_MUTED)
        self.multi_cell(
            self.epw - size - 4, 4.2, f"{caption}\n{url}", align="L", new_x="LMARGIN", new_y="NEXT"
        )
        self.set_text_color(*_TEXT)
        self.set_y(y + size + 2)
        self.font(11)

    # --------------------------------------------------------------------- table

    def data_table(
        self,
        columns: Sequence[Column],
        rows: Iterable[Sequence[str]],
        *,
        size: float = 9.5,
        line: float = 4.6,
        pad: float = 1.2,
        header_size: float | None = None,
        stripes: bool = True,
        bold_last_row: bool = False,
    ) -> int:
        """Draw a bordered table; on a page break the header is drawn again.

        Cells whose text is wider than the column wrap (the row grows); everything
        else takes the single-line fast path, which keeps 500-row tables fast.
        Returns the number of body rows drawn.
        """
        header_size = header_size or size
        titles = [c.title for c in columns]
        self._table_row(columns, titles, header_size, line, pad, header=True)
        count = 0
        materialised = list(rows)
        for index, row in enumerate(materialised):
            last = index == len(materialised) - 1
            bold = bold_last_row and last
            height = self._row_height(columns, row, size, line, pad, "B" if bold else "")
            if self.will_page_break(height):
                self.add_page()
                self._table_row(columns, titles, header_size, line, pad, header=True)
            fill = _STRIPE_FILL if stripes and index % 2 == 1 else None
            self._table_row(
                columns, row, size, line, pad, header=False, fill=fill, bold=bold, height=height
            )
            count += 1
        self.font(11)
        return count

    def lines_of(self, text: str, width: float) -> list[str]:
        if "\n" not in text and self.get_string_width(text) <= width - 2 * self.c_margin:
            return [text]
        result = self.multi_cell(width, 1, text, dry_run=True, output="LINES")
        lines = [str(line) for line in result] if isinstance(result, list) else []
        return lines or [""]

    def _row_height(
        self,
        columns: Sequence[Column],
        row: Sequence[str],
        size: float,
        line: float,
        pad: float,
        style: str,
    ) -> float:
        self.font(size, style)
        most = max(
            len(self.lines_of(text, col.width)) for col, text in zip(columns, row, strict=True)
        )
        return most * line + 2 * pad

    def _table_row(
        self,
        columns: Sequence[Column],
        row: Sequence[str],
        size: float,
        line: float,
        pad: float,
        *,
        header: bool,
        fill: tuple[int, int, int] | None = None,
        bold: bool = False,
        height: float | None = None,
    ) -> None:
        style = "B" if header or bold else ""
        if height is None:
            height = self._row_height(columns, row, size, line, pad, style)
        self.font(size, style)
        x = self.l_margin
        y = self.get_y()
        colour = _HEADER_FILL if header else fill
        if colour is not None:
            self.set_fill_color(*colour)
        self.set_line_width(0.2)
        for col, text in zip(columns, row, strict=True):
            self.rect(x, y, col.width, height, style="DF" if colour is not None else "D")
            lines = self.lines_of(text, col.width)
            top = y + (height - len(lines) * line) / 2
            align: Align = "C" if header else col.align
            for i, part in enumerate(lines):
                self.set_xy(x, top + i * line)
                self.cell(col.width, line, part, align=align)
            x += col.width
        self.set_xy(self.l_margin, y + height)

    # ------------------------------------------------------------ signatures

    def signature_block(
        self,
        *,
        x: float,
        width: float,
        heading: Sequence[str],
        official: Official | None,
        space: float = 30,
        y: float | None = None,
    ) -> MmBox:
        """Heading lines, free space for a signature/stamp, name (bold, underlined),
        rank and NIP. Returns the free space in millimetres from the page's top-left.
        """
        line = 5.4
        self.set_xy(x, self.get_y() if y is None else y)
        self.font(11)
        for text in heading:
            self.set_x(x)
            self.line_or_lines(width, line, text, align="C")
        top = self.get_y() + 1
        free = MmBox(x=x, y=top, width=width, height=space)
        self.set_xy(x, top + space + 1)
        if official is not None:
            self.font(11, "BU")
            self.line_or_lines(width, line, official.name, align="C")
            self.font(11)
            if official.rank:
                self.line_or_lines(width, line, official.rank, align="C")
            if official.nip:
                self.multi_cell(
                    width,
                    line,
                    f"{label('nip', self.language)} {official.nip}",
                    align="C",
                    new_x="LEFT",
                    new_y="NEXT",
                )
        else:
            self.cell(width, line, "(" + "." * 40 + ")", align="C", new_x="LEFT", new_y="NEXT")
        return free

    def signature_height(
        self, heading_lines: int, official: Official | None, space: float
    ) -> float:
        lines = heading_lines + 1
        if official is not None:
            lines += int(bool(official.rank)) + int(bool(official.nip))
        return lines * 5.4 + space + 4

    def placement(self, free_mm: MmBox, *, width: float = 72, height: float = 22) -> StampPlacement:
        """The stamp box (mm) centred in ``free_mm`` on the current page, converted to
        PDF points from the bottom-left corner."""
        width = min(width, free_mm.width)
        height = min(height, free_mm.height)
        x = free_mm.x + (free_mm.width - width) / 2
        y_top = free_mm.y + (free_mm.height - height) / 2
        return StampPlacement(
            page_index=self.page_no() - 1,
            box=Box(
                x=x * MM_TO_PT,
                y=(self.h - y_top - height) * MM_TO_PT,
                width=width * MM_TO_PT,
                height=height * MM_TO_PT,
            ),
        )

    def finish(self) -> bytes:
        return bytes(self.output())


def _fallback(ch: str) -> str:
    base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
    return base or "?"


def _paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by blank lines; single newlines stay line breaks."""
    blocks = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [" ".join(line.split()) for line in block.split("\n")]
        joined = "\n".join(line for line in lines if line)
        if joined:
            blocks.append(joined)
    return blocks

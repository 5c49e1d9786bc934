"""The A4 office document every renderer starts from.

Letterhead (kop surat) on the first page, a running footer with "Halaman x dari y",
and what the drawing modules add: text blocks (:mod:`.blocks`), tables that break
across pages (:mod:`.tables`) and signature blocks that report the free space left
for the TTE stamp (:mod:`.signature_block`), on the surface of :mod:`.canvas`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from staffbot.documents.blocks import TextBlocks
from staffbot.documents.canvas import MUTED, RULE, TEXT
from staffbot.documents.errors import DocumentError
from staffbot.documents.fonts import FontSet
from staffbot.documents.labels import label
from staffbot.documents.model import Language, Letterhead
from staffbot.documents.signature_block import SignatureBlocks
from staffbot.documents.tables import TableDrawing
from staffbot.documents.text import format_datetime, local_time

__all__ = ["OfficePdf"]


class OfficePdf(TextBlocks, TableDrawing, SignatureBlocks):
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
        super().__init__(language=language, fonts=fonts, landscape=landscape)
        local_time(generated_at, letterhead.tz)  # refuses naive datetimes early
        self.letterhead = letterhead
        self.generated_at = generated_at
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
        self.set_text_color(*TEXT)
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
        self.set_draw_color(*RULE)
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
            self.set_text_color(*MUTED)
            self.multi_cell(
                self.epw, 3.4, self.footer_note, align="L", new_x="LMARGIN", new_y="NEXT"
            )
        self.set_y(-14)
        self.set_draw_color(*MUTED)
        self.set_line_width(0.15)
        self.line(left, self.get_y(), left + self.epw, self.get_y())
        self.set_draw_color(*RULE)
        self.font(7.5, "")
        self.set_text_color(*MUTED)
        self.set_x(left)
        when = format_datetime(self.generated_at, self.language, tz=self.letterhead.tz)
        half = self.epw / 2
        self.cell(half, 6, label("generated", self.language, when=when), align="L")
        page: int = self.page_no()
        total: int | str = "{nb}"
        if self.numbering is not None:
            page, total = self.numbering(page)
        self.cell(half, 6, label("page", self.language, page=page, pages=total), align="R")
        self.set_text_color(*TEXT)

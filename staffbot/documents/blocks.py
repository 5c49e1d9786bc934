"""Blocks of running text: the title, paragraphs, aligned fields, a captioned QR code."""

from __future__ import annotations

from collections.abc import Sequence

from staffbot.documents.canvas import MUTED, TEXT, Align, Canvas
from staffbot.documents.labels import label

__all__ = ["TextBlocks"]


class TextBlocks(Canvas):
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

    def qr_with_caption(self, url: str, caption: str, *, size: float = 26) -> None:
        """A QR code with a short caption beside it, kept together on one page."""
        if self.will_page_break(size + 2):
            self.add_page()
        y = self.get_y()
        self.qr(url, self.l_margin, y, size)
        self.set_xy(self.l_margin + size + 4, y + size / 2 - 5)
        self.font(8.5)
        self.set_text_color(*MUTED)
        self.multi_cell(
            self.epw - size - 4, 4.2, f"{caption}\n{url}", align="L", new_x="LMARGIN", new_y="NEXT"
        )
        self.set_text_color(*TEXT)
        self.set_y(y + size + 2)
        self.font(11)


def _paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by blank lines; single newlines stay line breaks."""
    blocks = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [" ".join(line.split()) for line in block.split("\n")]
        joined = "\n".join(line for line in lines if line)
        if joined:
            blocks.append(joined)
    return blocks

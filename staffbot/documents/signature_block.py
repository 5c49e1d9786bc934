"""Signature blocks, and the free space they leave for the TTE stamp."""

from __future__ import annotations

from collections.abc import Sequence

from staffbot.documents.canvas import MM_TO_PT, Canvas, MmBox
from staffbot.documents.labels import label
from staffbot.documents.model import Box, Official, StampPlacement
from staffbot.documents.text import format_nip

__all__ = ["SignatureBlocks"]


class SignatureBlocks(Canvas):
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
                    f"{label('nip', self.language)} {format_nip(official.nip)}",
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

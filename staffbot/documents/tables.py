"""Bordered tables that break across pages with their header repeated."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from staffbot.documents.canvas import Align, Canvas

__all__ = ["Column", "TableDrawing"]

_HEADER_FILL = (226, 232, 240)
_STRIPE_FILL = (246, 248, 250)


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    """Millimetres."""
    align: Align = "L"


class TableDrawing(Canvas):
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
        titles, header_size = self._fit_header(columns, header_size or size)
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

    def _fit_header(self, columns: Sequence[Column], size: float) -> tuple[list[str], float]:
        """Header titles wrap between words only ("Akta Perkawinan", never "Perkawina/n"):
        a word too wide for its column is split after a slash ("Pindah/ Datang"), and if
        one still does not fit, the header's font gets smaller until every word fits."""
        titles = [c.title for c in columns]

        def too_wide(word: str, width: float, at: float) -> bool:
            self.font(at, "B")
            return self.get_string_width(word) > width - 2 * self.c_margin

        for i, col in enumerate(columns):
            words = titles[i].split(" ")
            titles[i] = " ".join(
                w.replace("/", "/ ") if too_wide(w, col.width, size) else w for w in words
            )
        while size > 5.5 and any(
            too_wide(word, col.width, size)
            for col, title in zip(columns, titles, strict=True)
            for word in title.split()
        ):
            size -= 0.25
        return titles, size

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

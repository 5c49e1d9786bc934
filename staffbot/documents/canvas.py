"""The A4 drawing surface under every document: subset fonts, text that fits, QR codes.

One instance per document: instances are not shared between threads, the only shared
state is the read-only subset font files (see :mod:`.fonts`).
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

import segno
from fpdf import FPDF

from staffbot.documents.fonts import SUBSET_CODEPOINTS, FontSet, default_fonts
from staffbot.documents.model import Language

__all__ = ["MM_TO_PT", "MUTED", "RULE", "TEXT", "Align", "Canvas", "MmBox", "qr_png"]

MM_TO_PT = 72 / 25.4
Align = Literal["L", "C", "R", "J"]

TEXT = (20, 20, 20)
MUTED = (95, 95, 95)
RULE = (0, 0, 0)


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


class Canvas(FPDF):
    """An A4 page in millimetres that draws with the documents' subset fonts."""

    def __init__(
        self, *, language: Language, fonts: FontSet | None = None, landscape: bool = False
    ) -> None:
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        self.language: Language = language
        self.landscape = landscape
        self.font_set = fonts if fonts is not None else default_fonts()
        self.family = self.font_set.family
        # Faces are registered on first use: fpdf2 embeds every registered face, and
        # each costs a parse and a subset at output.
        self._faces: set[str] = set()

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

    def lines_of(self, text: str, width: float) -> list[str]:
        """``text`` wrapped to ``width`` (the current font): between words, and inside a
        word too wide for the column only after a "/" or "-" (a document number breaks
        as "470/12/BA/" + "DISDUKCAPIL/2026", never "DISD" + "UKCAPIL")."""
        avail = width - 2 * self.c_margin
        if "\n" not in text and self.get_string_width(text) <= avail:
            return [text]
        lines = [line for para in text.split("\n") for line in self._wrap(para, avail)]
        return lines or [""]

    def _wrap(self, para: str, avail: float) -> list[str]:
        lines: list[str] = []
        current = ""
        for word in para.split():
            for i, piece in enumerate(self._pieces(word, avail)):
                joined = current + (" " if i == 0 and current else "") + piece
                if current and self.get_string_width(joined) > avail:
                    lines.append(current)
                    current = piece
                else:
                    current = joined
        return [*lines, current]

    def _pieces(self, word: str, avail: float) -> list[str]:
        """A word cut where a line may break inside it; as a last resort, by letters."""
        if self.get_string_width(word) <= avail:
            return [word]
        pieces = []
        for part in re.split(r"(?<=[/-])", word):
            while len(part) > 1 and self.get_string_width(part) > avail:
                cut = len(part) - 1
                while cut > 1 and self.get_string_width(part[:cut]) > avail:
                    cut -= 1
                pieces.append(part[:cut])
                part = part[cut:]
            if part:
                pieces.append(part)
        return pieces

    def qr(self, url: str, x: float, y: float, size: float) -> None:
        self.image(io.BytesIO(qr_png(url)), x=x, y=y, w=size, h=size)

    def finish(self) -> bytes:
        return bytes(self.output())


def _fallback(ch: str) -> str:
    base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
    return base or "?"

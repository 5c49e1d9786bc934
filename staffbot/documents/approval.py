"""The approval page (*lembar pengesahan*) an unsigned upload gets for its TTE stamp.

A PDF the bot did not render (an operator's upload at SOP step 8) has no signature
block the bot knows of: a stamp at a fixed spot could cover a table, a photo or a stamp
already printed there. So the stamp goes on a page of its own, appended after the
document's last page: it covers nothing, and the page says what it is. The document's
own pages are not changed (the signature covers them and the appended page alike).
"""

from __future__ import annotations

import hashlib
import io

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from staffbot.documents.canvas import MM_TO_PT, Canvas
from staffbot.documents.errors import DocumentError
from staffbot.documents.fonts import FontSet
from staffbot.documents.model import Box, Language, StampPlacement

__all__ = ["append_approval_page"]

#: The stamp box on the approval page (mm from the top-left corner), as on the letters.
_STAMP_X, _STAMP_Y, _STAMP_W, _STAMP_H = 25.0, 110.0, 90.0, 32.0

_TEXT = {
    "id": (
        "LEMBAR PENGESAHAN ELEKTRONIK",
        "Lembar ini ditambahkan pada dokumen unggahan ({pages} halaman) agar tanda tangan "
        "elektronik tidak menutupi isi dokumen. Tanda tangan elektronik di bawah ini berlaku "
        "untuk seluruh halaman dokumen beserta lembar ini.",
        "SHA-256 dokumen sebelum ditandatangani:",
    ),
    "en": (
        "ELECTRONIC APPROVAL PAGE",
        "This page was appended to the uploaded document ({pages} pages) so that the "
        "electronic signature covers none of its content. The electronic signature below "
        "applies to every page of the document and to this page.",
        "SHA-256 of the document before signing:",
    ),
}


def append_approval_page(
    pdf: bytes, *, language: Language = "id", fonts: FontSet | None = None
) -> tuple[bytes, StampPlacement]:
    """``pdf`` with an approval page appended, and where the stamp goes on it."""
    try:
        reader = PdfReader(io.BytesIO(pdf), strict=False)
        pages = len(reader.pages)
        writer = PdfWriter(clone_from=reader)
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise DocumentError(problem=f"not a readable PDF: {exc}") from exc
    page = _page(pages, hashlib.sha256(pdf).hexdigest(), language, fonts)
    writer.add_page(PdfReader(io.BytesIO(page)).pages[0])
    out = io.BytesIO()
    writer.write(out)
    height_pt = 297 * MM_TO_PT
    box = Box(
        x=_STAMP_X * MM_TO_PT,
        y=height_pt - (_STAMP_Y + _STAMP_H) * MM_TO_PT,
        width=_STAMP_W * MM_TO_PT,
        height=_STAMP_H * MM_TO_PT,
    )
    return out.getvalue(), StampPlacement(page_index=pages, box=box)


def _page(pages: int, digest: str, language: Language, fonts: FontSet | None) -> bytes:
    title, body, hash_label = _TEXT.get(language, _TEXT["id"])
    canvas = Canvas(language=language, fonts=fonts)
    canvas.set_auto_page_break(False)
    canvas.add_page()
    canvas.set_xy(25, 30)
    canvas.font(13, "B")
    canvas.line_or_lines(160, 8, title, align="C")
    canvas.ln(6)
    canvas.set_x(25)
    canvas.font(11)
    canvas.multi_cell(160, 6, body.format(pages=pages), align="J", new_x="LEFT", new_y="NEXT")
    canvas.ln(4)
    canvas.set_x(25)
    canvas.font(9)
    canvas.line_or_lines(160, 5, hash_label)
    canvas.set_x(25)
    canvas.font(9)
    canvas.multi_cell(160, 5, digest, new_x="LEFT", new_y="NEXT")
    return canvas.finish()

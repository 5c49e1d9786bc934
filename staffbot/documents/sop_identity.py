"""The identity block of a printed SOP, as the office's SOP lays it out.

Top: the SOP's name on the left; Nomor SOP, the dates, who approved it (jabatan, name,
NIP) and the title on the right. Below, three rows of two cells: Dasar Hukum and
Kualifikasi Pelaksana, Keterkaitan and Peralatan/Perlengkapan, Peringatan and
Pencatatan dan Pendataan, each a numbered list ("-" when the SOP leaves it empty).
"""

from __future__ import annotations

from collections.abc import Sequence

from staffbot.documents.base import OfficePdf
from staffbot.documents.labels import label
from staffbot.documents.model import Language
from staffbot.documents.report_model import SopIdentity
from staffbot.documents.text import format_nip

__all__ = ["identity_block"]

_SIZE = 7.5
_LINE = 3.3
_PAD = 1.2
_FILL = (226, 232, 240)


def identity_block(
    pdf: OfficePdf,
    title: str,
    identity: SopIdentity,
    language: Language,
    *,
    qr_url: str | None = None,
) -> None:
    """Draw the block at the cursor, across the page's width; ends below it. ``qr_url``:
    the verification QR, in the corner of the SOP's name."""
    half = pdf.epw / 2
    left = pdf.l_margin
    fields = [
        (label("sop_no", language), identity.nomor or "-"),
        (label("sop_made", language), identity.tanggal_pembuatan or "-"),
        (label("sop_revised", language), identity.tanggal_revisi or "-"),
        (label("sop_effective", language), identity.tanggal_efektif or "-"),
        (label("sop_approved", language), _approved(identity, language)),
        (label("sop_title", language), title),
    ]
    label_w = 34.0
    value_w = half - label_w - 2 * _PAD
    pdf.font(_SIZE)
    heights = [max(1, len(pdf.lines_of(value, value_w))) * _LINE + 2 * _PAD for _, value in fields]
    top = pdf.get_y()
    total = sum(heights)
    pdf.set_line_width(0.2)
    pdf.set_fill_color(*_FILL)
    pdf.rect(left, top, half, total, style="DF")
    pdf.font(11, "B")
    name = ["STANDAR OPERASIONAL PROSEDUR (SOP)", title]
    y = top + total / 2 - len(name) * 6 / 2
    for line in name:
        pdf.set_xy(left, y)
        pdf.cell(half, 6, line, align="C")
        y += 6
    if qr_url:
        size = min(18.0, total - 2 * _PAD)
        pdf.qr(qr_url, left + half - size - _PAD, top + _PAD, size)
    y = top
    for (name_text, value), height in zip(fields, heights, strict=True):
        pdf.rect(left + half, y, label_w, height)
        pdf.rect(left + half + label_w, y, half - label_w, height)
        pdf.font(_SIZE, "B")
        pdf.set_xy(left + half + _PAD, y + _PAD)
        pdf.cell(label_w - 2 * _PAD, _LINE, name_text)
        pdf.font(_SIZE)
        for i, part in enumerate(pdf.lines_of(value, value_w)):
            pdf.set_xy(left + half + label_w + _PAD, y + _PAD + i * _LINE)
            pdf.cell(value_w, _LINE, part)
        y += height
    pdf.set_y(y)
    pairs = (
        (("sop_basis", identity.dasar_hukum), ("sop_qualification", identity.kualifikasi)),
        (("sop_related", identity.keterkaitan), ("sop_equipment", identity.peralatan)),
        (("sop_warning", identity.peringatan), ("sop_records", identity.pencatatan)),
    )
    for (a_key, a_items), (b_key, b_items) in pairs:
        _pair(pdf, (label(a_key, language), a_items), (label(b_key, language), b_items))


def _approved(identity: SopIdentity, language: Language) -> str:
    parts = [identity.disahkan_jabatan, identity.disahkan_nama]
    if identity.disahkan_nip:
        parts.append(f"{label('nip', language)} {format_nip(identity.disahkan_nip)}")
    return "\n".join(p for p in parts if p) or "-"


def _numbered(items: Sequence[str]) -> list[str]:
    if not items:
        return ["-"]
    if len(items) == 1:
        return [items[0]]
    return [f"{i}. {item}" for i, item in enumerate(items, start=1)]


def _pair(
    pdf: OfficePdf, first: tuple[str, Sequence[str]], second: tuple[str, Sequence[str]]
) -> None:
    """Two cells side by side, each a bold heading over its list; the row as tall as
    the longer one, on one page."""
    half = pdf.epw / 2
    width = half - 2 * _PAD
    pdf.font(_SIZE)
    cells = []
    for heading, items in (first, second):
        lines = [part for item in _numbered(items) for part in pdf.lines_of(item, width)]
        cells.append((heading, lines))
    height = max(len(lines) + 1 for _, lines in cells) * _LINE + 2 * _PAD
    if pdf.will_page_break(height):
        pdf.add_page()
    top = pdf.get_y()
    for column, (heading, lines) in enumerate(cells):
        x = pdf.l_margin + column * half
        pdf.rect(x, top, half, height)
        pdf.font(_SIZE, "B")
        pdf.set_xy(x + _PAD, top + _PAD)
        pdf.cell(width, _LINE, heading)
        pdf.font(_SIZE)
        for i, part in enumerate(lines, start=1):
            pdf.set_xy(x + _PAD, top + _PAD + i * _LINE)
            pdf.cell(width, _LINE, part)
    pdf.set_y(top + height)

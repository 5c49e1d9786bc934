"""What the visible TTE stamp says, and its picture for BSrE.

The local signer draws the stamp with pyHanko (``QRStampStyle``); BSrE draws an image
we send (``imageBase64``), rendered here with Pillow in the documents' font.
"""

from __future__ import annotations

import io
import unicodedata
from datetime import datetime, tzinfo

from PIL import Image, ImageDraw, ImageFont

from staffbot.documents.canvas import qr_png
from staffbot.documents.fonts import FontSet, default_fonts
from staffbot.documents.model import OFFICE_ZONE, Language, SignRequest
from staffbot.documents.text import format_datetime, format_nip

__all__ = ["stamp_lines", "stamp_png", "winansi"]

_HEADING = {
    "id": "Ditandatangani secara elektronik",
    "en": "Signed electronically by",
}


def winansi(text: str) -> str:
    """Text a standard PDF font can show: accents kept where Latin-1 has them,
    other letters reduced to their base letter (the stamp uses Helvetica)."""
    out = []
    for ch in text:
        if ord(ch) < 256:
            out.append(ch)
            continue
        base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
        out.append(base or "?")
    return "".join(out)


def stamp_lines(
    request: SignRequest, signed_at: datetime, language: Language = "id", tz: tzinfo = OFFICE_ZONE
) -> list[str]:
    """Heading, name, position, NIP and the signing time on the office's clock ``tz``;
    without name, position and NIP when the signature block prints them below."""
    if request.identity_below:
        return [_HEADING[language], format_datetime(signed_at, language, tz=tz)]
    lines = [_HEADING[language], request.signer_name]
    if request.position:
        lines.append(request.position)
    nip = format_nip(request.nip)
    lines.append(f"NIP. {nip}" if language == "id" else f"NIP {nip}")
    lines.append(format_datetime(signed_at, language, tz=tz))
    return lines


def stamp_png(
    request: SignRequest,
    signed_at: datetime,
    *,
    language: Language = "id",
    tz: tzinfo = OFFICE_ZONE,
    fonts: FontSet | None = None,
    px_per_pt: float = 4.0,
) -> bytes:
    """The stamp as a PNG with the box's aspect ratio: QR on the left, text right."""
    fonts = fonts or default_fonts()
    box = request.placement.box
    width = max(200, round(box.width * px_per_pt))
    height = max(80, round(box.height * px_per_pt))
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    border = max(2, height // 60)
    draw.rectangle((0, 0, width - 1, height - 1), outline=(40, 40, 40), width=border)

    pad = height // 12
    qr_side = height - 2 * pad
    qr = Image.open(io.BytesIO(qr_png(request.verification_url, scale=8))).convert("RGB")
    image.paste(qr.resize((qr_side, qr_side), Image.Resampling.NEAREST), (pad, pad))

    lines = stamp_lines(request, signed_at, language, tz)
    text_x = pad * 2 + qr_side
    text_w = width - text_x - pad
    size = max(10, (height - 2 * pad) // (len(lines) + 1))
    regular = ImageFont.truetype(str(fonts.regular), size)
    bold = ImageFont.truetype(str(fonts.bold), size)
    # Shrink until the longest line fits.
    while size > 10 and max(draw.textlength(t, font=bold) for t in lines) > text_w:
        size -= 1
        regular = ImageFont.truetype(str(fonts.regular), size)
        bold = ImageFont.truetype(str(fonts.bold), size)
    line_h = size * 1.22
    y = (height - line_h * len(lines)) / 2
    named = not request.identity_below
    for i, text in enumerate(lines):
        font = bold if i == 1 and named else regular
        draw.text((text_x, y), text, fill=(20, 20, 20), font=font)
        y += line_h
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()

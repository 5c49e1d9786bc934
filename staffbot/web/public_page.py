"""The frame of the public pages behind QR codes (/v/ and /s/): the office letterhead
above the content, laid out for a phone first (docs/WEB.md)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from pathlib import Path

from starlette.responses import HTMLResponse

from staffbot.documents.model import Letterhead
from staffbot.web.templating import Safe, esc, join, page, tag, void_tag

_IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
#: Public pages ask search engines to leave them out: a code is only for its holder.
_META = Safe('<meta name="robots" content="noindex, nofollow">')


def _logo(path: Path | None) -> Safe:
    """The regency's emblem as a data: URL (the pages load nothing from elsewhere);
    nothing when there is none or it cannot be read."""
    if path is None or path.suffix.lower() not in _IMAGE_TYPES:
        return Safe("")
    try:
        data = path.read_bytes()
    except OSError:
        return Safe("")
    source = f"data:{_IMAGE_TYPES[path.suffix.lower()]};base64,{base64.b64encode(data).decode()}"
    return void_tag("img", src=source, alt="", class_="kop-logo")


class PublicFrame:
    """The letterhead, rendered once (the logo read once, when the routes are built)."""

    def __init__(self, letterhead: Letterhead) -> None:
        lines = [
            tag("div", letterhead.government, class_="kop-gov"),
            tag("div", letterhead.office, class_="kop-office"),
            tag("div", letterhead.address, class_="kop-addr"),
        ]
        if letterhead.contact:
            lines.append(tag("div", letterhead.contact, class_="kop-addr"))
        self.letterhead = letterhead
        self.kop = tag(
            "header",
            join([_logo(letterhead.logo_path), tag("div", join(lines), class_="kop-text")]),
            class_="kop",
        )

    def response(
        self,
        title: str,
        parts: Sequence[Safe],
        *,
        status: int,
        headers: dict[str, str] | None = None,
    ) -> HTMLResponse:
        body = tag("main", join([self.kop, *parts]), class_="page narrow public")
        return HTMLResponse(
            page(title, body, meta=_META),
            status_code=status,
            headers={"Cache-Control": "no-store", **(headers or {})},
        )


def facts(rows: Sequence[tuple[str, object]]) -> Safe:
    """Label and value pairs that wrap on a narrow screen (a hash breaks anywhere)."""
    return tag(
        "dl",
        join([tag("div", join([tag("dt", label), tag("dd", value)], "")) for label, value in rows]),
        class_="facts",
    )


__all__ = ["PublicFrame", "esc", "facts"]

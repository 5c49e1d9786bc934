"""The neutral text format of outgoing messages: plain text with <b>, <i>, <code>.

Everything else is HTML-escaped when the text is built, so each channel converts
safely: Telegram takes it as parse_mode=HTML, the web page inserts it as HTML,
WhatsApp gets *bold* / _italic_ / ```code``` and plain characters.
"""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"</?(b|i|code)>")


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def b(text: str) -> str:
    return f"<b>{esc(text)}</b>"


def to_plain(rich: str) -> str:
    return html.unescape(_TAG.sub("", rich))


def to_whatsapp(rich: str) -> str:
    marks = {"b": "*", "i": "_", "code": "```"}
    converted = _TAG.sub(lambda m: marks[m.group(1)], rich)
    return html.unescape(converted)

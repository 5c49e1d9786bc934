"""Neutral messages as WhatsApp Cloud API message objects, within the platform's limits.

pywa checks none of these limits, so they are enforced here: up to 3 reply buttons with
titles of at most 20 characters and ids of at most 256; otherwise a list message of at
most 10 rows (titles <= 24, descriptions <= 72), more rows go into further lists;
interactive bodies <= 1024 characters, captions <= 1024, texts <= 4096.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from staffbot.channels.base import ChannelName
from staffbot.errors import BadChannelRequest
from staffbot.messages import Choice
from staffbot.richtext import to_plain, to_whatsapp

MAX_TEXT = 4096
MAX_BODY = 1024
MAX_CAPTION = 1024
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_BUTTON_ID = 256
MAX_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_ID = 200
MAX_ROW_DESCRIPTION = 72
MAX_LIST_BUTTON = 20
#: A template body parameter: no newlines, tabs or runs of spaces; kept well short of
#: the template body's 1024 characters.
MAX_TEMPLATE_PARAM = 700

LIST_BUTTON = {"id": "Pilih", "en": "Choose"}
MORE_CHOICES = {"id": "Pilihan lainnya ({page}/{pages})", "en": "More choices ({page}/{pages})"}


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    text = text.strip() or "-"
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip("\n")
    parts.append(text)
    return parts


def body_text(rich: str) -> str:
    return to_whatsapp(rich).strip()


def first_line(rich: str) -> str:
    return body_text(rich).split("\n", 1)[0]


def edit_text(rich: str) -> str:
    """What an "edit" becomes on WhatsApp, which cannot edit: a reply quoting the card,
    with the card's title line and what was added to the card (the outcome line)."""
    text = body_text(rich)
    if "\n\n" not in text:
        return text
    head, tail = text.split("\n", 1)[0], text.rsplit("\n\n", 1)[1]
    return f"{head}\n{tail}"


def template_param(rich: str) -> str:
    """A text as one template parameter: one line, no tabs, no long runs of spaces."""
    plain = " · ".join(line.strip() for line in to_plain(rich).splitlines() if line.strip())
    plain = " ".join(plain.replace("\t", " ").split())
    return clip(plain, MAX_TEMPLATE_PARAM) or "-"


def _check_ids(choices: Sequence[Choice], limit: int) -> None:
    for choice in choices:
        if not 1 <= len(choice.token) <= limit:
            raise BadChannelRequest(
                channel=ChannelName.WHATSAPP, problem=f"button id must be 1-{limit} characters"
            )


def _unique_titles(labels: Sequence[str], limit: int) -> list[str]:
    titles: list[str] = []
    for label in labels:
        title = clip(label.strip() or "•", limit)
        n = 2
        base = title
        while title in titles:
            suffix = f" ({n})"
            title = clip(base, limit - len(suffix)) + suffix
            n += 1
        titles.append(title)
    return titles


@dataclass(frozen=True)
class Interactive:
    """One interactive message (its ``interactive`` object)."""

    content: dict[str, Any]


def interactive(body: str, choices: Sequence[Choice], *, lang: str = "id") -> list[Interactive]:
    """Reply buttons when they fit, else list messages of up to 10 rows each."""
    if not choices:
        raise BadChannelRequest(
            channel=ChannelName.WHATSAPP, problem="interactive message without choices"
        )
    body = clip(body.strip() or "-", MAX_BODY)
    labels = [c.label.strip() for c in choices]
    fits_buttons = (
        len(choices) <= MAX_BUTTONS
        and all(1 <= len(label) <= MAX_BUTTON_TITLE for label in labels)
        and len(set(labels)) == len(labels)
    )
    if fits_buttons:
        _check_ids(choices, MAX_BUTTON_ID)
        return [
            Interactive(
                {
                    "type": "button",
                    "body": {"text": body},
                    "action": {
                        "buttons": [
                            {"type": "reply", "reply": {"id": c.token, "title": c.label.strip()}}
                            for c in choices
                        ]
                    },
                }
            )
        ]
    _check_ids(choices, MAX_ROW_ID)
    pages = [choices[i : i + MAX_ROWS] for i in range(0, len(choices), MAX_ROWS)]
    out: list[Interactive] = []
    for n, page in enumerate(pages, start=1):
        titles = _unique_titles([c.label for c in page], MAX_ROW_TITLE)
        rows: list[dict[str, Any]] = []
        for choice, title in zip(page, titles, strict=True):
            row: dict[str, Any] = {"id": choice.token, "title": title}
            if title != choice.label.strip():
                row["description"] = clip(choice.label.strip(), MAX_ROW_DESCRIPTION)
            rows.append(row)
        text = (
            body
            if n == 1
            else MORE_CHOICES.get(lang, MORE_CHOICES["id"]).format(page=n, pages=len(pages))
        )
        out.append(
            Interactive(
                {
                    "type": "list",
                    "body": {"text": text},
                    "action": {
                        "button": clip(LIST_BUTTON.get(lang, LIST_BUTTON["id"]), MAX_LIST_BUTTON),
                        "sections": [{"rows": rows}],
                    },
                }
            )
        )
    return out


def template(
    name: str,
    language: str,
    params: Sequence[str],
    *,
    document: tuple[str, str] | None = None,
    quick_reply: str | None = None,
) -> dict[str, Any]:
    """A template message object: body parameters, a document header, a quick reply."""
    components: list[dict[str, Any]] = []
    if document is not None:
        media_id, filename = document
        components.append(
            {
                "type": "header",
                "parameters": [
                    {"type": "document", "document": {"id": media_id, "filename": filename}}
                ],
            }
        )
    if params:
        components.append(
            {"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}
        )
    if quick_reply is not None:
        components.append(
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": "0",
                "parameters": [{"type": "payload", "payload": quick_reply}],
            }
        )
    out: dict[str, Any] = {"name": name, "language": {"code": language}}
    if components:
        out["components"] = components
    return out

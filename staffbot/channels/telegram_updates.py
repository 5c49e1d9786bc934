"""Bot API updates (their JSON) as neutral events, for both library adapters.

Updates are untrusted input: whatever is malformed becomes None, never an exception.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from staffbot.channels.base import (
    ChannelName,
    ChoicePressed,
    CommandReceived,
    FileReceived,
    Incoming,
    TextReceived,
)

NAME = ChannelName.TELEGRAM

Download = Callable[[str], Awaitable[bytes]]


@dataclass(frozen=True)
class Parsed:
    event: Incoming
    #: Set for button presses: the callback query to answer at once.
    callback_id: str | None = None


def _obj(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else (updates are untrusted input)."""
    return value if isinstance(value, dict) else {}


def _id(value: Any) -> str | None:
    """A Bot API id (an integer; digits as a string also do), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.lstrip("-").isdigit() and len(value) <= 20:
        return value
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def parse_update(
    update: dict[str, Any], *, now: datetime, download: Download, bot_username: str = ""
) -> Parsed | None:
    """A Bot API update (its JSON) as a neutral event; None for kinds we do not handle.

    Anything malformed is None too, never an exception: a webhook answering 500 would
    get the same update delivered again and again.

    Presses are deduplicated by their callback query id, not by update_id: a client that
    reconnects may send the same press again under a new update_id.
    """
    update_id = _id(update.get("update_id"))
    query = update.get("callback_query")
    if isinstance(query, dict):
        user = _obj(query.get("from"))
        message = _obj(query.get("message"))
        user_id = _id(user.get("id"))
        chat_id = _id(_obj(message.get("chat")).get("id")) or user_id
        query_id = _id(query.get("id")) or (_text(query.get("id")) or None)
        if user_id is None or chat_id is None or query_id is None:
            return None
        message_id = _id(message.get("message_id"))
        return Parsed(
            ChoicePressed(
                channel=NAME,
                chat_id=chat_id,
                user_id=user_id,
                at=now,
                update_id=f"cb:{query_id}",
                user_name=_text(user.get("first_name")),
                token=_text(query.get("data")),
                message_id=message_id,
            ),
            callback_id=query_id,
        )
    if not isinstance(update.get("message"), dict):
        return None
    message = _obj(update.get("message"))
    user = _obj(message.get("from"))
    user_id, chat_id = _id(user.get("id")), _id(_obj(message.get("chat")).get("id"))
    if user_id is None or chat_id is None or user.get("is_bot"):
        return None
    common: dict[str, Any] = {
        "channel": NAME,
        "chat_id": chat_id,
        "user_id": user_id,
        "at": now,
        "update_id": update_id,
        "user_name": _text(user.get("first_name")),
    }
    text = message.get("text")
    if isinstance(text, str):
        if text.startswith("/"):
            head, _, args = text[1:].partition(" ")
            command, _, addressee = head.partition("@")
            if addressee and bot_username and addressee.lower() != bot_username.lower():
                return None  # a command for another bot in a group
            return Parsed(CommandReceived(**common, command=command.lower(), args=args.strip()))
        return Parsed(TextReceived(**common, text=text, message_id=_id(message.get("message_id"))))
    found = _file_of(message)
    if found is None:
        return None
    file_id, filename, mime, size = found

    async def fetch(file_id: str = file_id) -> bytes:
        return await download(file_id)

    return Parsed(
        FileReceived(
            **common,
            filename=filename,
            mime_type=mime,
            fetch=fetch,
            size=size,
            caption=_text(message.get("caption")),
        )
    )


def _file_of(message: dict[str, Any]) -> tuple[str, str, str, int | None] | None:
    """(file_id, name, mime, size) of a document or the largest photo, if well formed."""

    def size_of(item: dict[str, Any]) -> int | None:
        size = item.get("file_size")
        return size if isinstance(size, int) and not isinstance(size, bool) else None

    document = message.get("document")
    if isinstance(document, dict):
        file_id = _text(document.get("file_id"))
        if not file_id:
            return None
        name = _text(document.get("file_name")) or "berkas"
        mime = _text(document.get("mime_type")) or "application/octet-stream"
        return file_id, name, mime, size_of(document)
    photos = message.get("photo")
    if isinstance(photos, list):
        usable = [p for p in photos if isinstance(p, dict) and _text(p.get("file_id"))]
        if not usable:
            return None
        largest = max(usable, key=lambda p: size_of(p) or 0)
        name = f"foto_{_id(message.get('message_id')) or 'telegram'}.jpg"
        return _text(largest["file_id"]), name, "image/jpeg", size_of(largest)
    return None


def update_chat(update: dict[str, Any]) -> str:
    """The chat an update belongs to (its updates are handled in order)."""
    query = update.get("callback_query")
    source = query if isinstance(query, dict) else update.get("message")
    if not isinstance(source, dict):
        return ""
    message = source.get("message") if isinstance(query, dict) else source
    chat = message.get("chat") if isinstance(message, dict) else None
    if isinstance(chat, dict) and chat.get("id") is not None:
        return str(chat["id"])
    user = source.get("from")
    return str(user.get("id")) if isinstance(user, dict) else ""

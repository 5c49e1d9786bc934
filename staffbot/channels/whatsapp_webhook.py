"""The WhatsApp webhook: signature check, verify-token challenge, payloads to events.

The payload is parsed here rather than by pywa: pywa 4.5 drops inbound updates without
``contacts[].user_id`` and status updates without ``value.contacts`` (both logged and
answered 200), and only skips duplicates whose bodies are byte-identical. Our parser
reads what the Cloud API documents and leaves duplicates to the chat service, which
records every WhatsApp message id (wamid) once.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from staffbot.channels.base import (
    ChoicePressed,
    CommandReceived,
    FileReceived,
    Incoming,
    TextReceived,
)
from staffbot.errors import ValidationError
from staffbot.validation import normalise_phone

NAME = "whatsapp"
WEBHOOK_PATH = "/whatsapp/webhook"
SIGNATURE_HEADER = "X-Hub-Signature-256"

Download = Callable[[str], Awaitable[bytes]]


def signature_ok(app_secret: bytes, body: bytes, header: str) -> bool:
    """X-Hub-Signature-256 is ``sha256=`` + HMAC-SHA256(app secret, raw body), in hex."""
    expected = "sha256=" + hmac.new(app_secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.strip().encode())


def phone_of(raw: str) -> str:
    """A WhatsApp id (digits) as our phone form: +62... for Indonesian numbers."""
    try:
        return normalise_phone(raw)
    except ValidationError:
        digits = "".join(ch for ch in raw if ch.isdigit())
        return f"+{digits}"


@dataclass(frozen=True)
class Status:
    message_id: str
    status: str
    recipient: str
    error_codes: tuple[int, ...] = ()


@dataclass
class Batch:
    """What one webhook POST carried."""

    events: list[Incoming]
    statuses: list[Status]


def parse_payload(
    payload: dict[str, Any], *, phone_id: str, now: datetime, download: Download
) -> Batch:
    batch = Batch([], [])
    if payload.get("object") != "whatsapp_business_account":
        return batch
    for entry in payload.get("entry") or []:
        for change in entry.get("changes") or []:
            if change.get("field") != "messages":
                continue
            value = change.get("value") or {}
            metadata = value.get("metadata") or {}
            if str(metadata.get("phone_number_id", phone_id)) != phone_id:
                continue  # another number of the same business account
            names = {
                str(c.get("wa_id")): str((c.get("profile") or {}).get("name") or "")
                for c in value.get("contacts") or []
            }
            for message in value.get("messages") or []:
                event = parse_message(message, names, now=now, download=download)
                if event is not None:
                    batch.events.append(event)
            for status in value.get("statuses") or []:
                if status.get("id") and status.get("status"):
                    batch.statuses.append(
                        Status(
                            message_id=str(status["id"]),
                            status=str(status["status"]),
                            recipient=phone_of(str(status.get("recipient_id") or "")),
                            error_codes=tuple(
                                int(e["code"])
                                for e in status.get("errors") or []
                                if str(e.get("code", "")).isdigit()
                            ),
                        )
                    )
    return batch


def parse_message(
    message: dict[str, Any], names: dict[str, str], *, now: datetime, download: Download
) -> Incoming | None:
    sender = str(message.get("from") or "")
    wamid = message.get("id")
    if not sender or not wamid:
        return None
    phone = phone_of(sender)
    common: dict[str, Any] = {
        "channel": NAME,
        "chat_id": phone,
        "user_id": phone,
        "at": now,
        "update_id": str(wamid),
        "user_name": names.get(sender, ""),
    }
    kind = message.get("type")
    context = (message.get("context") or {}).get("id")
    if kind == "text":
        text = str((message.get("text") or {}).get("body") or "")
        if text.startswith("/"):
            command, _, args = text[1:].partition(" ")
            return CommandReceived(**common, command=command.lower(), args=args.strip())
        return TextReceived(**common, text=text, message_id=str(wamid))
    if kind == "interactive":
        content = message.get("interactive") or {}
        reply = content.get("button_reply") or content.get("list_reply") or {}
        if not reply.get("id"):
            return None
        return ChoicePressed(
            **common, token=str(reply["id"]), message_id=str(context) if context else None
        )
    if kind == "button":
        # A template's quick-reply button: its payload is a command or a token.
        payload = str((message.get("button") or {}).get("payload") or "")
        if payload.startswith("/"):
            command, _, args = payload[1:].partition(" ")
            return CommandReceived(**common, command=command.lower(), args=args.strip())
        if payload:
            return ChoicePressed(
                **common, token=payload, message_id=str(context) if context else None
            )
        return None
    if kind in ("image", "document"):
        media = message.get(kind) or {}
        media_id = str(media.get("id") or "")
        if not media_id:
            return None
        mime = str(media.get("mime_type") or "application/octet-stream").split(";")[0].strip()
        if kind == "document":
            filename = str(media.get("filename") or "berkas")
        else:
            extension = ".png" if mime == "image/png" else ".jpg"
            filename = f"foto_{str(wamid)[-8:]}{extension}"

        async def fetch(media_id: str = media_id) -> bytes:
            return await download(media_id)

        return FileReceived(
            **common,
            filename=filename,
            mime_type=mime,
            fetch=fetch,
            caption=str(media.get("caption") or ""),
        )
    return None

"""The WhatsApp webhook: signature check, verify-token challenge, payloads to events.

GET and POST /whatsapp/webhook are mounted on the bot's web server (:class:`WhatsAppWebhook`).

The payload is parsed here rather than by pywa: pywa 4.5 drops inbound updates without
``contacts[].user_id`` and status updates without ``value.contacts`` (both logged and
answered 200), and only skips duplicates whose bodies are byte-identical. Our parser
reads what the Cloud API documents and leaves duplicates to the chat service, which
records every WhatsApp message id (wamid) once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from staffbot.channels.base import (
    ChannelName,
    ChoicePressed,
    CommandReceived,
    FileReceived,
    Incoming,
    TextReceived,
)
from staffbot.errors import ValidationError
from staffbot.validation import normalise_phone

log = logging.getLogger(__name__)

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
    #: The first error as Meta words it ("131026 Message undeliverable").
    error: str = ""


@dataclass
class Batch:
    """What one webhook POST carried."""

    events: list[Incoming]
    statuses: list[Status]


def _obj(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else (payloads are untrusted input)."""
    return value if isinstance(value, dict) else {}


def _objs(value: Any) -> list[dict[str, Any]]:
    """The objects of a JSON list; anything else is no list at all."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def parse_payload(
    payload: dict[str, Any], *, phone_id: str, now: datetime, download: Download
) -> Batch:
    """Events and statuses of one webhook POST. Whatever is malformed is skipped, never
    raised: an error would answer 500 and Meta would deliver the same body again."""
    batch = Batch([], [])
    if payload.get("object") != "whatsapp_business_account":
        return batch
    for entry in _objs(payload.get("entry")):
        for change in _objs(entry.get("changes")):
            if change.get("field") != "messages":
                continue
            value = _obj(change.get("value"))
            metadata = _obj(value.get("metadata"))
            if _text(metadata.get("phone_number_id", phone_id)) != phone_id:
                continue  # another number of the same business account
            names = {
                _text(c.get("wa_id")): _text(_obj(c.get("profile")).get("name"))
                for c in _objs(value.get("contacts"))
            }
            for message in _objs(value.get("messages")):
                event = parse_message(message, names, now=now, download=download)
                if event is not None:
                    batch.events.append(event)
            for status in _objs(value.get("statuses")):
                message_id, state = _text(status.get("id")), _text(status.get("status"))
                if message_id and state:
                    batch.statuses.append(
                        Status(
                            message_id=message_id,
                            status=state,
                            recipient=phone_of(_text(status.get("recipient_id"))),
                            error_codes=tuple(
                                int(code)
                                for e in _objs(status.get("errors"))
                                if (code := _text(e.get("code"))).isdigit() and len(code) < 10
                            ),
                            error=_first_error(status),
                        )
                    )
    return batch


def _first_error(status: dict[str, Any]) -> str:
    """The first error of a failed status, code and title, kept short (it is shown
    to staff with the case)."""
    for error in _objs(status.get("errors")):
        code = _text(error.get("code"))
        title = _text(error.get("title")) or _text(error.get("message"))
        return f"{code} {title}".strip()[:200]
    return ""


def parse_message(
    message: dict[str, Any], names: dict[str, str], *, now: datetime, download: Download
) -> Incoming | None:
    sender = _text(message.get("from"))
    wamid = _text(message.get("id"))
    if not sender or not wamid or not any(ch.isdigit() for ch in sender):
        return None
    phone = phone_of(sender)
    common: dict[str, Any] = {
        "channel": ChannelName.WHATSAPP,
        "chat_id": phone,
        "user_id": phone,
        "at": now,
        "update_id": wamid,
        "user_name": names.get(sender, ""),
    }
    kind = message.get("type")
    context = _text(_obj(message.get("context")).get("id")) or None
    if kind == "text":
        text = _text(_obj(message.get("text")).get("body"))
        if text.startswith("/"):
            command, _, args = text[1:].partition(" ")
            return CommandReceived(**common, command=command.lower(), args=args.strip())
        return TextReceived(**common, text=text, message_id=wamid)
    if kind == "interactive":
        content = _obj(message.get("interactive"))
        reply = _obj(content.get("button_reply")) or _obj(content.get("list_reply"))
        token = _text(reply.get("id"))
        if not token:
            return None
        return ChoicePressed(**common, token=token, message_id=context)
    if kind == "button":
        # A template's quick-reply button: its payload is a command or a token.
        payload = _text(_obj(message.get("button")).get("payload"))
        if payload.startswith("/"):
            command, _, args = payload[1:].partition(" ")
            return CommandReceived(**common, command=command.lower(), args=args.strip())
        if payload:
            return ChoicePressed(**common, token=payload, message_id=context)
        return None
    if kind in ("image", "document"):
        media = _obj(message.get(kind))
        media_id = _text(media.get("id"))
        if not media_id:
            return None
        mime = (_text(media.get("mime_type")) or "application/octet-stream").split(";")[0].strip()
        if kind == "document":
            filename = _text(media.get("filename")) or "berkas"
        else:
            extension = ".png" if mime == "image/png" else ".jpg"
            filename = f"foto_{wamid[-8:]}{extension}"

        async def fetch(media_id: str = media_id) -> bytes:
            return await download(media_id)

        return FileReceived(
            **common,
            filename=filename,
            mime_type=mime,
            fetch=fetch,
            caption=_text(media.get("caption")),
        )
    return None


class WhatsAppWebhook:
    """GET and POST /whatsapp/webhook on the bot's web server.

    GET answers Meta's verification (hub.verify_token, compared in constant time).
    POST checks X-Hub-Signature-256 against the app secret over the raw body before
    anything is parsed: no signature gets 401, a wrong one 403, and nothing happens.
    Registering the URL is done once in the Meta app dashboard, so start/stop do nothing.
    """

    def __init__(
        self,
        app_secret: str,
        verify_token: str | None,
        on_payload: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        self._secret = app_secret.encode()
        self._verify = verify_token.encode() if verify_token else None
        self.on_payload = on_payload

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def routes(self) -> list[BaseRoute]:
        return [Route(WEBHOOK_PATH, self.handle, methods=["GET", "POST"])]

    async def handle(self, request: Request) -> Response:
        if request.method == "GET":
            return self.challenge(request)
        return await self.receive(request)

    def challenge(self, request: Request) -> Response:
        params = request.query_params
        given = params.get("hub.verify_token", "").encode()
        if (
            self._verify is not None
            and params.get("hub.mode") == "subscribe"
            and hmac.compare_digest(given, self._verify)
        ):
            return PlainTextResponse(params.get("hub.challenge", ""))
        return PlainTextResponse("verification failed", status_code=403)

    async def receive(self, request: Request) -> Response:
        header = request.headers.get(SIGNATURE_HEADER)
        if header is None:
            return PlainTextResponse("signature missing", status_code=401)
        body = await request.body()
        if not signature_ok(self._secret, body, header):
            return PlainTextResponse("signature wrong", status_code=403)
        try:
            payload = json.loads(body)
        except ValueError:
            return PlainTextResponse("not JSON", status_code=400)
        if not isinstance(payload, dict):
            return PlainTextResponse("not an update", status_code=400)
        try:
            await self.on_payload(payload)
        except Exception:
            # Meta delivers it again; what was done is recorded and not done twice.
            log.exception("whatsapp webhook failed")
            return PlainTextResponse("failed", status_code=500)
        return PlainTextResponse("ok")

"""Control API of the WhatsApp double: lets a test in another process drive it."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._common import json_response

if TYPE_CHECKING:
    from .whatsapp import WhatsAppDouble


class WhatsAppControl:
    """The WhatsApp-specific /_control/ routes; each wraps a public method of the double.

    Push routes answer with the delivery: {"index", "message_id", "status", ...}, where
    status is the HTTP status the bot's webhook answered (null if it was not reached).
    """

    def __init__(self, double: WhatsAppDouble) -> None:
        self.d = double

    def register(self, app: web.Application) -> None:
        r = app.router
        r.add_post("/_control/push/{kind}", self.push)
        r.add_post("/_control/redeliver", self.redeliver)
        r.add_post("/_control/webhook", self.webhook)
        r.add_post("/_control/limits", self.limits)
        r.add_get("/_control/users", self.users)
        r.add_get("/_control/users/{phone}", self.user)
        r.add_get("/_control/deliveries", self.deliveries)
        r.add_get("/_control/media/{media_id}", self.media)

    async def push(self, request: web.Request) -> web.Response:
        b: dict[str, Any] = await request.json()
        kind = request.match_info["kind"]
        common = {k: b[k] for k in ("name", "message_id", "signature") if k in b}
        d = self.d
        if kind == "text":
            delivery = await d.push_text(b["from_phone"], b["text"], **common)
        elif kind == "image":
            delivery = await d.push_image(
                b["from_phone"],
                base64.b64decode(b["base64"]),
                b.get("mime", "image/jpeg"),
                caption=b.get("caption"),
                **common,
            )
        elif kind == "document":
            delivery = await d.push_document(
                b["from_phone"],
                b["filename"],
                base64.b64decode(b["base64"]),
                b.get("mime", "application/pdf"),
                caption=b.get("caption"),
                **common,
            )
        elif kind == "button_reply":
            delivery = await d.push_button_reply(
                b["from_phone"],
                b["button_id"],
                b["title"],
                b["context_message_id"],
                **common,
            )
        elif kind == "list_reply":
            delivery = await d.push_list_reply(
                b["from_phone"],
                b["row_id"],
                b["title"],
                b["context_message_id"],
                description=b.get("description"),
                **common,
            )
        elif kind == "status":
            delivery = await d.push_status(
                b["message_id"],
                b["status"],
                error=b.get("error_code"),
                signature=b.get("signature", "valid"),
            )
        elif kind == "raw":
            delivery = await d.push_raw(
                b["payload"],
                signature=b.get("signature", "valid"),
            )
        else:
            raise web.HTTPNotFound(text=f"unknown push kind {kind}")
        return json_response(delivery.to_json())

    async def redeliver(self, request: web.Request) -> web.Response:
        index = int((await request.json())["index"])
        delivery = await self.d.redeliver(index)
        return json_response(delivery.to_json())

    async def webhook(self, request: web.Request) -> web.Response:
        b = await request.json()
        self.d.configure_webhook(b.get("url"), b.get("app_secret"))
        return json_response({"url": b.get("url")})

    async def limits(self, request: web.Request) -> web.Response:
        b = await request.json()
        for key in ("enforce_window", "window_violation", "pair_rate_limit", "throughput_limit"):
            if key in b:
                setattr(self, key, b[key])
        return json_response(
            {
                k: getattr(self, k)
                for k in (
                    "enforce_window",
                    "window_violation",
                    "pair_rate_limit",
                    "throughput_limit",
                )
            }
        )

    async def users(self, request: web.Request) -> web.Response:
        threads = self.d.threads
        return json_response(
            {phone: [m.to_json() for m in thread.messages] for phone, thread in threads.items()}
        )

    async def user(self, request: web.Request) -> web.Response:
        thread = self.d.thread(request.match_info["phone"])
        return json_response(
            {
                "phone": thread.phone,
                "name": thread.name,
                "user_id": thread.user_id,
                "last_inbound": thread.last_inbound,
                "messages": [m.to_json() for m in thread.messages],
            }
        )

    async def deliveries(self, request: web.Request) -> web.Response:
        deliveries = self.d.deliveries
        return json_response([d.to_json() for d in deliveries])

    async def media(self, request: web.Request) -> web.Response:
        media = self.d.media.get(request.match_info["media_id"])
        if media is None:
            raise web.HTTPNotFound()
        return json_response(
            {
                "id": media.id,
                "mime_type": media.mime_type,
                "filename": media.filename,
                "uploaded_by": media.uploaded_by,
                "base64": base64.b64encode(media.data).decode(),
            }
        )

"""Control API of the Telegram double: lets a test in another process drive it."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from aiohttp import web

from ._common import json_response

if TYPE_CHECKING:
    from .telegram import TelegramDouble


class TelegramControl:
    """The Telegram-specific /_control/ routes; each wraps a public method of the double.

    (The common ones, calls/faults/clock/state, come from DoubleServer.)
    """

    def __init__(self, double: TelegramDouble) -> None:
        self.d = double

    def register(self, app: web.Application) -> None:
        r = app.router
        r.add_post("/_control/push/text", self.push_text)
        r.add_post("/_control/push/callback", self.push_callback)
        r.add_post("/_control/push/document", self.push_document)
        r.add_post("/_control/push/update", self.push_update)
        r.add_post("/_control/resend", self.resend)
        r.add_post("/_control/redeliver", self.redeliver)
        r.add_get("/_control/chats", self.chats)
        r.add_get("/_control/chats/{chat_id}", self.chat)
        r.add_get("/_control/callbacks", self.callbacks)
        r.add_post("/_control/limits", self.limits)
        r.add_post("/_control/block", self.block)

    async def push_text(self, request: web.Request) -> web.Response:
        b = await request.json()
        update_id = self.d.push_text(
            int(b["chat_id"]),
            int(b["user_id"]),
            b["text"],
            first_name=b.get("first_name", "Pengguna"),
            username=b.get("username"),
        )
        return json_response({"update_id": update_id})

    async def push_callback(self, request: web.Request) -> web.Response:
        b = await request.json()
        update_id = self.d.push_callback(
            int(b["chat_id"]),
            int(b["user_id"]),
            int(b["message_id"]),
            b["data"],
            first_name=b.get("first_name", "Pengguna"),
        )
        return json_response({"update_id": update_id})

    async def push_document(self, request: web.Request) -> web.Response:
        b = await request.json()
        update_id = self.d.push_document(
            int(b["chat_id"]),
            int(b["user_id"]),
            b["filename"],
            base64.b64decode(b["base64"]),
            b.get("mime", "application/pdf"),
            caption=b.get("caption"),
        )
        return json_response({"update_id": update_id})

    async def push_update(self, request: web.Request) -> web.Response:
        return json_response({"update_id": self.d.push_update((await request.json())["update"])})

    async def resend(self, request: web.Request) -> web.Response:
        return json_response({"update_id": self.d.resend(int((await request.json())["update_id"]))})

    async def redeliver(self, request: web.Request) -> web.Response:
        self.d.redeliver(int((await request.json())["update_id"]))
        return json_response({"ok": True})

    async def chats(self, request: web.Request) -> web.Response:
        return json_response(
            {
                str(cid): [m.to_json() for m in chat.messages.values()]
                for cid, chat in self.d.chats.items()
            }
        )

    async def chat(self, request: web.Request) -> web.Response:
        chat = self.d.chats.get(int(request.match_info["chat_id"]))
        return json_response([m.to_json() for m in chat.messages.values()] if chat else [])

    async def callbacks(self, request: web.Request) -> web.Response:
        return json_response(
            {
                qid: {
                    "chat_id": s.chat_id,
                    "message_id": s.message_id,
                    "user_id": s.user_id,
                    "data": s.data,
                    "answered_at": s.answered_at,
                    "answer": s.answer,
                }
                for qid, s in self.d.callbacks.items()
            }
        )

    async def limits(self, request: web.Request) -> web.Response:
        b = await request.json()
        self.d.enforce_limits = bool(b.get("enforce", self.d.enforce_limits))
        self.d.limit_edits = bool(b.get("limit_edits", self.d.limit_edits))
        return json_response({"enforce": self.d.enforce_limits, "limit_edits": self.d.limit_edits})

    async def block(self, request: web.Request) -> web.Response:
        b = await request.json()
        chat_id = int(b["chat_id"])
        if b.get("blocked", True):
            self.d.blocked.add(chat_id)
        else:
            self.d.blocked.discard(chat_id)
        return json_response({"blocked": sorted(self.d.blocked)})

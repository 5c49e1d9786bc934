"""Demo only: the applicant's WhatsApp, simulated in the browser.

Without WhatsApp settings the runner routes WhatsApp deliveries to the web channel, so
the applicant's messages are outbox rows (channel "whatsapp", chat_id = the phone)
marked sent. Here a newcomer reads them and answers as the applicant: the events are
built exactly as the WhatsApp channel would build them, so the chat service treats
them as the applicant's (files attach to their open case). Not mounted outside demo.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from staffbot.app.commands.web import ChatsOfChannel, DocumentRefused, DownloadSentDocument, Refusal
from staffbot.channels.base import ChannelName, FileReceived, TextReceived
from staffbot.limits import MAX_UPLOAD_BYTES
from staffbot.web.api import (
    answer_json,
    bad_request,
    client_id,
    document_response,
    fetcher,
    json_body,
    read_upload,
)
from staffbot.web.context import Web, csrf_refused
from staffbot.web.pages import html, not_found
from staffbot.web.security import CSRF_HEADER, BodyTooLarge
from staffbot.web.templating import Safe, join, page, render, tag, void_tag
from staffbot.web.transcript import DocUrl, after_of, stream, transcript

WHATSAPP = ChannelName.WHATSAPP
_PHONE = re.compile(r"^\+?\d{8,16}$")
MAX_TEXT = 4000


def phone_path(phone: str) -> str:
    return "/pemohon/" + quote(phone, safe="")


class ApplicantInbox:
    def __init__(self, web: Web) -> None:
        self.web = web

    def _phone(self, request: Request) -> str | None:
        if not self.web.deps.demo:
            return None
        phone = str(request.path_params.get("phone", ""))
        return phone if _PHONE.match(phone) else None

    def _doc_url(self, phone: str) -> DocUrl:
        def url(document_id: int) -> str:
            return f"{phone_path(phone)}/documents/{document_id}"

        return url

    def _event_base(self, phone: str, cid: str) -> dict[str, Any]:
        return {
            "channel": WHATSAPP,
            "chat_id": phone,
            "user_id": phone,
            "at": self.web.deps.office.now(),
            "update_id": f"demo-wa:{phone}:{cid}",
            "user_name": "",
        }

    # -- pages ------------------------------------------------------------------------------

    async def inbox(self, request: Request) -> Response:
        if not self.web.deps.demo:
            return not_found()
        chats = await self.web.deps.bus.handle(ChatsOfChannel(WHATSAPP))
        items = [
            tag(
                "li",
                tag(
                    "a",
                    Safe(tag("b", chat.chat_id) + tag("span", f"{chat.messages} pesan")),
                    href=phone_path(chat.chat_id),
                    class_="role",
                ),
            )
            for chat in chats
        ]
        if not items:
            items = [
                tag(
                    "li",
                    "Belum ada pesan untuk pemohon. Catat pengaduan sebagai Petugas Call "
                    "Center: bot lalu mengirim instruksi ke WhatsApp pemohon.",
                    class_="muted",
                )
            ]
        body = render("pemohon_list.html", phones=join(items))
        return html(page("Pemohon (simulasi WhatsApp)", body, body_class="demo"))

    async def conversation(self, request: Request) -> Response:
        phone = self._phone(request)
        if phone is None:
            return not_found()
        token = self.web.pre_csrf(request)
        body = render(
            "pemohon.html",
            phone=phone,
            base=phone_path(phone) + "/api",
            max_upload=str(MAX_UPLOAD_BYTES),
        )
        meta = void_tag("meta", name="csrf-token", content=token)
        response = html(
            page(f"Pemohon {phone}", body, meta=meta, script="chat.js", body_class="wa")
        )
        self.web.set_pre_csrf(response, token)
        return response

    # -- API --------------------------------------------------------------------------------

    def _post_refused(self, request: Request) -> Response | None:
        if not self.web.pre_csrf_ok(request, request.headers.get(CSRF_HEADER)):
            return csrf_refused()
        return None

    async def messages(self, request: Request) -> Response:
        phone = self._phone(request)
        if phone is None:
            return not_found()
        after = after_of(request.query_params.get("after"))
        return JSONResponse(
            await transcript(self.web, WHATSAPP, phone, after, self._doc_url(phone))
        )

    async def events(self, request: Request) -> Response:
        phone = self._phone(request)
        if phone is None:
            return not_found()

        async def still_allowed() -> bool:
            return self.web.deps.demo

        after = after_of(request.query_params.get("after"), request.headers.get("last-event-id"))
        return StreamingResponse(
            stream(self.web, WHATSAPP, phone, after, self._doc_url(phone), still_allowed),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    async def text(self, request: Request) -> Response:
        phone = self._phone(request)
        if phone is None:
            return not_found()
        refused = self._post_refused(request)
        if refused is not None:
            return refused
        try:
            body = await json_body(request)
        except BodyTooLarge:
            return bad_request("Pesan terlalu panjang.", 413)
        if body is None:
            return bad_request("Permintaan tidak terbaca.")
        text, cid = body.get("text"), client_id(body.get("id"))
        if not isinstance(text, str) or not text.strip() or cid is None:
            return bad_request("Pesan atau id tidak ada.")
        if len(text) > MAX_TEXT:
            return bad_request("Pesan terlalu panjang.", 413)
        # WhatsApp has no slash commands for applicants: everything is text.
        event = TextReceived(**self._event_base(phone, cid), text=text.strip(), message_id=cid)
        return answer_json(await self.web.deps.chat.handle(event))

    async def file(self, request: Request) -> Response:
        phone = self._phone(request)
        if phone is None:
            return not_found()
        refused = self._post_refused(request)
        if refused is not None:
            return refused
        upload = await read_upload(request)
        if isinstance(upload, Response):
            return upload
        file, cid, caption = upload
        try:
            event = FileReceived(
                **self._event_base(phone, cid),
                filename=file.filename or "berkas",
                mime_type=file.content_type or "",
                fetch=fetcher(file),
                size=file.size,
                caption=caption,
            )
            return answer_json(await self.web.deps.chat.handle(event))
        finally:
            await file.close()

    async def document(self, request: Request) -> Response:
        """Only documents that were sent to this phone."""
        phone = self._phone(request)
        raw = str(request.path_params.get("document_id", ""))
        if phone is None or not raw.isdigit() or len(raw) > 18:
            return not_found()
        found = await self.web.deps.bus.handle(DownloadSentDocument(WHATSAPP, phone, int(raw)))
        if isinstance(found, DocumentRefused) and found.reason is Refusal.ABSENT:
            return not_found()
        return document_response(found)

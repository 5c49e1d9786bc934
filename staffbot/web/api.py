"""The staff chat's JSON API: transcript, live stream, presses, texts, files, tasks,
and document downloads. The chat is always the session's own: chat_id comes from
the session, never from the request."""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from typing import Any
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from staffbot.app.commands.cases import Who
from staffbot.app.commands.queries import MyTasks
from staffbot.app.commands.web import DocumentFile, DocumentRefused, DownloadDocument, Refusal
from staffbot.app.commands.web_auth import SessionInfo
from staffbot.channels.base import (
    Answer,
    ChannelName,
    ChoicePressed,
    CommandReceived,
    FileReceived,
    Incoming,
    TextReceived,
)
from staffbot.errors import ValidationError
from staffbot.limits import MAX_UPLOAD_BYTES
from staffbot.timefmt import short_time
from staffbot.web.context import Web
from staffbot.web.security import BodyTooLarge, limited_receive, read_limited
from staffbot.web.transcript import after_of, stream, transcript

log = logging.getLogger(__name__)

WEB = ChannelName.WEB
#: The page numbers each submission; a resubmission (double tap, retry) reuses it.
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_TEXT = 4000
#: Multipart framing around the file (boundaries, part headers, the small fields).
MULTIPART_SLACK = 64 * 1024


def bad_request(text: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": "bad_request", "text": text}, status)


def answer_json(answer: Answer) -> JSONResponse:
    return JSONResponse({"text": answer.text, "alert": answer.alert})


def client_id(value: object) -> str | None:
    return value if isinstance(value, str) and _CLIENT_ID.match(value) else None


async def json_body(request: Request) -> dict[str, Any] | None:
    try:
        data = json.loads(await read_limited(request))
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def text_event(text: str, base: dict[str, Any]) -> Incoming:
    """A command when the text starts with "/", else plain text."""
    if text.startswith("/") and len(text) > 1:
        command, _, args = text[1:].partition(" ")
        return CommandReceived(**base, command=command.split("@", 1)[0].lower(), args=args.strip())
    # The page shows its own message under its id: a "delete" (the PIN) removes it.
    message_id = str(base["update_id"]).rsplit(":", 1)[-1]
    return TextReceived(**base, text=text, message_id=message_id)


async def read_upload(request: Request) -> tuple[UploadFile, str, str] | Response:
    """The multipart upload (file, id, caption), refused early when too large."""
    declared = request.headers.get("content-length")
    limit = MAX_UPLOAD_BYTES + MULTIPART_SLACK
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return too_large()
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return bad_request("Kirim berkas sebagai multipart/form-data.")
    limited = Request(request.scope, limited_receive(request.receive, limit))
    try:
        form = await limited.form(max_files=1, max_fields=4)
    except BodyTooLarge:
        return too_large()
    except Exception as exc:  # malformed multipart: python-multipart raises its own types
        log.info("upload refused: %s", type(exc).__name__)
        return bad_request("Berkas tidak terbaca.")
    upload = form.get("file")
    cid = client_id(form.get("id"))
    caption = form.get("caption")
    if not isinstance(upload, UploadFile) or cid is None:
        await form.close()
        return bad_request("Berkas atau id tidak ada.")
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        await form.close()
        return too_large()
    return upload, cid, caption if isinstance(caption, str) else ""


def too_large() -> JSONResponse:
    mb = MAX_UPLOAD_BYTES // (1024 * 1024)
    return bad_request(f"Berkas terlalu besar (maksimal {mb} MB).", 413)


def fetcher(upload: UploadFile) -> Any:
    async def fetch() -> bytes:
        # The chat service may run a turn twice (a retried transaction): read from 0.
        await upload.seek(0)
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise ValidationError(
                field="file", problem="size", max=MAX_UPLOAD_BYTES // (1024 * 1024)
            )
        return data

    return fetch


def content_disposition(filename: str) -> str:
    ascii_name = re.sub(r"[^A-Za-z0-9._() -]", "_", filename) or "dokumen"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def no_document() -> Response:
    return Response("Dokumen tidak ditemukan.", 404, media_type="text/plain")


def document_response(found: DocumentFile | DocumentRefused) -> Response:
    """The file as a download; a document whose file is gone is not found."""
    if isinstance(found, DocumentRefused):
        if found.reason is Refusal.UNREADABLE:
            log.warning("document %s is missing from the data dir", found.document_id)
        return no_document()
    return Response(
        found.data,
        media_type=found.mime_type,
        headers={
            "Content-Disposition": content_disposition(found.filename),
            "Cache-Control": "no-store, private",
        },
    )


class ChatApi:
    def __init__(self, web: Web) -> None:
        self.web = web

    @staticmethod
    def doc_url(document_id: int) -> str:
        return f"/documents/{document_id}"

    def _event_base(self, info: SessionInfo, cid: str) -> dict[str, Any]:
        staff_id = str(info.staff.id)
        return {
            "channel": WEB,
            "chat_id": staff_id,
            "user_id": staff_id,
            "at": self.web.deps.office.now(),
            # Namespaced by person: one staff member's ids never collide with another's.
            "update_id": f"{staff_id}:{cid}",
            "user_name": info.staff.name,
        }

    async def messages(self, request: Request) -> Response:
        auth = await self.web.api_session(request, post=False)
        if isinstance(auth, Response):
            return auth
        after = after_of(request.query_params.get("after"))
        data = await transcript(self.web, WEB, str(auth.staff.id), after, self.doc_url)
        return JSONResponse(data)

    async def events(self, request: Request) -> Response:
        auth = await self.web.api_session(request, post=False)
        if isinstance(auth, Response):
            return auth
        staff_id = auth.staff.id
        cookie = request.cookies.get(self.web.session_cookie)

        async def still_allowed() -> bool:
            info = await self.web.session(request)
            return info is not None and info.staff.id == staff_id and cookie is not None

        after = after_of(request.query_params.get("after"), request.headers.get("last-event-id"))
        return StreamingResponse(
            stream(self.web, WEB, str(staff_id), after, self.doc_url, still_allowed),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    async def press(self, request: Request) -> Response:
        auth = await self.web.api_session(request, post=True)
        if isinstance(auth, Response):
            return auth
        try:
            body = await json_body(request)
        except BodyTooLarge:
            return bad_request("Permintaan terlalu besar.", 413)
        if body is None:
            return bad_request("Permintaan tidak terbaca.")
        token, cid = body.get("token"), client_id(body.get("id"))
        if not isinstance(token, str) or not 0 < len(token) <= 64 or cid is None:
            return bad_request("Tombol atau id tidak ada.")
        event = ChoicePressed(**self._event_base(auth, cid), token=token)
        return answer_json(await self.web.deps.chat.handle(event))

    async def text(self, request: Request) -> Response:
        auth = await self.web.api_session(request, post=True)
        if isinstance(auth, Response):
            return auth
        try:
            body = await json_body(request)
        except BodyTooLarge:
            return bad_request("Pesan terlalu panjang.", 413)
        if body is None:
            return bad_request("Permintaan tidak terbaca.")
        text, cid = body.get("text"), client_id(body.get("id"))
        if not isinstance(text, str) or cid is None:
            return bad_request("Pesan atau id tidak ada.")
        text = text.strip()
        if not text:
            return bad_request("Pesan kosong.")
        if len(text) > MAX_TEXT:
            return bad_request("Pesan terlalu panjang.", 413)
        event = text_event(text, self._event_base(auth, cid))
        return answer_json(await self.web.deps.chat.handle(event))

    async def file(self, request: Request) -> Response:
        auth = await self.web.api_session(request, post=True)
        if isinstance(auth, Response):
            return auth
        upload = await read_upload(request)
        if isinstance(upload, Response):
            return upload
        file, cid, caption = upload
        try:
            event = FileReceived(
                **self._event_base(auth, cid),
                filename=file.filename or "berkas",
                mime_type=file.content_type or "",
                fetch=fetcher(file),
                size=file.size,
                caption=caption,
            )
            return answer_json(await self.web.deps.chat.handle(event))
        finally:
            await file.close()

    async def tasks(self, request: Request) -> Response:
        auth = await self.web.api_session(request, post=False)
        if isinstance(auth, Response):
            return auth
        office = self.web.deps.office
        tasks = await self.web.deps.bus.handle(MyTasks(Who(staff_id=auth.staff.id)))
        now = office.now()
        return JSONResponse(
            {
                "tasks": [
                    {
                        "task_id": t.task_id,
                        "number": t.number,
                        "sop_no": t.sop_no,
                        "title": t.title,
                        "kecamatan": t.kecamatan,
                        "layanan": t.layanan,
                        "paused": t.paused,
                        "due": short_time(
                            datetime.fromisoformat(t.due_at), office.tz, now, office.language
                        )
                        if t.due_at
                        else None,
                        "overdue": bool(t.due_at and datetime.fromisoformat(t.due_at) < now),
                    }
                    for t in tasks
                ]
            }
        )

    async def document(self, request: Request) -> Response:
        """A stored document, for staff who may see its case (services.access, applied
        inside the query so no route can skip it: the case has reached a step of theirs,
        they acted on it or got its card, or they are a section head or above). Paths
        never leave the server."""
        auth = await self.web.page_session(request)
        if isinstance(auth, Response):
            return auth
        raw = str(request.path_params.get("document_id", ""))
        if not raw.isdigit() or len(raw) > 18:
            return no_document()
        found = await self.web.deps.bus.handle(
            DownloadDocument(int(raw), Who(staff_id=auth.staff.id))
        )
        if isinstance(found, DocumentRefused) and found.reason is Refusal.FORBIDDEN:
            log.warning("document %s refused to staff %s", found.document_id, auth.staff.id)
            return Response(
                "Dokumen ini bukan untuk Anda: kasusnya belum sampai ke peran Anda.",
                403,
                media_type="text/plain",
            )
        if isinstance(found, DocumentFile):
            log.info("document %s downloaded by staff %s", found.document_id, auth.staff.id)
        return document_response(found)

"""The Graph API endpoints of the WhatsApp double (mixed into WhatsAppDouble)."""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ._common import (
    DoubleServer,
    PayloadTooLarge,
    SlidingWindow,
    Upload,
    json_response,
    read_request_fields,
)
from ._whatsapp_model import (
    BAD_TOKEN,
    IMAGE_TYPES,
    MAX_DOCUMENT,
    MAX_IMAGE,
    PAIR_RATE,
    RE_ENGAGEMENT,
    THROUGHPUT,
    UNKNOWN,
    GraphError,
    MediaObject,
    UserThread,
    WaMessage,
    invalid,
    new_wamid,
    validate_outbound,
)

PAIR_INTERVAL = 6.0
_Handler = Callable[[web.Request, dict[str, Any], dict[str, Upload]], Awaitable[Any]]


class GraphApiMethods(DoubleServer):
    """Handlers of /v{version}/{phone_id}/messages, /media, /{media_id} and the media
    download URL. State lives in WhatsAppDouble and is declared here for reading."""

    token: str
    phone_id: str
    enforce_window: bool
    window_violation: str
    pair_rate_limit: bool
    throughput_limit: int | None
    known_templates: frozenset[str] | None
    auto_statuses: tuple[str, ...]
    media: dict[str, MediaObject]
    read_marks: list[str]
    throttled: Counter[int]
    _throughput: SlidingWindow
    _background: set[asyncio.Task[Any]]

    def thread(self, phone: str) -> UserThread:
        raise NotImplementedError

    def window_open(self, phone: str) -> bool:
        raise NotImplementedError

    def _store_media(self, data: bytes, mime: str, filename: str | None, by: str) -> MediaObject:
        raise NotImplementedError

    def _later(self, coro: Awaitable[Any]) -> None:
        raise NotImplementedError

    async def push_status(
        self,
        message_id: str,
        status: str,
        *,
        error: GraphError | int | None = None,
        signature: str = "valid",
    ) -> Any:
        raise NotImplementedError

    def _authorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        given = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None
        given = given or request.query.get("access_token")
        return given is not None and secrets.compare_digest(given, self.token)

    async def _handle_node(self, request: web.Request) -> web.StreamResponse:
        if request.method == "GET":
            return await self._call(request, "get_media", self._get_media)
        if request.method == "DELETE":
            return await self._call(request, "delete_media", self._delete_media)
        return await self._call(request, "unsupported", self._unsupported)

    async def _handle_edge(self, request: web.Request) -> web.StreamResponse:
        edge = request.match_info["edge"]
        if edge == "media":
            return await self._call(request, "upload_media", self._upload_media)
        if edge == "messages":
            return await self._call(request, "send_message", self._messages)
        return await self._call(request, "unsupported", self._unsupported)

    async def _call(
        self,
        request: web.Request,
        method: str,
        handler: _Handler,
    ) -> web.StreamResponse:
        if not self._authorized(request):
            return json_response(BAD_TOKEN.payload(), BAD_TOKEN.status)
        try:
            fields, uploads, ctype = await read_request_fields(request, MAX_DOCUMENT)
        except PayloadTooLarge:
            err = GraphError(131052, "Media download error", "File too large")
            return json_response(err.payload(), err.status)
        except ValueError:
            err = invalid("Request body is not valid JSON.")
            return json_response(err.payload(), err.status)
        if method == "send_message" and fields.get("status") == "read":
            method = "mark_read"
        record = self._new_record(method, {**fields, **uploads}, ctype)

        async def apply() -> web.StreamResponse:
            try:
                result = await handler(request, fields, uploads)
            except GraphError as err:
                record.error = f"{err.code} {err.title}"
                return json_response(err.payload(), err.status)
            record.ok = True
            return json_response(result)

        return await self.run_with_fault(request, record, apply, self._fault_response)

    def _fault_response(self, kind: str) -> web.Response:
        err = THROUGHPUT if kind == "429" else UNKNOWN
        return json_response(err.payload(), err.status)

    def _check_phone(self, request: web.Request) -> None:
        node = request.match_info["node"]
        if node != self.phone_id:
            raise GraphError(
                100,
                "Invalid parameter",
                f"Unsupported post request. Object with ID '{node}' does not exist, cannot be "
                "loaded due to missing permissions, or does not support this operation.",
            )

    async def _unsupported(
        self, request: web.Request, fields: dict[str, Any], uploads: dict[str, Upload]
    ) -> Any:
        raise GraphError(2500, "Unknown path components", request.path)

    async def _messages(
        self, request: web.Request, fields: dict[str, Any], uploads: dict[str, Upload]
    ) -> Any:
        self._check_phone(request)
        if fields.get("status") == "read":
            self.read_marks.append(str(fields.get("message_id")))
            return {"success": True}
        kind, content = validate_outbound(fields, self.media, self.known_templates)
        to = str(fields.get("to") or fields.get("recipient"))
        thread = self.thread(to)
        now = self.clock()
        window_closed = (
            kind != "template" and self.enforce_window and not self.window_open(thread.phone)
        )
        if window_closed and self.window_violation == "error":
            self.throttled[RE_ENGAGEMENT.code] += 1
            raise RE_ENGAGEMENT
        if (
            self.pair_rate_limit
            and thread.last_outbound is not None
            and now - thread.last_outbound < PAIR_INTERVAL
        ):
            self.throttled[PAIR_RATE.code] += 1
            raise PAIR_RATE
        if self.throughput_limit:
            self._throughput.limit = self.throughput_limit
            if self._throughput.wait_needed("*", now) > 0:
                self.throttled[THROUGHPUT.code] += 1
                raise THROUGHPUT
            self._throughput.hit("*", now)
        context_id = (fields.get("context") or {}).get("message_id")
        msg = WaMessage(new_wamid(), thread.phone, "out", kind, now, content, context_id=context_id)
        thread.messages.append(msg)
        thread.last_outbound = now
        if window_closed:  # window_violation == "status": accepted now, failed by webhook
            self._later(self.push_status(msg.id, "failed", error=RE_ENGAGEMENT))
        elif self.auto_statuses:
            self._later(self._auto_statuses(msg.id))
        sent: dict[str, Any] = {"id": msg.id}
        if kind == "template":
            sent["message_status"] = "accepted"
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": thread.phone}],
            "messages": [sent],
        }

    async def _auto_statuses(self, message_id: str) -> None:
        for status in self.auto_statuses:
            await self.push_status(message_id, status)

    async def _upload_media(
        self, request: web.Request, fields: dict[str, Any], uploads: dict[str, Upload]
    ) -> Any:
        self._check_phone(request)
        if fields.get("messaging_product") != "whatsapp":
            raise invalid("The parameter messaging_product is required.")
        upload = uploads.get("file")
        if upload is None or not upload.data:
            raise invalid("The parameter file is required.")
        mime = str(fields.get("type") or upload.content_type or "application/octet-stream")
        if mime.startswith("image/") and (mime not in IMAGE_TYPES or len(upload.data) > MAX_IMAGE):
            raise GraphError(131053, "Media upload error", f"Unsupported image: {mime}")
        media = self._store_media(upload.data, mime, upload.filename, "business")
        return {"id": media.id}

    async def _get_media(
        self, request: web.Request, fields: dict[str, Any], uploads: dict[str, Upload]
    ) -> Any:
        media = self._media_or_error(request.match_info["node"])
        return {
            "messaging_product": "whatsapp",
            "url": f"{self.url}/whatsapp_business/attachments/?mid={media.id}"
            f"&ext={int(self.clock())}&hash={media.sha256_hex[:16]}",
            "mime_type": media.mime_type,
            "sha256": media.sha256_hex,
            "file_size": len(media.data),
            "id": media.id,
        }

    async def _delete_media(
        self, request: web.Request, fields: dict[str, Any], uploads: dict[str, Upload]
    ) -> Any:
        self._media_or_error(request.match_info["node"])
        del self.media[request.match_info["node"]]
        return {"success": True}

    def _media_or_error(self, node: str) -> MediaObject:
        if node not in self.media:
            raise GraphError(
                100,
                "Invalid parameter",
                f"Unsupported get request. Object with ID '{node}' does not exist, cannot be "
                "loaded due to missing permissions, or does not support this operation.",
            )
        return self.media[node]

    async def _handle_download(self, request: web.Request) -> web.StreamResponse:
        if not self._authorized(request):
            return json_response(BAD_TOKEN.payload(), BAD_TOKEN.status)
        record = self._new_record("download_media", dict(request.query), "")
        media = self.media.get(request.query.get("mid", ""))

        async def apply() -> web.StreamResponse:
            if media is None:
                record.error = "not found"
                return web.Response(status=404, text="Not Found")
            record.ok = True
            return web.Response(body=media.data, content_type=media.mime_type)

        return await self.run_with_fault(request, record, apply, self._fault_response)

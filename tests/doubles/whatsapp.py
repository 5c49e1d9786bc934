"""A local test double of the WhatsApp Cloud API (Graph API), for the real pywa client.

    async with WhatsAppDouble(token="T", phone_id="111", app_secret="s") as wa_api:
        wa = pywa_async.WhatsApp(phone_id="111", token="T", app_secret="s",
                                 session=routed_httpx_client(wa_api.url), ...)
        wa_api.configure_webhook(f"{bot_url}/whatsapp/webhook")
        await wa_api.push_text("6281234567890", "halo")     # signed webhook to the bot
        await wa.send_message("6281234567890", "Terima kasih")
        assert wa_api.sent("6281234567890")[-1].text == "Terima kasih"

Standalone: `python -m tests.doubles.whatsapp --port 8082 --token T --app-secret S
--webhook-url URL` prints `READY http://127.0.0.1:8082`; control API under /_control/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx
from aiohttp import web

from ._common import Clock, FaultPlan, SlidingWindow, run_standalone
from ._whatsapp_api import GraphApiMethods
from ._whatsapp_control import WhatsAppControl
from ._whatsapp_model import (
    MAX_DOCUMENT,
    GraphError,
    MediaObject,
    UserThread,
    WaMessage,
    new_wamid,
)
from ._whatsapp_payloads import envelope, inbound_value, sign, status_value

__all__ = [
    "Delivery",
    "GraphError",
    "GraphRoutingTransport",
    "WaMessage",
    "WhatsAppDouble",
    "routed_httpx_client",
]

GRAPH_HOST = "graph.facebook.com"
WINDOW_SECONDS = 24 * 3600


# == routing pywa to the double (or to any Graph API base) ===============================
class GraphRoutingTransport(httpx.AsyncBaseTransport):
    """Sends requests meant for graph.facebook.com to `base_url` instead.

    pywa hard-codes `https://graph.facebook.com/v{version}` as its client's base_url, so
    the routing has to happen below it, in the transport: scheme, host and port come from
    `base_url`, its path (if any) is prefixed, the Host header follows. Every other host
    (e.g. the media download URLs the API hands out) passes through unchanged.
    """

    def __init__(
        self,
        base_url: str,
        inner: httpx.AsyncBaseTransport | None = None,
        hosts: tuple[str, ...] = (GRAPH_HOST,),
    ) -> None:
        self._base = httpx.URL(base_url)
        self._inner = inner or httpx.AsyncHTTPTransport()
        self._hosts = frozenset(hosts)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host in self._hosts:
            url = request.url.copy_with(
                scheme=self._base.scheme,
                host=self._base.host,
                port=self._base.port,
                raw_path=self._base.raw_path.rstrip(b"/") + request.url.raw_path,
            )
            request.url = url
            request.headers["Host"] = url.netloc.decode("ascii")
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def routed_httpx_client(base_url: str, **kwargs: Any) -> httpx.AsyncClient:
    """An httpx.AsyncClient for `pywa_async.WhatsApp(session=...)` that reaches the Graph
    API at `base_url` (a double, or STAFFBOT_WHATSAPP_API_URL in production).

    Give each WhatsApp instance its own client: pywa refuses a client that already carries
    an Authorization header. A `transport=` keyword is wrapped, not replaced.
    """
    inner = kwargs.pop("transport", None)
    kwargs.setdefault("timeout", 10.0)
    return httpx.AsyncClient(transport=GraphRoutingTransport(base_url, inner), **kwargs)


# == the double ==========================================================================
@dataclass
class Delivery:
    """One webhook POST to the bot (or its attempt, when no URL is configured)."""

    index: int
    payload: dict[str, Any]
    body: bytes
    signature: str | None
    message_id: str | None
    status: int | None = None
    response: bytes = b""
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "message_id": self.message_id,
            "status": self.status,
            "signature": self.signature,
            "error": self.error,
            "payload": self.payload,
        }


class WhatsAppDouble(GraphApiMethods):
    """Cloud API double. Key attributes:

    threads / thread(phone) -> UserThread: messages both ways, last inbound time
    sent(phone)             -> accepted outbound messages to that user
    media                   -> MediaObject by id (uploads and inbound files)
    deliveries              -> every webhook POST to the bot, with its HTTP status
    calls                   -> every API call (CallRecord), faults included
    throttled               -> Counter of 131047/131056/130429 answers by code
    """

    default_fault_methods = frozenset({"send_message", "upload_media"})
    max_body = MAX_DOCUMENT + 1024 * 1024

    def __init__(
        self,
        token: str = "wa-test-token",
        *,
        phone_id: str = "100200300400500",
        waba_id: str = "900800700600500",
        display_phone_number: str = "6281100000000",
        app_secret: str = "wa-app-secret",
        webhook_url: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock | None = None,
        faults: FaultPlan | None = None,
        enforce_window: bool = True,
        window_violation: str = "error",
        pair_rate_limit: bool = False,
        throughput_limit: int | None = None,
        known_templates: frozenset[str] | None = None,
        auto_statuses: tuple[str, ...] = (),
        status_contacts: bool = True,
        webhook_timeout: float = 10.0,
    ) -> None:
        super().__init__(host=host, port=port, clock=clock, faults=faults)
        if window_violation not in ("error", "status"):
            raise ValueError("window_violation is 'error' or 'status'")
        self.token = token
        self.phone_id = phone_id
        self.waba_id = waba_id
        self.display_phone_number = display_phone_number
        self.app_secret = app_secret
        self.webhook_url = webhook_url
        self.enforce_window = enforce_window
        self.window_violation = window_violation
        self.pair_rate_limit = pair_rate_limit
        self.throughput_limit = throughput_limit
        self.known_templates = known_templates
        self.auto_statuses = auto_statuses
        # Status webhooks without value.contacts (the older shape) make pywa 4.5 drop them.
        self.status_contacts = status_contacts
        self.webhook_timeout = webhook_timeout

        self.threads: dict[str, UserThread] = {}
        self.media: dict[str, MediaObject] = {}
        self.deliveries: list[Delivery] = []
        self.read_marks: list[str] = []
        self.throttled: Counter[int] = Counter()
        self._throughput = SlidingWindow(throughput_limit or 1, 1.0)
        self._next_media = 1
        self._background: set[asyncio.Task[Any]] = set()
        self._http: aiohttp.ClientSession | None = None

    # == inspection ======================================================================
    def thread(self, phone: str) -> UserThread:
        phone = _digits(phone)
        if phone not in self.threads:
            self.threads[phone] = UserThread(phone)
        return self.threads[phone]

    def sent(self, phone: str) -> list[WaMessage]:
        return self.thread(phone).sent()

    def message(self, message_id: str) -> WaMessage:
        for thread in self.threads.values():
            for msg in thread.messages:
                if msg.id == message_id:
                    return msg
        raise KeyError(message_id)

    def media_of(self, msg: WaMessage) -> MediaObject | None:
        """The uploaded/received file a media message refers to (None for links)."""
        media_id = msg.content.get("id")
        return self.media.get(str(media_id)) if media_id is not None else None

    def window_open(self, phone: str) -> bool:
        last = self.thread(phone).last_inbound
        return last is not None and self.clock() - last < WINDOW_SECONDS

    async def drain(self) -> None:
        """Wait for background webhook deliveries (automatic and failed statuses)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    def state(self) -> dict[str, Any]:
        return super().state() | {
            "webhook_url": self.webhook_url,
            "deliveries": len(self.deliveries),
            "users": len(self.threads),
            "messages_sent": sum(len(t.sent()) for t in self.threads.values()),
            "throttled": {str(k): v for k, v in self.throttled.items()},
        }

    # == inbound: what users (and Meta) send to the bot ==================================
    def configure_webhook(self, url: str | None, app_secret: str | None = None) -> None:
        self.webhook_url = url
        if app_secret is not None:
            self.app_secret = app_secret

    async def push_text(
        self,
        from_phone: str,
        text: str,
        *,
        name: str = "Pemohon",
        message_id: str | None = None,
        signature: str = "valid",
    ) -> Delivery:
        """A user writes to the business number (opens the 24-hour window)."""
        return await self._push_message(
            from_phone,
            name,
            "text",
            {"body": text},
            message_id=message_id,
            signature=signature,
        )

    async def push_image(
        self,
        from_phone: str,
        data: bytes,
        mime: str = "image/jpeg",
        *,
        caption: str | None = None,
        name: str = "Pemohon",
        message_id: str | None = None,
        signature: str = "valid",
    ) -> Delivery:
        media = self._store_media(data, mime, None, "user")
        content = {"mime_type": mime, "sha256": media.sha256_b64, "id": media.id}
        if caption is not None:
            content["caption"] = caption
        return await self._push_message(
            from_phone,
            name,
            "image",
            content,
            message_id=message_id,
            signature=signature,
        )

    async def push_document(
        self,
        from_phone: str,
        filename: str,
        data: bytes,
        mime: str = "application/pdf",
        *,
        caption: str | None = None,
        name: str = "Pemohon",
        message_id: str | None = None,
        signature: str = "valid",
    ) -> Delivery:
        media = self._store_media(data, mime, filename, "user")
        content = {
            "filename": filename,
            "mime_type": mime,
            "sha256": media.sha256_b64,
            "id": media.id,
        }
        if caption is not None:
            content["caption"] = caption
        return await self._push_message(
            from_phone,
            name,
            "document",
            content,
            message_id=message_id,
            signature=signature,
        )

    async def push_button_reply(
        self,
        from_phone: str,
        button_id: str,
        title: str,
        context_message_id: str,
        *,
        name: str = "Pemohon",
        message_id: str | None = None,
        signature: str = "valid",
    ) -> Delivery:
        """The user presses a reply button of the business message `context_message_id`."""
        content = {"type": "button_reply", "button_reply": {"id": button_id, "title": title}}
        return await self._push_message(
            from_phone,
            name,
            "interactive",
            content,
            context_id=context_message_id,
            message_id=message_id,
            signature=signature,
        )

    async def push_list_reply(
        self,
        from_phone: str,
        row_id: str,
        title: str,
        context_message_id: str,
        *,
        description: str | None = None,
        name: str = "Pemohon",
        message_id: str | None = None,
        signature: str = "valid",
    ) -> Delivery:
        reply = {"id": row_id, "title": title}
        if description is not None:
            reply["description"] = description
        content = {"type": "list_reply", "list_reply": reply}
        return await self._push_message(
            from_phone,
            name,
            "interactive",
            content,
            context_id=context_message_id,
            message_id=message_id,
            signature=signature,
        )

    async def push_status(
        self,
        message_id: str,
        status: str,
        *,
        error: GraphError | int | None = None,
        signature: str = "valid",
    ) -> Delivery:
        """A status webhook (sent / delivered / read / failed) for an outbound message."""
        if status not in ("sent", "delivered", "read", "failed"):
            raise ValueError(f"unknown status {status!r}")
        msg = self.message(message_id)
        thread = self.thread(msg.phone)
        errors = None
        if status == "failed":
            err = (
                error
                if isinstance(error, GraphError)
                else GraphError(
                    int(error or 131000),
                    "Something went wrong",
                )
            )
            errors = [err.webhook_error()]
            msg.failed_with = err.code
        msg.statuses.append(status)
        category = "utility" if msg.type == "template" else "service"
        value = status_value(
            thread,
            message_id,
            status,
            self.clock(),
            errors,
            category=category,
            with_contacts=self.status_contacts,
        )
        return await self._deliver(value, signature, message_id)

    async def push_raw(self, payload: dict[str, Any], *, signature: str = "valid") -> Delivery:
        """Any webhook body, signed (or not) as asked."""
        return await self._deliver_payload(payload, signature, None)

    async def redeliver(self, delivery: Delivery | int) -> Delivery:
        """POST the very same bytes and signature again (Meta's duplicate delivery)."""
        original = self.deliveries[delivery] if isinstance(delivery, int) else delivery
        again = Delivery(
            len(self.deliveries),
            original.payload,
            original.body,
            original.signature,
            original.message_id,
        )
        self.deliveries.append(again)
        return await self._post(again)

    async def _push_message(
        self,
        phone: str,
        name: str,
        kind: str,
        content: dict[str, Any],
        *,
        context_id: str | None = None,
        message_id: str | None = None,
        signature: str,
    ) -> Delivery:
        thread = self.thread(phone)
        now = self.clock()
        message_id = message_id or new_wamid()
        # A badly signed body is a forgery, not a message Meta carried: the user's thread
        # and 24-hour window stay as they were.
        if signature == "valid":
            thread.name = name
            thread.last_inbound = now
            if not any(m.id == message_id for m in thread.messages):
                thread.messages.append(
                    WaMessage(
                        message_id,
                        thread.phone,
                        "in",
                        kind,
                        now,
                        content,
                        context_id=context_id,
                    )
                )
        context = {"from": self.display_phone_number, "id": context_id} if context_id else None
        value = inbound_value(thread, message_id, now, kind, content, context)
        return await self._deliver(value, signature, message_id)

    async def _deliver(
        self,
        value: dict[str, Any],
        signature: str,
        message_id: str | None,
    ) -> Delivery:
        payload = envelope(self.waba_id, self.phone_id, self.display_phone_number, value)
        return await self._deliver_payload(payload, signature, message_id)

    async def _deliver_payload(
        self, payload: dict[str, Any], signature: str, message_id: str | None
    ) -> Delivery:
        if signature not in ("valid", "invalid", "missing"):
            raise ValueError("signature is 'valid', 'invalid' or 'missing'")
        body = json.dumps(payload, separators=(",", ":")).encode()
        header = {
            "valid": sign(self.app_secret, body),
            "invalid": sign("not-" + self.app_secret, body),
            "missing": None,
        }[signature]
        delivery = Delivery(len(self.deliveries), payload, body, header, message_id)
        self.deliveries.append(delivery)
        return await self._post(delivery)

    async def _post(self, delivery: Delivery) -> Delivery:
        if not self.webhook_url or self._http is None:
            delivery.error = "no webhook url configured" if not self.webhook_url else "stopped"
            self.notify()
            return delivery
        headers = {"Content-Type": "application/json"}
        if delivery.signature is not None:
            headers["X-Hub-Signature-256"] = delivery.signature
        try:
            async with self._http.post(self.webhook_url, data=delivery.body, headers=headers) as r:
                delivery.response = await r.read()
                delivery.status = r.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            delivery.error = f"{type(exc).__name__}: {exc}"
        self.notify()
        return delivery

    def _later(self, coro: Awaitable[Any]) -> None:
        async def run() -> None:
            await coro

        task = asyncio.create_task(run())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _store_media(self, data: bytes, mime: str, filename: str | None, by: str) -> MediaObject:
        media_id = str(1_000_000_000_000 + self._next_media)
        self._next_media += 1
        media = MediaObject(media_id, data, mime, filename, by)
        self.media[media_id] = media
        return media

    # == HTTP ============================================================================
    def _add_routes(self, app: web.Application) -> None:
        version = r"{version:v\d+(?:\.\d+)?}"
        app.router.add_route("*", f"/{version}/{{node}}", self._handle_node)
        app.router.add_post(f"/{version}/{{node}}/{{edge}}", self._handle_edge)
        app.router.add_get("/whatsapp_business/attachments/", self._handle_download)

    def _add_control_routes(self, app: web.Application) -> None:
        super()._add_control_routes(app)
        WhatsAppControl(self).register(app)

    async def _on_start(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self.webhook_timeout)
        self._http = aiohttp.ClientSession(timeout=timeout)

    async def _on_stop(self) -> None:
        await self.drain()
        if self._http is not None:
            await self._http.close()
            self._http = None


def _digits(phone: str) -> str:
    return "".join(ch for ch in str(phone) if ch.isdigit())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="WhatsApp Cloud API test double")
    parser.add_argument("--token", default="wa-test-token")
    parser.add_argument("--phone-id", default="100200300400500")
    parser.add_argument("--app-secret", default="wa-app-secret")
    parser.add_argument("--webhook-url", default=None)
    parser.add_argument("--no-window", action="store_true", help="do not enforce the 24 h window")
    run_standalone(
        lambda a: WhatsAppDouble(
            a.token,
            phone_id=a.phone_id,
            app_secret=a.app_secret,
            webhook_url=a.webhook_url,
            host=a.host,
            port=a.port,
            enforce_window=not a.no_window,
        ),
        parser,
        argv,
    )


if __name__ == "__main__":
    main()

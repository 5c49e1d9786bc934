"""The WhatsApp Cloud API channel, through pywa's async client (pywa_async).

Applicants reach the office here (files in, instructions and the finished PDF out);
staff who choose WhatsApp get their cards here as interactive messages.

* **24-hour window.** Free-form and interactive messages go only within 24 hours of
  the person's last message (tracked per phone in ``chat_window``). Outside it a staff
  member gets one approved template inviting them to open their tasks, and the card
  itself is refused (RecipientUnreachable); an applicant gets the message as an
  approved template (the finished PDF as the template's document header), because
  what they are told must reach them.
* **No edits on WhatsApp.** A card's "edit" (the outcome once someone acted) becomes a
  short reply quoting the card. Reply buttons of an old card stay visible: pressing
  one is answered by the chat service ("already processed by ...").
* **Graph API base** is ``STAFFBOT_WHATSAPP_API_URL``: pywa hard-codes
  graph.facebook.com, so an httpx transport reroutes those requests.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from staffbot.channels.base import (
    Channel,
    ChoicePressed,
    Delivered,
    Delivery,
    EventHandler,
    FileBlob,
    Pacing,
)
from staffbot.channels.whatsapp_render import (
    MAX_BODY,
    MAX_CAPTION,
    body_text,
    edit_text,
    first_line,
    interactive,
    split_text,
    template,
    template_param,
)
from staffbot.channels.whatsapp_webhook import (
    SIGNATURE_HEADER,
    WEBHOOK_PATH,
    Status,
    parse_payload,
    phone_of,
    signature_ok,
)
from staffbot.errors import (
    BadChannelRequest,
    ChannelError,
    ChannelUnavailable,
    ConfigurationError,
    RecipientUnreachable,
    RetryAfter,
)
from staffbot.messages import OutgoingMessage
from staffbot.services import notify
from staffbot.services.context import Office
from staffbot.settings import Settings
from storage.db import Database, retrying
from storage.repos.channels import ChannelRepository
from storage.tables import ChatWindow, Outbox
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from pywa_async.client import WhatsApp

log = logging.getLogger(__name__)

NAME = "whatsapp"
GRAPH_HOST = "graph.facebook.com"
WINDOW = timedelta(hours=24)
#: Our clock and Meta's differ a little; a message at the very edge would be refused.
WINDOW_MARGIN = timedelta(minutes=5)
#: The quick-reply payload of the staff invitation template: it opens the task list.
OPEN_TASKS = "/tugas"

#: Cloud API error codes (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes)
WINDOW_CLOSED = 131047
PAIR_RATE = 131056
THROUGHPUT = frozenset({4, 80007, 130429})
UNREACHABLE = frozenset({131021, 131026, 131030, 131049, 131050})
TRANSIENT = frozenset({0, 1, 2, 3, 10, 190, 131000, 131016, 131048, 133004})

#: Seconds between tries to record a status whose message id we have not stored yet.
STATUS_RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0, 5.0, 10.0)

#: WhatsApp Business numbers send 80 messages a second by default. The same user gets
#: at most one message a second from us: conversational replies (forms) stay quick,
#: and Meta's pair limit (131056, about one message every 6 s in sustained bursts) is
#: met by a backoff of that one message when it answers so.
PACING = Pacing(per_chat_interval=1.0, per_group_interval=0.0, global_rate=80.0)

T = TypeVar("T")


class WindowClosed(RecipientUnreachable):
    """The platform refused a free-form message: the 24-hour window is closed."""

    code = "whatsapp_window_closed"


# -- routing pywa to STAFFBOT_WHATSAPP_API_URL ------------------------------------------


class GraphRoutingTransport(httpx.AsyncBaseTransport):
    """Sends requests meant for graph.facebook.com to ``base_url`` instead.

    pywa sets its client's base URL to ``https://graph.facebook.com/v<version>``; the
    rerouting therefore happens in the transport: scheme, host and port come from
    ``base_url``, its path is prefixed, the Host header follows. Other hosts (the
    media download URLs Meta hands out) pass through unchanged.
    """

    def __init__(self, base_url: str, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._base = httpx.URL(base_url)
        self._inner = inner or httpx.AsyncHTTPTransport()
        self._passthrough = self._base.host == GRAPH_HOST and not self._base.raw_path.strip(b"/")

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == GRAPH_HOST and not self._passthrough:
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


def routed_client(base_url: str, *, timeout: float = 20.0) -> httpx.AsyncClient:
    """An httpx client for ``pywa_async.WhatsApp(session=...)`` reaching ``base_url``."""
    return httpx.AsyncClient(transport=GraphRoutingTransport(base_url), timeout=timeout)


# -- configuration ----------------------------------------------------------------------


@dataclass(frozen=True)
class Templates:
    """Names of the approved message templates (docs/CHANNELS.md has their text)."""

    #: Staff, window closed: "a new task waits for you", quick reply "Lihat tugas".
    card: str = "staffbot_tugas_baru"
    #: Applicant, window closed: any message, as one body parameter.
    applicant: str = "staffbot_info_pengaduan"
    #: Applicant, window closed, with a document (the finished PDF) as its header.
    document: str = "staffbot_dokumen_selesai"
    language: str = "id"


@dataclass(frozen=True)
class WhatsAppConfig:
    token: str
    phone_id: str
    app_secret: str
    verify_token: str | None = None
    api_url: str = "https://graph.facebook.com"
    templates: Templates = field(default_factory=Templates)
    pacing: Pacing = PACING
    #: How long to wait for the Graph API's answer to one call.
    request_timeout: float = 20.0


def config_from(settings: Settings) -> WhatsAppConfig:
    if settings.whatsapp_token is None or not settings.whatsapp_phone_id:
        raise ConfigurationError(problem="STAFFBOT_WHATSAPP_TOKEN and _PHONE_ID are needed")
    if settings.whatsapp_app_secret is None:
        raise ConfigurationError(
            problem="STAFFBOT_WHATSAPP_APP_SECRET is needed to check the webhook's signatures"
        )
    verify = settings.whatsapp_verify_token
    return WhatsAppConfig(
        token=settings.whatsapp_token.get_secret_value(),
        phone_id=settings.whatsapp_phone_id,
        app_secret=settings.whatsapp_app_secret.get_secret_value(),
        verify_token=verify.get_secret_value() if verify is not None else None,
        api_url=settings.whatsapp_api_url,
        templates=Templates(
            card=settings.whatsapp_template_card,
            applicant=settings.whatsapp_template_applicant,
            document=settings.whatsapp_template_document,
            language=settings.whatsapp_template_language,
        ),
    )


# -- errors -------------------------------------------------------------------------------


def translate(code: int | None, problem: str, status: int | None) -> ChannelError:
    """A Graph API error as the port's error (the caller raises it ``from`` the original)."""
    if code == WINDOW_CLOSED:
        return WindowClosed(channel=NAME, problem=problem)
    if code in THROUGHPUT:
        return RetryAfter(channel=NAME, problem=problem, retry_after=2.0)
    if code == PAIR_RATE:
        # Only this user is throttled: back off this message, not the whole number.
        return ChannelUnavailable(channel=NAME, problem=problem)
    if code in UNREACHABLE:
        return RecipientUnreachable(channel=NAME, problem=problem)
    if code in TRANSIENT or code is None or (status is not None and status >= 500):
        return ChannelUnavailable(channel=NAME, problem=problem)
    return BadChannelRequest(channel=NAME, problem=problem)


# -- the channel ----------------------------------------------------------------------------


class WhatsAppChannel(Channel):
    name = NAME
    # The Cloud API cannot delete what a person sent (a PIN typed here stays on the phone).
    can_delete_user_messages = False

    def __init__(
        self,
        config: WhatsAppConfig,
        on_event: EventHandler,
        db: Database,
        office: Office,
    ) -> None:
        self.config = config
        self.pacing = config.pacing
        self.on_event = on_event
        self.db = db
        self.office = office
        self._wa: WhatsApp | None = None
        self._http: httpx.AsyncClient | None = None
        self._partial: OrderedDict[str, str] = OrderedDict()
        self._status_tasks: set[asyncio.Task[None]] = set()

    # -- lifecycle ------------------------------------------------------------------------

    async def initialize(self) -> None:
        if self._wa is not None:
            return
        from pywa_async.client import WhatsApp

        # One client per WhatsApp instance: pywa refuses a session that already
        # carries an Authorization header.
        self._http = routed_client(self.config.api_url, timeout=self.config.request_timeout)
        self._wa = WhatsApp(
            phone_id=self.config.phone_id, token=self.config.token, session=self._http
        )

    async def shutdown(self) -> None:
        for task in list(self._status_tasks):
            task.cancel()
        http, self._wa, self._http = self._http, None, None
        if http is not None:
            await http.aclose()

    @property
    def wa(self) -> WhatsApp:
        if self._wa is None:
            raise RuntimeError("the WhatsApp channel is not initialized")
        return self._wa

    def receiver(self) -> WhatsAppWebhook:
        return WhatsAppWebhook(self)

    def now(self) -> datetime:
        return self.office.now()

    # -- Graph API calls ------------------------------------------------------------------

    async def _graph(self, call: Awaitable[T]) -> T:
        from pywa_async.errors import WhatsAppError

        try:
            return await call
        except WhatsAppError as exc:
            raise translate(exc.code, f"({exc.code}) {exc.message}", exc.status_code) from exc
        except httpx.HTTPError as exc:
            raise ChannelUnavailable(channel=NAME, problem=type(exc).__name__) from exc

    async def _send(
        self, to: str, kind: str, content: dict[str, Any], *, reply_to: str | None = None
    ) -> str:
        result = await self._graph(
            self.wa.api.send_message(
                sender=self.config.phone_id,
                to=to,
                recipient=None,
                recipient_type="individual",
                typ=kind,
                msg=content,
                reply_to_message_id=reply_to,
            )
        )
        return str(result["messages"][0]["id"])

    async def _upload(self, blob: FileBlob) -> str:
        result = await self._graph(
            self.wa.api.upload_media(
                phone_id=self.config.phone_id,
                media=blob.data,
                mime_type=blob.mime_type,
                filename=blob.filename,
            )
        )
        return str(result["id"])

    async def download(self, media_id: str) -> bytes:
        info = await self._graph(self.wa.api.get_media_url(media_id))
        data: bytes = await self._graph(self.wa.get_media_bytes(str(info["url"])))
        return data

    # -- outgoing ----------------------------------------------------------------------------

    async def deliver(self, delivery: Delivery) -> Delivered:
        if delivery.kind == "delete":
            return Delivered(delivery.message_id)  # nothing can be deleted on WhatsApp
        phone = phone_of(delivery.chat_id)
        if len(phone) < 8:
            raise BadChannelRequest(channel=NAME, problem="not a phone number")
        to = phone.lstrip("+")
        message = delivery.message
        if message.template:
            sent = await self._send_template(
                to, message.template, message.template_params, delivery.document
            )
            return Delivered(sent)
        window, is_staff = await self._recipient(phone)
        if self._open(window):
            try:
                if delivery.kind == "edit":
                    return Delivered(
                        await self._send(
                            to,
                            "text",
                            {"body": edit_text(message.text)},
                            reply_to=delivery.message_id,
                        )
                    )
                return Delivered(await self._free_form(to, delivery))
            except WindowClosed:
                await self._write(lambda repo: repo.mark_closed(phone))
                window = None  # and on to the template below
        if delivery.kind == "edit":
            raise RecipientUnreachable(channel=NAME, problem="24-hour window closed")
        if is_staff:
            await self._invite(phone, to, window, message)
            raise RecipientUnreachable(
                channel=NAME, problem="24-hour window closed; invitation template sent"
            )
        return Delivered(await self._applicant_template(to, message, delivery.document))

    async def _recipient(self, phone: str) -> tuple[ChatWindow | None, bool]:
        async with self.db.uow(readonly=True) as uow:
            window = await ChannelRepository(uow.session).window(phone)
            staff = await uow.staff.by_whatsapp(phone)
        return window, staff is not None and staff.active

    def _open(self, window: ChatWindow | None) -> bool:
        if window is None or window.last_inbound_at is None:
            return False
        return self.now() - window.last_inbound_at < WINDOW - WINDOW_MARGIN

    async def _write(self, change: Callable[[ChannelRepository], Awaitable[None]]) -> None:
        async def work() -> None:
            async with self.db.uow() as uow:
                await change(ChannelRepository(uow.session))
                await uow.commit()

        await retrying(work)

    async def _free_form(self, to: str, delivery: Delivery) -> str:
        """Text, a card (buttons or lists) and/or a document, in that order.

        Returns the id to remember for the delivery: the card's (edits quote it) or,
        for a document without buttons, the document's (its statuses are the PDF's).
        """
        message = delivery.message
        document = delivery.document
        text = body_text(message.text)
        steps: list[Callable[[], Awaitable[str]]] = []
        answer: int | None = None
        if message.choices:
            body = text
            if len(text) > MAX_BODY:
                steps += [self._text_step(to, part) for part in split_text(text)]
                body = first_line(message.text)
            answer = len(steps)
            for item in interactive(body, message.choices, lang=self.office.language):
                steps.append(self._step(to, "interactive", item.content))
        elif document is None or len(text) > MAX_CAPTION:
            steps += [self._text_step(to, part) for part in split_text(text)]
        if document is not None:
            caption = text if not message.choices and len(text) <= MAX_CAPTION else None
            if not message.choices:
                answer = len(steps)
            steps.append(self._document_step(to, document, caption))
        ids = [await self._once(delivery.idempotency_key, i, step) for i, step in enumerate(steps)]
        self._forget(delivery.idempotency_key)
        return ids[answer if answer is not None else -1]

    def _step(self, to: str, kind: str, content: dict[str, Any]) -> Callable[[], Awaitable[str]]:
        return lambda: self._send(to, kind, content)

    def _text_step(self, to: str, text: str) -> Callable[[], Awaitable[str]]:
        return self._step(to, "text", {"body": text})

    def _document_step(
        self, to: str, blob: FileBlob, caption: str | None
    ) -> Callable[[], Awaitable[str]]:
        async def send() -> str:
            content: dict[str, Any] = {"id": await self._upload(blob), "filename": blob.filename}
            if caption:
                content["caption"] = caption
            return await self._send(to, "document", content)

        return send

    async def _once(self, key: str, index: int, step: Callable[[], Awaitable[str]]) -> str:
        """One call of a multi-message delivery; a retry does not repeat what went out."""
        if not key:
            return await step()
        slot = f"{key}#{index}"
        if slot not in self._partial:
            self._partial[slot] = await step()
            while len(self._partial) > 1000:
                self._partial.popitem(last=False)
        return self._partial[slot]

    def _forget(self, key: str) -> None:
        for slot in [s for s in self._partial if s.startswith(f"{key}#")]:
            del self._partial[slot]

    async def _send_template(
        self, to: str, name: str, params: tuple[str, ...] | list[str], document: FileBlob | None
    ) -> str:
        header = (await self._upload(document), document.filename) if document else None
        quick = OPEN_TASKS if name == self.config.templates.card else None
        content = template(
            name,
            self.config.templates.language,
            [template_param(p) for p in params],
            document=header,
            quick_reply=quick,
        )
        return await self._send(to, "template", content)

    async def _invite(
        self, phone: str, to: str, window: ChatWindow | None, message: OutgoingMessage
    ) -> None:
        """One invitation per closed window (and at most one a day), not one per card."""
        now = self.now()
        if window is not None and window.invited_at is not None:
            since_reply = (
                window.last_inbound_at is None or window.invited_at > window.last_inbound_at
            )
            if since_reply and now - window.invited_at < WINDOW:
                return
        await self._send_template(to, self.config.templates.card, [_title(message.text)], None)
        await self._write(lambda repo: repo.mark_invited(phone, now))

    async def _applicant_template(
        self, to: str, message: OutgoingMessage, document: FileBlob | None
    ) -> str:
        templates = self.config.templates
        name = templates.document if document is not None else templates.applicant
        return await self._send_template(to, name, [message.text], document)

    # -- incoming ------------------------------------------------------------------------------

    async def handle_webhook(self, payload: dict[str, Any]) -> None:
        """A verified webhook body: messages to the chat service, statuses to the outbox."""
        batch = parse_payload(
            payload, phone_id=self.config.phone_id, now=self.now(), download=self.download
        )
        for event in batch.events:
            await self._touch(event.user_id, event.at)
            answer = await self.on_event(event)
            if isinstance(event, ChoicePressed) and answer.alert and answer.text:
                await self._tell(event, answer.text)
        for status in batch.statuses:
            if not await self._status_retrying(status):
                self._later(status)

    async def _tell(self, event: ChoicePressed, text: str) -> None:
        """WhatsApp has no toasts: a refused press ("already processed by ...") is told
        as a reply quoting the pressed message. Confirmations need none: the card's
        outcome reply follows through the outbox."""
        try:
            await self._send(
                event.chat_id.lstrip("+"), "text", {"body": text}, reply_to=event.message_id
            )
        except ChannelError as exc:
            log.info("answer to a press not sent: %s", exc)

    async def _touch(self, phone: str, at: datetime) -> None:
        async def change(repo: ChannelRepository) -> None:
            await repo.touch_inbound(phone, at)

        await self._write(change)

    async def _status_retrying(self, status: Status) -> bool:
        async def work() -> bool:
            return await self._status(status)

        return await retrying(work)

    def _later(self, status: Status) -> None:
        """A status can overtake our own bookkeeping: Meta may report "sent" before the
        dispatcher has stored the message id. Try again a few times, then let it go."""

        async def again() -> None:
            for delay in STATUS_RETRY_DELAYS:
                await asyncio.sleep(delay)
                try:
                    if await self._status_retrying(status):
                        return
                except Exception:
                    log.exception("whatsapp status %s not recorded", status.message_id)
                    return
            log.info("status %s for an unknown message %s", status.status, status.message_id)

        task = asyncio.create_task(again(), name=f"whatsapp-status-{status.message_id}")
        self._status_tasks.add(task)
        task.add_done_callback(self._status_tasks.discard)

    async def statuses_recorded(self) -> None:
        """Wait for statuses still waiting for their message (tests, shutdown)."""
        while self._status_tasks:
            await asyncio.gather(*list(self._status_tasks), return_exceptions=True)

    async def _status(self, status: Status) -> bool:
        """Record a status on our row of that message; False if we know no such row (yet)."""
        async with self.db.uow() as uow:
            now = self.now()
            repo = ChannelRepository(uow.session)
            rows = await repo.by_platform_id(NAME, status.message_id)
            if not rows:
                return False
            await repo.set_delivery_status(NAME, status.message_id, status.status, now)
            if (
                status.status == "failed"
                and WINDOW_CLOSED in status.error_codes
                and await uow.processed.first_time(f"{NAME}-status", status.message_id, now)
            ):
                await repo.mark_closed(status.recipient)
                for row in rows:
                    await self._reengage(uow, repo, row)
            await uow.commit()
            return True

    async def _reengage(self, uow: UnitOfWork, repo: ChannelRepository, row: Outbox) -> None:
        """Accepted, then failed for the 24-hour window: say it again as a template."""
        if row.kind == "edit" or row.id is None:
            return
        original = OutgoingMessage.from_payload(row.payload)
        templates = self.config.templates
        staff = await uow.staff.by_whatsapp(row.chat_id)
        if staff is not None:
            window = await repo.window(row.chat_id)
            if (
                window is not None
                and window.invited_at is not None
                and (window.last_inbound_at is None or window.invited_at > window.last_inbound_at)
            ):
                return
            await repo.mark_invited(row.chat_id, self.now())
            message = OutgoingMessage(
                text=original.text,
                template=templates.card,
                template_params=(_title(original.text),),
            )
        else:
            name = templates.document if original.attachment else templates.applicant
            message = OutgoingMessage(
                text=original.text,
                attachment=original.attachment,
                template=name,
                template_params=(original.text,),
            )
        await notify.queue(
            uow,
            self.office,
            address=notify.Address(NAME, row.chat_id),
            kind=row.kind,
            message=message,
            key=f"reengage:{row.id}",
            case_id=row.case_id,
            task_id=row.task_id,
            ba_id=row.ba_id,
        )


def _title(rich: str) -> str:
    """A card's first line (its title), still in rich text: the template makes it plain."""
    return rich.strip().split("\n", 1)[0]


class WhatsAppWebhook:
    """GET and POST /whatsapp/webhook on the bot's web server.

    GET answers Meta's verification (hub.verify_token, compared in constant time).
    POST checks X-Hub-Signature-256 against the app secret over the raw body before
    anything is parsed: no signature gets 401, a wrong one 403, and nothing happens.
    Registering the URL is done once in the Meta app dashboard, so start/stop do nothing.
    """

    def __init__(self, channel: WhatsAppChannel) -> None:
        self.channel = channel
        self._secret = channel.config.app_secret.encode()
        verify = channel.config.verify_token
        self._verify = verify.encode() if verify else None

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
            await self.channel.handle_webhook(payload)
        except Exception:
            # Meta delivers it again; what was done is recorded and not done twice.
            log.exception("whatsapp webhook failed")
            return PlainTextResponse("failed", status_code=500)
        return PlainTextResponse("ok")


async def build_whatsapp(
    settings: Settings, on_event: EventHandler, db: Database, office: Office
) -> WhatsAppChannel:
    """What main.py wires: ``await ch.initialize()``, register it, mount ``ch.receiver()``."""
    return WhatsAppChannel(config_from(settings), on_event, db, office)

"""The WhatsApp Cloud API channel, through pywa's async client (pywa_async).

Applicants reach the office here (files in, instructions and the finished PDF out);
staff who choose WhatsApp get their cards here as interactive messages.

* **24-hour window.** Free-form and interactive messages go only within 24 hours of
  the person's last message (remembered by the office through the injected
  :class:`~staffbot.channels.whatsapp_port.WhatsAppState`; this module holds no
  database state). Outside it a staff member gets one approved template inviting them
  to open their tasks, and the card itself is refused (RecipientUnreachable); an
  applicant gets the message as an approved template (the finished PDF as the
  template's document header), because what they are told must reach them.
* **No edits on WhatsApp.** A card's "edit" (the outcome once someone acted) becomes a
  short reply quoting the card. Reply buttons of an old card stay visible: pressing
  one is answered by the chat service ("already processed by ...").
* **Talking to the Graph API** (routing, configuration, error codes) is in
  staffbot.channels.whatsapp_graph; the webhook in staffbot.channels.whatsapp_webhook.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from staffbot.channels.base import (
    Channel,
    ChannelName,
    ChoicePressed,
    Delivered,
    Delivery,
    EventHandler,
    FileBlob,
)
from staffbot.channels.whatsapp_graph import (
    WINDOW_CLOSED,
    WhatsAppConfig,
    WindowClosed,
    config_from,
    routed_client,
    translate,
)
from staffbot.channels.whatsapp_port import DeliveryStatus, Recipient, WhatsAppState, card_title
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
from staffbot.channels.whatsapp_webhook import Status, WhatsAppWebhook, parse_payload, phone_of
from staffbot.errors import (
    BadChannelRequest,
    ChannelError,
    ChannelUnavailable,
    RecipientUnreachable,
)
from staffbot.messages import OutgoingMessage
from staffbot.settings import Settings

if TYPE_CHECKING:
    from pywa_async.client import WhatsApp

log = logging.getLogger(__name__)

NAME = ChannelName.WHATSAPP
#: The quick-reply payload of the staff invitation template: it opens the task list.
OPEN_TASKS = "/tugas"
#: Seconds between tries to record a status whose message id we have not stored yet.
STATUS_RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0, 5.0, 10.0)

T = TypeVar("T")


class WhatsAppChannel(Channel):
    name = NAME
    # The Cloud API cannot delete what a person sent (a PIN typed here stays on the phone).
    can_delete_user_messages = False

    def __init__(
        self,
        config: WhatsAppConfig,
        on_event: EventHandler,
        state: WhatsAppState,
        now: Callable[[], datetime],
        *,
        language: str = "id",
    ) -> None:
        self.config = config
        self.pacing = config.pacing
        self.on_event = on_event
        self.state = state
        self.now = now
        self.language = language
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
        return WhatsAppWebhook(
            self.config.app_secret, self.config.verify_token, on_payload=self.handle_webhook
        )

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
        recipient = await self.state.recipient(phone)
        if recipient.window_open(self.now()):
            try:
                if delivery.kind == "edit":
                    return Delivered(await self._reply(to, delivery))
                return Delivered(await self._free_form(to, delivery))
            except WindowClosed:
                await self.state.note_window_closed(phone)
                # Meta's clock wins: on to the template below, as for a window never
                # opened (a staff member is invited even if invited before).
                recipient = Recipient(phone, recipient.is_staff)
        if delivery.kind == "edit":
            raise RecipientUnreachable(channel=NAME, problem="24-hour window closed")
        if recipient.is_staff:
            await self._invite(recipient, to, message)
            raise RecipientUnreachable(
                channel=NAME, problem="24-hour window closed; invitation template sent"
            )
        return Delivered(await self._applicant_template(to, message, delivery.document))

    async def _reply(self, to: str, delivery: Delivery) -> str:
        """An "edit": a reply quoting the card; one that brings the card a new document
        (the signed PDF) is that document, the reply's text its caption."""
        text = edit_text(delivery.message.text)
        blob = delivery.document
        if blob is None:
            return await self._send(to, "text", {"body": text}, reply_to=delivery.message_id)
        content: dict[str, Any] = {"id": await self._upload(blob), "filename": blob.filename}
        if len(text) <= MAX_CAPTION:
            content["caption"] = text
        else:
            await self._send(to, "text", {"body": text}, reply_to=delivery.message_id)
        return await self._send(to, "document", content, reply_to=delivery.message_id)

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
            for item in interactive(body, message.choices, lang=self.language):
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

    async def _invite(self, recipient: Recipient, to: str, message: OutgoingMessage) -> None:
        """One invitation per closed window (and at most one a day), not one per card."""
        now = self.now()
        if not recipient.invitation_due(now):
            return
        await self._send_template(to, self.config.templates.card, [card_title(message.text)], None)
        await self.state.note_invited(recipient.phone, now)

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
            await self.state.note_inbound(event.user_id, event.at)
            answer = await self.on_event(event)
            if isinstance(event, ChoicePressed) and answer.alert and answer.text:
                await self._tell(event, answer.text)
        for status in batch.statuses:
            if not await self._record(status):
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

    async def _record(self, status: Status) -> bool:
        """Record a status on our row of that message; False if we know no such row (yet)."""
        reported = DeliveryStatus(
            message_id=status.message_id,
            status=status.status,
            recipient=status.recipient,
            window_closed=status.status == "failed" and WINDOW_CLOSED in status.error_codes,
            error=status.error,
        )
        return await self.state.record_status(reported, self.config.templates)

    def _later(self, status: Status) -> None:
        """A status can overtake our own bookkeeping: Meta may report "sent" before the
        dispatcher has stored the message id. Try again a few times, then let it go."""

        async def again() -> None:
            for delay in STATUS_RETRY_DELAYS:
                await asyncio.sleep(delay)
                try:
                    if await self._record(status):
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


async def build_whatsapp(
    settings: Settings, on_event: EventHandler, state: WhatsAppState, now: Callable[[], datetime]
) -> WhatsAppChannel:
    """What the runner wires: ``await ch.initialize()``, register it, mount ``ch.receiver()``."""
    return WhatsAppChannel(config_from(settings), on_event, state, now, language=settings.language)

"""Playing the office through real chat platforms (the doubles) or the web channel.

A ``Desk`` holds the database, the chat service (wrapped in a Recorder), the real
OutboxDispatcher and the channels; every staff member is a ``Person`` on one platform.
Actions are made the way each platform makes them: Telegram updates pushed into the
Telegram double and polled by the library, WhatsApp webhooks signed and POSTed by the
WhatsApp double to the bot's web server, web events handed to ChatService.handle as
the web page does. What each person saw is read back from the platform (the doubles'
transcripts, the web channel's outbox transcript), never from our own code's state.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from staffbot.app.commands.cases import Who
from staffbot.app.commands.web import DocumentFile, DownloadDocument
from staffbot.bootstrap import build_bus
from staffbot.channels.base import (
    Answer,
    ChoicePressed,
    CommandReceived,
    FileReceived,
    TextReceived,
)
from staffbot.chat.service import ChatService
from staffbot.dispatcher import OutboxDispatcher
from staffbot.richtext import to_plain
from staffbot.services.context import Office
from storage.db import Database
from storage.tables import OUTBOX_SENT
from tests.channels.support import Recorder
from tests.doubles.telegram import TelegramDouble
from tests.doubles.whatsapp import WhatsAppDouble


@dataclass
class Person:
    role: str
    staff_id: int
    nip: str
    name: str
    #: web, telegram or whatsapp
    platform: str
    #: Their chat there: staff id (web), Telegram user/chat id, or +62 phone.
    address: str


@dataclass
class Seen:
    """One bot message as the person sees it now, with what it looked like first."""

    id: str
    text: str
    buttons: list[str]
    first_text: str
    first_buttons: list[str]
    #: How it changed afterwards: the new texts (Telegram, web) or the replies quoting
    #: it (WhatsApp, which cannot edit).
    edits: list[str] = field(default_factory=list)
    document: str | None = None
    #: Web: the stored document the message (or its last edit) links to.
    document_id: int | None = None
    tokens: dict[str, str] = field(default_factory=dict)
    #: WhatsApp: "button" or "list" (how a press is sent)
    kind: str = ""


class Desk:
    def __init__(
        self,
        db: Database,
        office: Office,
        chat: ChatService,
        recorder: Recorder,
        dispatcher: OutboxDispatcher,
        *,
        tg: TelegramDouble | None = None,
        wa: WhatsAppDouble | None = None,
    ) -> None:
        self.db = db
        self.office = office
        self.chat = chat
        self.recorder = recorder
        self.dispatcher = dispatcher
        self.tg = tg
        self.wa = wa
        self.people: dict[str, Person] = {}
        self.toasts: list[str] = []
        #: Whether each press was answered as an alert (an error), in order.
        self.alerts: list[bool] = []

    def person(self, role: str) -> Person:
        return self.people[role]

    async def settle(self) -> None:
        await self.dispatcher.drain(timeout=30)

    # -- what people do -----------------------------------------------------------------

    async def join(self, p: Person) -> None:
        """The first message of a staff member (Telegram and WhatsApp need one)."""
        if p.platform != "web":
            await self.command(p, "start")

    async def say(self, p: Person, text: str) -> None:
        if p.platform == "telegram":
            assert self.tg is not None
            update_id = self.tg.push_text(int(p.address), int(p.address), text, first_name=p.name)
            await self.recorder.wait_id(str(update_id))
        elif p.platform == "whatsapp":
            assert self.wa is not None
            delivery = await self.wa.push_text(p.address, text, name=p.name)
            assert delivery.status == 200, delivery
        else:
            await self.chat.handle(
                TextReceived(**self._web(p), text=text, message_id=f"in:{uuid.uuid4().hex}")
            )
        await self.settle()

    async def command(self, p: Person, name: str, args: str = "") -> None:
        if p.platform == "web":
            await self.chat.handle(CommandReceived(**self._web(p), command=name, args=args))
            await self.settle()
        else:
            await self.say(p, f"/{name} {args}".strip())

    async def send_file(self, p: Person, filename: str, data: bytes, mime: str) -> None:
        if p.platform == "telegram":
            assert self.tg is not None
            update_id = self.tg.push_document(int(p.address), int(p.address), filename, data, mime)
            await self.recorder.wait_id(str(update_id))
        elif p.platform == "whatsapp":
            assert self.wa is not None
            delivery = await self.wa.push_document(p.address, filename, data, mime, name=p.name)
            assert delivery.status == 200, delivery
        else:

            async def fetch() -> bytes:
                return data

            await self.chat.handle(
                FileReceived(
                    **self._web(p), filename=filename, mime_type=mime, fetch=fetch, size=len(data)
                )
            )
        await self.settle()

    async def press(self, p: Person, label: str, *, on: str = "") -> str:
        """Press the button ``label`` of the latest message (containing ``on``) that has it."""
        return await self.tap(p, await self.find(p, label, on), label)

    async def tap(self, p: Person, message: Seen, label: str) -> str:
        """Press ``label`` on ``message`` as it was seen then (a spent button, tapped again)."""
        token = message.tokens[label]
        if p.platform == "telegram":
            assert self.tg is not None
            chat = int(p.address)
            update_id = self.tg.push_callback(chat, chat, int(message.id), token, first_name=p.name)
            query = str(self.tg.pushed[update_id]["callback_query"]["id"])
            await self.recorder.wait_id(f"cb:{query}")
            await self.tg.wait_until(lambda: self.tg.callbacks[query].answered_at is not None)  # type: ignore[union-attr]
            answer = self.tg.callbacks[query].answer or {}
            toast = str(answer.get("text") or "")
            self.alerts.append(bool(answer.get("show_alert")))
        elif p.platform == "whatsapp":
            assert self.wa is not None
            if message.kind == "list":
                delivery = await self.wa.push_list_reply(
                    p.address, token, label, message.id, name=p.name
                )
            else:
                delivery = await self.wa.push_button_reply(
                    p.address, token, label, message.id, name=p.name
                )
            assert delivery.status == 200, delivery
            toast = self.recorder.answers[-1].text if self.recorder.answers else ""
            self.alerts.append(bool(self.recorder.answers and self.recorder.answers[-1].alert))
        else:
            pressed: Answer = await self.chat.handle(
                ChoicePressed(**self._web(p), token=token, message_id=message.id)
            )
            toast = pressed.text
            self.alerts.append(pressed.alert)
        self.toasts.append(toast)
        await self.settle()
        return toast

    async def find(self, p: Person, label: str, on: str = "") -> Seen:
        for message in reversed(await self.transcript(p)):
            if label in message.tokens and on in message.text:
                return message
        raise AssertionError(f"{p.role} has no message with a button {label!r} ({on!r})")

    def _web(self, p: Person) -> dict[str, Any]:
        return {
            "channel": "web",
            "chat_id": p.address,
            "user_id": p.address,
            "at": self.office.now(),
            "update_id": f"web:{uuid.uuid4().hex}",
            "user_name": p.name,
        }

    # -- what people saw -------------------------------------------------------------------

    async def transcript(self, p: Person) -> list[Seen]:
        if p.platform == "telegram":
            return self._telegram(p)
        if p.platform == "whatsapp":
            return self._whatsapp(p.address)
        return await self._web_transcript(p)

    def _telegram(self, p: Person) -> list[Seen]:
        assert self.tg is not None
        out = []
        for m in self.tg.sent(int(p.address)):
            text = m.text if m.text is not None else (m.caption or "")
            pairs = [pair for row in m.buttons for pair in row]
            first = m.history[0] if m.history else None
            first_pairs = (
                [
                    (b.get("text", ""), b.get("callback_data"))
                    for row in (first.get("reply_markup") or {}).get("inline_keyboard", [])
                    for b in row
                ]
                if first is not None
                else pairs
            )
            out.append(
                Seen(
                    id=str(m.message_id),
                    text=text,
                    buttons=[label for label, _ in pairs],
                    first_text=str(first["text"]) if first is not None else text,
                    first_buttons=[label for label, _ in first_pairs],
                    edits=[text] if m.history else [],
                    document=m.document.file_name if m.document is not None else None,
                    tokens={label: str(data) for label, data in pairs},
                )
            )
        return out

    def _whatsapp(self, phone: str) -> list[Seen]:
        assert self.wa is not None
        sent = self.wa.sent(phone)
        out = []
        for m in sent:
            pairs = [(title, id_) for id_, title in m.buttons + m.rows]
            text = m.text or ""
            out.append(
                Seen(
                    id=m.id,
                    text=text,
                    buttons=[title for title, _ in pairs],
                    first_text=text,
                    first_buttons=[title for title, _ in pairs],
                    edits=[r.text or "" for r in sent if r.context_id == m.id],
                    document=m.content.get("filename") if m.type == "document" else None,
                    tokens={title: id_ for title, id_ in pairs},
                    kind="list" if m.rows else "button" if m.buttons else m.type,
                )
            )
        return out

    async def _web_transcript(self, p: Person) -> list[Seen]:
        async with self.db.uow(readonly=True) as uow:
            rows = await uow.outbox.for_chat("web", p.address)
        seen: dict[int, Seen] = {}
        for row in rows:
            if row.status != OUTBOX_SENT or row.id is None:
                continue
            choices = row.payload.get("choices") or []
            labels = [c["label"] for c in choices]
            text = to_plain(str(row.payload.get("text", "")))
            attachment = row.payload.get("attachment") or {}
            if row.kind == "edit":
                target = seen.get(row.ref_id or 0)
                if target is not None:
                    target.text, target.buttons = text, labels
                    target.tokens = {c["label"]: c["token"] for c in choices}
                    target.edits.append(text)
                    if attachment:  # the page puts the edit's document in the card
                        target.document = attachment.get("filename")
                        target.document_id = int(attachment["document_id"])
                continue
            if row.kind == "delete":
                continue
            seen[row.id] = Seen(
                id=row.idempotency_key,
                text=text,
                buttons=labels,
                first_text=text,
                first_buttons=labels,
                document=attachment.get("filename"),
                document_id=int(attachment["document_id"]) if attachment else None,
                tokens={c["label"]: c["token"] for c in choices},
            )
        return list(seen.values())

    async def file_bytes(self, p: Person, seen: Seen) -> bytes:
        """The file of a message as the person's own app opens it: the platform's copy,
        or the web's download route (the same access-checked query)."""
        if p.platform == "telegram":
            assert self.tg is not None
            message = self.tg.chat(int(p.address)).messages[int(seen.id)]
            assert message.document is not None
            return message.document.data
        if p.platform == "whatsapp":
            assert self.wa is not None
            [message] = [m for m in self.wa.sent(p.address) if m.id == seen.id]
            media = self.wa.media_of(message)
            assert media is not None
            return media.data
        assert seen.document_id is not None, seen
        found = await build_bus(self.db, self.office).handle(
            DownloadDocument(seen.document_id, Who(staff_id=p.staff_id))
        )
        assert isinstance(found, DocumentFile)
        return found.data


def cards(transcript: Sequence[Seen], marker: str) -> list[Seen]:
    """The messages that started out as cards about ``marker`` (a case or BA number)."""
    return [m for m in transcript if marker in m.first_text and m.first_buttons]

"""The web pages' read side: the demo staff picker, transcripts, the applicant inbox and
document downloads (the access policy applied here, inside the query)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any

from staffbot.app.bus import Command, Handler
from staffbot.app.commands.conversations import CardPrompts, from_stored
from staffbot.app.commands.web import (
    ChatsOfChannel,
    ChatSummary,
    DocumentFile,
    DocumentRefused,
    DownloadDocument,
    DownloadSentDocument,
    HasNewMessages,
    PickerEntry,
    ReadTranscript,
    Refusal,
    RolesOf,
    StaffPicker,
    TranscriptMessage,
    TranscriptPage,
)
from staffbot.errors import StaffbotError, ValidationError
from staffbot.messages import Attachment, Choice
from staffbot.services.access import may_see_document
from staffbot.services.actors import find_staff
from staffbot.services.context import Office
from staffbot.services.files import read_blob
from storage.repos.web import WebRepository
from storage.tables import Document, Outbox
from storage.uow import UnitOfWork

# -- who is who ------------------------------------------------------------------------------


def _in_flow_order(office: Office, keys: Iterable[str]) -> tuple[str, ...]:
    """Role keys in the order of the flow; keys the flow does not know go last."""
    order = {r.key: i for i, r in enumerate(office.flow.roles)}
    return tuple(sorted(keys, key=lambda k: (order.get(k, len(order)), k)))


async def staff_picker(
    cmd: StaffPicker, uow: UnitOfWork, office: Office
) -> tuple[PickerEntry, ...]:
    staff = [(s.id, s.name) for s in await uow.staff.all() if s.active and s.id is not None]
    roles = await uow.staff.roles_for(staff_id for staff_id, _ in staff)
    entries = [
        PickerEntry(staff_id, name, _in_flow_order(office, roles.get(staff_id, ())))
        for staff_id, name in staff
    ]
    order = {r.key: i for i, r in enumerate(office.flow.roles)}

    def rank(entry: PickerEntry) -> tuple[int, str]:
        first = order.get(entry.roles[0], len(order)) if entry.roles else len(order)
        return (first, entry.name)

    return tuple(sorted(entries, key=rank))


async def roles_of(cmd: RolesOf, uow: UnitOfWork, office: Office) -> tuple[str, ...]:
    roles = await uow.staff.roles_for([cmd.staff_id])
    return _in_flow_order(office, roles.get(cmd.staff_id, ()))


# -- transcripts ------------------------------------------------------------------------------


def _message(row: Outbox) -> TranscriptMessage:
    assert row.id is not None
    payload: Mapping[str, Any] = row.payload or {}
    raw = payload.get("attachment")
    attachment = (
        Attachment(int(raw.get("document_id", 0)), str(raw.get("filename", "dokumen")))
        if raw
        else None
    )
    return TranscriptMessage(
        id=row.id,
        kind=row.kind,
        text=str(payload.get("text", "")),
        choices=tuple(
            Choice(str(c.get("label", "")), str(c.get("token", "")))
            for c in payload.get("choices", ())
        ),
        ref_id=row.ref_id,
        at=row.sent_at or row.created_at,
        attachment=attachment,
        message_id=str(payload.get("message_id", "")) if row.kind == "delete" else "",
    )


async def read_transcript(cmd: ReadTranscript, uow: UnitOfWork, office: Office) -> TranscriptPage:
    repo = WebRepository(uow.session)
    if cmd.after <= 0:
        rows = list(await repo.sent_last(cmd.channel, cmd.chat_id, limit=cmd.limit))
        more = False
    else:
        rows = list(
            await repo.sent_after(cmd.channel, cmd.chat_id, after_id=cmd.after, limit=cmd.limit)
        )
        more = len(rows) >= cmd.limit
    stored = await uow.conversations.get(f"{cmd.channel}:{cmd.chat_id}")
    conversation = from_stored(stored.kind, stored.state) if stored is not None else None
    return TranscriptPage(
        messages=tuple(_message(row) for row in rows),
        more=more,
        awaiting_pin=isinstance(conversation, CardPrompts) and conversation.masks_input,
    )


async def has_new_messages(cmd: HasNewMessages, uow: UnitOfWork, office: Office) -> bool:
    repo = WebRepository(uow.session)
    return bool(await repo.sent_after(cmd.channel, cmd.chat_id, after_id=cmd.after, limit=1))


async def chats_of_channel(
    cmd: ChatsOfChannel, uow: UnitOfWork, office: Office
) -> tuple[ChatSummary, ...]:
    chats = await WebRepository(uow.session).chats_of_channel(cmd.channel)
    return tuple(ChatSummary(chat_id, count) for chat_id, count in chats)


# -- downloads ---------------------------------------------------------------------------------


async def _file(office: Office, document: Document) -> DocumentFile | DocumentRefused:
    assert document.id is not None
    try:
        data = await asyncio.to_thread(read_blob, office, document)
    except (OSError, StaffbotError):
        return DocumentRefused(document.id, Refusal.UNREADABLE)
    return DocumentFile(document.id, document.filename, document.mime_type, data)


async def download_document(
    cmd: DownloadDocument, uow: UnitOfWork, office: Office
) -> DocumentFile | DocumentRefused:
    document = await uow.documents.get(cmd.document_id)
    if document is None:
        return DocumentRefused(cmd.document_id, Refusal.ABSENT)
    try:
        staff = await find_staff(uow, nip=cmd.who.nip, staff_id=cmd.who.staff_id)
    except ValidationError:
        return DocumentRefused(cmd.document_id, Refusal.FORBIDDEN)
    if not await may_see_document(uow, staff, document):
        return DocumentRefused(cmd.document_id, Refusal.FORBIDDEN)
    return await _file(office, document)


async def download_sent_document(
    cmd: DownloadSentDocument, uow: UnitOfWork, office: Office
) -> DocumentFile | DocumentRefused:
    repo = WebRepository(uow.session)
    sent = await repo.document_sent_to(cmd.channel, cmd.chat_id, cmd.document_id)
    document = await uow.documents.get(cmd.document_id) if sent else None
    if document is None:
        return DocumentRefused(cmd.document_id, Refusal.ABSENT)
    return await _file(office, document)


HANDLERS: dict[type[Command[Any]], Handler] = {
    ChatsOfChannel: chats_of_channel,
    DownloadDocument: download_document,
    DownloadSentDocument: download_sent_document,
    HasNewMessages: has_new_messages,
    ReadTranscript: read_transcript,
    RolesOf: roles_of,
    StaffPicker: staff_picker,
}

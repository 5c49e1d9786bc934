"""What the web pages read: the demo staff picker, a chat's transcript, the applicant
inbox, a document to download. Views only: the pages never see a storage row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from staffbot.app.command import Query
from staffbot.app.commands.cases import Who
from staffbot.messages import Attachment, Choice

# -- who is who ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PickerEntry:
    """An active staff member as the demo role picker offers them."""

    staff_id: int
    name: str
    #: Role keys in the order of the flow (the first is the one they are sorted by).
    roles: tuple[str, ...]


@dataclass(frozen=True)
class StaffPicker(Query[tuple[PickerEntry, ...]]):
    """Every active staff member, in the order of their first role in the flow, then by
    name (the picker reads like the SOP, top to bottom)."""


@dataclass(frozen=True)
class RolesOf(Query[tuple[str, ...]]):
    """A staff member's own role keys, in the order of the flow."""

    staff_id: int


# -- transcripts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TranscriptMessage:
    """One delivered message of a chat, as the channel sent it (the text is the bot's
    rich text; the page still escapes every tag it does not allow)."""

    id: int
    #: The outbox row's kind: "card", "text", "document", ..., "edit" (of ``ref_id``)
    #: or "delete" (of ``message_id``).
    kind: str
    text: str
    choices: tuple[Choice, ...]
    ref_id: int | None
    #: When it was sent (else when it was queued).
    at: datetime | None
    attachment: Attachment | None
    message_id: str


@dataclass(frozen=True)
class TranscriptPage:
    messages: tuple[TranscriptMessage, ...]
    #: More rows after these wait (only ever said for a read after a cursor).
    more: bool
    #: The chat waits for a PIN: the page masks its text box and does not echo it.
    awaiting_pin: bool


@dataclass(frozen=True)
class ReadTranscript(Query[TranscriptPage]):
    """The delivered messages of (channel, chat_id): with ``after`` <= 0 the newest
    ``limit``; else at most ``limit`` after that id, oldest first."""

    channel: str
    chat_id: str
    after: int
    limit: int


@dataclass(frozen=True)
class HasNewMessages(Query[bool]):
    """Whether a message of (channel, chat_id) after ``after`` has been delivered."""

    channel: str
    chat_id: str
    after: int


@dataclass(frozen=True)
class ChatSummary:
    chat_id: str
    messages: int


@dataclass(frozen=True)
class ChatsOfChannel(Query[tuple[ChatSummary, ...]]):
    """Chats with delivered messages on a channel, newest activity first."""

    channel: str


# -- downloads ---------------------------------------------------------------------------------


class Refusal(Enum):
    #: No such document (for the applicant: none that was sent to them).
    ABSENT = "absent"
    #: The document exists but its case has not come this person's way.
    FORBIDDEN = "forbidden"
    #: Recorded, but its file is missing from the data dir.
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class DocumentFile:
    document_id: int
    filename: str
    mime_type: str
    data: bytes


@dataclass(frozen=True)
class DocumentRefused:
    document_id: int
    reason: Refusal


@dataclass(frozen=True)
class DownloadDocument(Query[DocumentFile | DocumentRefused]):
    """A stored document's bytes, for staff who may see it (the access policy runs in
    the handler, so no surface can forget it)."""

    document_id: int
    who: Who


@dataclass(frozen=True)
class DownloadSentDocument(Query[DocumentFile | DocumentRefused]):
    """A document's bytes, only when a delivered message of (channel, chat_id) carried
    it (the simulated applicant sees what was sent to their phone, nothing else)."""

    channel: str
    chat_id: str
    document_id: int

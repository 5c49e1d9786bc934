"""Commands on stored files: a result document uploaded for a work item, a document's
bytes for whoever sends it."""

from __future__ import annotations

from dataclasses import dataclass, field

from staffbot.app.command import Command, Query
from staffbot.app.commands.cases import Who
from staffbot.channels.base import FileBlob


@dataclass(frozen=True)
class Attach(Command[int]):
    """Store a document uploaded for a work item (``ref``: a case or Berita Acara number,
    or a case's id), e.g. the result PDF of `case act --attachment`: checked, renamed and
    recorded like any upload. The result is the document's id, for :class:`Act`."""

    who: Who
    ref: str
    filename: str
    data: bytes = field(repr=False)
    kind: str = "hasil"


@dataclass(frozen=True)
class GenerateResult(Command[int]):
    """What the chat's "Buat Surat Tanggapan" makes at SOP step 8, for a work item named
    by ``ref`` (`case act N --action submit_tte --generate`): the standard reply letter,
    stored as the item's result document. The result is its id, for :class:`Act`."""

    who: Who
    ref: str


@dataclass(frozen=True)
class ReadDocument(Query[FileBlob]):
    """A stored document's bytes, name and type (the outbox sends documents by id)."""

    document_id: int

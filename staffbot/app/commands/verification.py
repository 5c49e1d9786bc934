"""Checking a document: the public page behind the QR code and `pdf verify FILE`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from staffbot.app.command import Query


@dataclass(frozen=True)
class Verdict:
    """What the verification page and `pdf verify` say about one document."""

    known: bool
    kind: str = ""
    number: str = ""
    issued_at: datetime | None = None
    sha256: str = ""
    signed: bool = False
    signer: str | None = None
    signed_at: datetime | None = None
    #: For signed documents: the PAdES signature is intact, valid and trusted.
    signature_ok: bool | None = None
    signature_problem: str | None = None
    #: For `pdf verify`: the file's bytes match the recorded hash exactly.
    matches_record: bool | None = None
    #: The stored file was deleted after the retention period (`case purge`): the
    #: record and its hash remain, so a copy someone holds can still be checked.
    purged: bool = False


@dataclass(frozen=True)
class VerifyCode(Query[Verdict]):
    """The document behind a QR code's verification code."""

    code: str


@dataclass(frozen=True)
class CheckFile(Query[Verdict]):
    """A PDF in hand: is it exactly a document we issued, and is its signature sound?"""

    data: bytes

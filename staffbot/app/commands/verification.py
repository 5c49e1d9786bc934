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
    #: Its place in the register: received, draft, signed, superseded or void.
    status: str = ""
    version: int = 0
    #: Who issued the signer's certificate: "bsre" (BSrE, BSSN) or "local" (the
    #: office's own CA).
    issuer: str | None = None
    #: When it was superseded or voided.
    status_at: datetime | None = None
    #: A draft of a kind the Kepala Dinas signs: not valid until signed.
    needs_signature: bool = False
    #: Superseded: the verification code of the version in force now (None when that
    #: version has no page), and whether it is this draft's own signed copy.
    current_code: str | None = None
    current_is_signed_copy: bool = False


@dataclass(frozen=True)
class VerifyCode(Query[Verdict]):
    """The document behind a QR code's verification code."""

    code: str


@dataclass(frozen=True)
class CheckFile(Query[Verdict]):
    """A PDF in hand: is it exactly a document we issued, and is its signature sound?"""

    data: bytes


@dataclass(frozen=True)
class StatusView:
    """The applicant's public status page: where the application is, in words, and
    when it should be done. Never the applicant's name, NIK or phone number."""

    known: bool
    number: str = ""
    registration_number: str | None = None
    layanan: str = ""
    #: The stage as one sentence for the applicant, in the office's language.
    stage: str = ""
    step_key: str = ""
    sop_no: int = 0
    total_steps: int = 0
    closed: bool = False
    #: Waiting on the applicant (files asked back): no finish date until they answer.
    paused: bool = False
    #: When the application should be done by the SOP's time limits (working days).
    expected_finish: datetime | None = None
    finished_at: datetime | None = None
    #: The bukti pendaftaran's verification code, to check that paper is genuine.
    bukti_code: str | None = None
    service_number: str = ""


@dataclass(frozen=True)
class ApplicationStatus(Query[StatusView]):
    """The status page behind the bukti pendaftaran's QR code (/s/<code>)."""

    code: str

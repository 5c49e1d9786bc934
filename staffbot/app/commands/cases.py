"""Commands on a work item (a case, or a Berita Acara): record, act, claim, batch, sign,
clear a manual check."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from staffbot.app.command import Command, Process, Query
from staffbot.errors import StaffbotError


@dataclass(frozen=True)
class Who:
    """The staff member a command acts for: by NIP (command line) or by id (chat, web)."""

    nip: str | None = None
    staff_id: int | None = None


@dataclass(frozen=True)
class IntakeForm:
    name: str
    nik: str
    wa: str
    kecamatan: str
    layanan: str
    keluhan: str = ""
    #: Desa/pekon, when the applicant says it (the Berita Acara lists it for the UPT).
    desa: str = ""


@dataclass(frozen=True)
class IntakeResult:
    case_id: int
    number: str
    step: str
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class RecordCase(Command[IntakeResult]):
    """SOP steps 1-2: the call center records a citizen's call (the form is validated
    by the handler, so every surface refuses the same input with the same words)."""

    who: Who
    form: IntakeForm


@dataclass(frozen=True)
class ActResult:
    number: str
    action: str
    outcome: str
    from_step: str
    to_step: str | None
    closed: bool
    task_id: int
    next_task_id: int | None
    actor: str
    at: datetime
    ba_number: str | None = None
    cases: tuple[str, ...] = ()


@dataclass(frozen=True)
class PreparedSignature:
    """A signature made before the transition's transaction (signing can take a second)."""

    pdf: bytes
    signed_at: datetime
    signer: str
    #: The code every QR on the signed copy carries: the draft's own, taken over.
    verify_code: str
    source_document_id: int
    #: The signer backend, i.e. who issued the certificate: "bsre" or "local".
    issuer: str | None = None


@dataclass(frozen=True)
class Act(Command[ActResult]):
    """One button press (or `case act`): apply ``action`` to the open task of a work item
    (``ref``: a case number, a Berita Acara number or a case's id) or to ``task_id``.

    An action that needs the signing PIN is refused here (the engine's "PIN required"):
    it is taken by :class:`Sign`, which checks the PIN and signs before it applies."""

    who: Who
    action: str
    ref: str | None = None
    task_id: int | None = None
    note: str | None = None
    attachment_id: int | None = None


@dataclass(frozen=True)
class ClaimResult:
    number: str
    task_id: int
    step: str
    sop_no: int
    claimer: str
    at: datetime
    #: False when the claimer already held the task (a repeated /ambil).
    changed: bool
    #: The other holders whose cards now say who took the task.
    told: tuple[str, ...] = ()


@dataclass(frozen=True)
class Claim(Command[ClaimResult]):
    """Take a work item's open task: colleagues of the same role can no longer act on it."""

    who: Who
    ref: str | None = None
    task_id: int | None = None


@dataclass(frozen=True)
class MakeBa(Command[list[ActResult]]):
    """SOP step 14: one Berita Acara per UPT from the chosen cases (or every case
    waiting in ``kecamatan``: a kecamatan's name, or a UPT's that serves several)."""

    who: Who
    refs: tuple[str, ...] = ()
    kecamatan: str | None = None
    action: str = "make_ba"


@dataclass(frozen=True)
class SignOutcome:
    """One document of a :class:`Sign`: what was asked (task id or reference) and either
    the transition or the refusal."""

    task_id: int | None = None
    ref: str | None = None
    result: ActResult | None = None
    error: StaffbotError | None = None


@dataclass(frozen=True)
class Sign(Process[list[SignOutcome]]):
    """Sign the documents of these tasks (by id) and work items (``refs``: case or
    Berita Acara numbers) with one PIN entry: each gets its own signature, transition and
    audit event (prepare in a transaction → sign outside → apply). A wrong PIN stops
    the batch."""

    who: Who
    secret: str = field(repr=False)
    task_ids: tuple[int, ...] = ()
    refs: tuple[str, ...] = ()
    action: str = "sign"


@dataclass(frozen=True)
class SigningLock(Query[str | None]):
    """When this signer's lock after repeated wrong PINs ends (office time, "14.35"), or
    None when they may sign: asked at the press of a signing button, so that a locked
    signer is told at once instead of being asked for a PIN that would be refused."""

    who: Who


@dataclass(frozen=True)
class ClearManualCheck(Command[str]):
    """After a person checked the signer by hand (a signing whose outcome was unknown):
    the work item (a case or Berita Acara number) may be signed again. Returns its
    number."""

    ref: str
    by: str
    note: str


@dataclass(frozen=True)
class ConfirmSigned(Command[ActResult]):
    """The signing step of a document that came signed (a KK printed from SIAK with the
    Kepala Dinas's TTE, validated at upload): recorded as *ditandatangani di SIAK* by
    the signer's press, without a PIN and without a second signature. A document that
    did not come signed is refused (it needs the PIN: :class:`Sign`)."""

    who: Who
    action: str = "sign"
    ref: str | None = None
    task_id: int | None = None


@dataclass(frozen=True)
class CameSigned(Query[bool]):
    """Whether the document the open task ``task_id`` would sign already carries a
    valid signature (its signing button then confirms instead of asking a PIN)."""

    task_id: int

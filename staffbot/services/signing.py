"""Electronic signatures (TTE) with one PIN entry for one or many documents.

Signing can take a second (BSrE) and must never hold the write transaction, so each
document goes through three steps, orchestrated here and nowhere else (:func:`sign`):

1. *prepare*, one transaction: every check of the action, each made once (the signer,
   the task still open, no manual check pending, the engine's decision with the task's
   assignee, the PIN, the document to sign). A wrong PIN is counted and committed; a
   PIN that cannot be the office's 6-digit PIN (a typo of length) is refused uncounted.
2. *sign*, outside any transaction, through the office's signer port.
3. *apply*, one transaction: only what may have changed in the meantime is checked
   again (the task still open and held as it was, the work item and the cases it
   carries at the versions read in step 1), then the transition with the signed PDF.
   The PIN is not asked again: the apply command holds the plan step 1 made, sealed,
   and nothing else can build one.

A signing whose outcome is unknown (a timeout after the request was sent) is never
retried: the work item is flagged for a manual check and its task stays open until a
person cleared it (:class:`ClearManualCheck`). Each document gets its own signature,
transition and audit event; a wrong PIN stops the batch (the next tries would only be
counted as wrong too).
"""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass, field
from typing import Any

from flows.engine import Request, Transition
from staffbot.app.bus import Command, Handler, MessageBus, Process, ProcessHandler
from staffbot.app.commands.cases import (
    ActResult,
    ClearManualCheck,
    PreparedSignature,
    Sign,
    SigningLock,
    SignOutcome,
    Who,
)
from staffbot.documents.errors import PassphraseWrong
from staffbot.documents.model import Box, Language, SignRequest, StampPlacement
from staffbot.errors import (
    AuthError,
    ConcurrencyConflict,
    ConfigurationError,
    SignOutcomeUnknown,
    StaffbotError,
    ValidationError,
)
from staffbot.services import presigned
from staffbot.services.actors import (
    check_pin,
    count_pin_failure,
    find_staff,
    is_pin_format_refusal,
    load_actor,
    locked_until,
)
from staffbot.services.claims import taken
from staffbot.services.context import Office
from staffbot.services.documents import new_verify_code, verify_url
from staffbot.services.files import read_blob
from staffbot.services.locate import find, locate, of_task
from staffbot.services.register import CURRENT
from staffbot.services.transitions import apply, assignee_key, decide_named
from staffbot.services.work_items import WorkItem, already_done
from storage.tables import Document, Task
from storage.uow import UnitOfWork

#: What only the prepare step puts into a plan: the apply step refuses any other.
_SEAL = object()

#: Refusals after which the next document of the batch is not tried (and a PIN of the
#: wrong shape, which would be refused for every document alike).
_STOPS_THE_BATCH = ("pin_wrong", "pin_locked")


@dataclass(frozen=True)
class SignPlan:
    """What the prepare transaction checked and read, for the apply transaction."""

    task_id: int
    #: Who held the task when it was checked (the signer may have claimed it since).
    assignee_id: int | None
    #: The versions of the work item's rows when it was checked.
    stamp: tuple[int, ...]
    transition: Transition
    #: The flow's effect that stores the signed document ("sign:dokumen" ...).
    effect: str
    document: Document
    staff_id: int
    staff_name: str
    staff_nip: str
    seal: object = field(repr=False, compare=False)


@dataclass(frozen=True)
class PinRefused:
    """The prepare step's answer to a wrong PIN: counted (and committed), then raised."""

    error: AuthError


@dataclass(frozen=True)
class _Prepare(Command[SignPlan | PinRefused]):
    who: Who
    action: str
    secret: str = field(repr=False)
    ref: str | None = None
    task_id: int | None = None


@dataclass(frozen=True)
class _Apply(Command[ActResult]):
    plan: SignPlan
    signature: PreparedSignature


@dataclass(frozen=True)
class _CountPinFailure(Command[AuthError]):
    """The signer itself refused the passphrase (BSrE users have no PIN stored here)."""

    staff_id: int


@dataclass(frozen=True)
class _FlagManualCheck(Command[None]):
    plan: SignPlan
    problem: str


async def sign(cmd: Sign, bus: MessageBus) -> list[SignOutcome]:
    """Sign the documents of ``cmd.task_ids`` and ``cmd.refs`` with one PIN entry."""
    targets = [(task_id, None) for task_id in cmd.task_ids] + [(None, r) for r in cmd.refs]
    outcomes: list[SignOutcome] = []
    for task_id, ref in targets:
        try:
            result = await _sign_one(bus, cmd, task_id=task_id, ref=ref)
        except StaffbotError as exc:
            outcomes.append(SignOutcome(task_id=task_id, ref=ref, error=exc))
            if exc.code in _STOPS_THE_BATCH or is_pin_format_refusal(exc):
                break
        else:
            outcomes.append(SignOutcome(task_id=result.task_id, ref=ref, result=result))
    return outcomes


async def _sign_one(
    bus: MessageBus, cmd: Sign, *, task_id: int | None, ref: str | None
) -> ActResult:
    office = bus.office
    signer = office.signer
    if signer is None:
        raise ConfigurationError(problem="TTE belum disiapkan: jalankan `signing init`")
    prepared = await bus.handle(
        _Prepare(who=cmd.who, action=cmd.action, secret=cmd.secret, ref=ref, task_id=task_id)
    )
    if isinstance(prepared, PinRefused):
        raise prepared.error
    plan = prepared
    data = await asyncio.to_thread(read_blob, office, plan.document)
    # The draft's code: its printed QR (the Berita Acara's) and the stamp's QR lead to
    # the same record, which the signed copy takes over (services/documents.py).
    code = plan.document.verify_code or new_verify_code()
    existing = presigned.existing_signature(plan.document)
    if existing is not None:
        # Signed in SIAK already: passed on as it came, never stamped a second time.
        return await bus.handle(_Apply(plan, came_signed(plan.document, data, existing, code)))
    data, placement = await _stamp_room(office, plan.document, data)
    request = SignRequest(
        signer_name=plan.staff_name,
        nip=plan.staff_nip,
        secret=cmd.secret,
        placement=placement,
        verification_url=verify_url(office, code),
        reason="Menyetujui isi dokumen",
        location=office.reference.office_city,
        # our letters print name, pangkat and NIP under the stamp's place: once is enough
        identity_below=bool(plan.document.meta and plan.document.meta.get("stamp")),
    )
    try:
        signed = await signer.sign(data, request)
    except PassphraseWrong:
        raise await bus.handle(_CountPinFailure(plan.staff_id)) from None
    except SignOutcomeUnknown as exc:
        await bus.handle(_FlagManualCheck(plan, str(exc)))
        raise
    signature = PreparedSignature(
        pdf=signed.pdf,
        signed_at=signed.signed_at,
        signer=plan.staff_name,
        verify_code=code,
        source_document_id=plan.document.id or 0,
        issuer=signed.backend,
    )
    return await bus.handle(_Apply(plan, signature))


def came_signed(
    document: Document, data: bytes, existing: presigned.ExistingSignature, code: str
) -> PreparedSignature:
    """The "signature" of a document that came signed: its own bytes, its own signer."""
    return PreparedSignature(
        pdf=data,
        signed_at=existing.signed_at or document.created_at,
        signer=existing.signer,
        verify_code=code,
        source_document_id=document.id or 0,
    )


async def prepare(cmd: _Prepare, uow: UnitOfWork, office: Office) -> SignPlan | PinRefused:
    """Every check of the action, once, before anything is signed."""
    now = office.now()
    staff = await find_staff(uow, nip=cmd.who.nip, staff_id=cmd.who.staff_id)
    actor = await load_actor(uow, staff)
    item, task = await locate(uow, office, ref=cmd.ref, task_id=cmd.task_id)
    item.refuse_while_manual_check()
    # with the assignee: another holder of the role is refused here, before any signing
    state = item.state(task.step, await assignee_key(uow, task))
    document = await document_to_sign(uow, office, item, task)
    existing = presigned.existing_signature(document)
    note = presigned.note(existing, office) if existing is not None else None
    request = Request(cmd.action, pin_given=True, reason=note)
    transition = await decide_named(uow, office, task, state, actor, request, now)
    effect = signing_effect(transition)
    refusal = await check_pin(uow, office, staff, cmd.secret, now)
    if refusal is not None:
        return PinRefused(refusal)
    assert staff.id is not None and task.id is not None
    return SignPlan(
        task_id=task.id,
        assignee_id=task.assignee_id,
        stamp=item.stamp,
        transition=transition,
        effect=effect,
        document=document,
        staff_id=staff.id,
        staff_name=staff.name,
        staff_nip=staff.nip,
        seal=_SEAL,
    )


async def apply_signed(cmd: _Apply, uow: UnitOfWork, office: Office) -> ActResult:
    """The transition with the signed document: only what may have changed since the
    plan was made is checked again."""
    plan = cmd.plan
    if plan.seal is not _SEAL:
        raise ConfigurationError(problem="a signature is applied only from a prepared plan")
    task = await uow.tasks.get(plan.task_id)
    if task is None:
        raise ValidationError(field="case", problem="unknown", value=str(plan.task_id))
    if not task.is_open:
        raise await already_done(uow, office, task)
    if task.assignee_id not in (plan.assignee_id, plan.staff_id):
        raise await taken(uow, office, task)  # claimed by, or handed to, someone else
    item = await of_task(uow, task)
    if item.stamp != plan.stamp:
        raise ConcurrencyConflict(what=f"case {item.number}")
    staff = await uow.staff.get(plan.staff_id)
    assert staff is not None
    transition = dataclasses.replace(plan.transition, at=office.now())
    return await apply(
        uow, office, staff, task, item, transition, prepared={plan.effect: cmd.signature}
    )


async def signing_lock(cmd: SigningLock, uow: UnitOfWork, office: Office) -> str | None:
    staff = await find_staff(uow, nip=cmd.who.nip, staff_id=cmd.who.staff_id)
    return locked_until(office, staff, office.now())


async def count_failure(cmd: _CountPinFailure, uow: UnitOfWork, office: Office) -> AuthError:
    staff = await uow.staff.get(cmd.staff_id)
    assert staff is not None
    return await count_pin_failure(uow, office, staff, office.now())


async def flag_manual_check(cmd: _FlagManualCheck, uow: UnitOfWork, office: Office) -> None:
    plan = cmd.plan
    task = await uow.tasks.get(plan.task_id)
    assert task is not None
    item = await of_task(uow, task)
    await item.flag_manual_check(uow)
    ids = item.ids
    await uow.audit.append(
        at=office.now(),
        kind="sign_unknown",
        actor=plan.staff_name,
        actor_id=plan.staff_id,
        case_id=ids.case_id,
        ba_id=ids.ba_id,
        task_id=task.id,
        note=cmd.problem[:500],
        data={"document_id": plan.document.id},
    )


async def clear_manual_check(cmd: ClearManualCheck, uow: UnitOfWork, office: Office) -> str:
    """After a person checked the signer: the work item may be signed (again). A case
    in a Berita Acara waiting for its signature clears the Berita Acara: its signing
    flagged every case in it."""
    item, _ = await (await find(uow, cmd.ref)).at_work(uow)
    await item.clear_manual_check(uow)
    ids = item.ids
    await uow.audit.append(
        at=office.now(),
        kind="manual_check_cleared",
        actor=cmd.by,
        case_id=ids.case_id,
        ba_id=ids.ba_id,
        note=cmd.note,
    )
    return item.number


async def document_to_sign(uow: UnitOfWork, office: Office, item: WorkItem, task: Task) -> Document:
    """The document the task's step signs: the latest of the kind its card carries, in
    force (never a rejected, void, or a replaced one)."""
    kind = office.flow.step(task.step).card_document
    if kind is None:
        raise ConfigurationError(problem=f"step {task.step} names no document to sign")
    found = [d for d in await item.documents(uow, kind) if d.status in CURRENT]
    if not found:
        raise ValidationError(field="attachment", problem="missing", value=kind)
    return found[-1]


def signing_effect(transition: Transition) -> str:
    """The flow's effect that stores the signed document ("sign:dokumen" ...)."""
    effects = [e for e in transition.effects if e.startswith("sign:")]
    if not effects:
        raise ValidationError(field="action", problem="not_signing", value=transition.action.key)
    return effects[0]


async def _stamp_room(
    office: Office, document: Document, data: bytes
) -> tuple[bytes, StampPlacement]:
    """The PDF to sign and where its stamp goes: the signature block of a document the
    bot rendered; an upload gets a page of its own appended for it (the stamp covers
    nothing of the document: staffbot.documents.approval)."""
    stamp = document.meta.get("stamp") if document.meta else None
    if stamp:
        return data, StampPlacement(
            page_index=int(stamp["page"]),
            box=Box(
                x=float(stamp["x"]),
                y=float(stamp["y"]),
                width=float(stamp["width"]),
                height=float(stamp["height"]),
            ),
        )
    language: Language = "en" if office.language == "en" else "id"
    return await office.documents.engine.approval_page(data, language=language)


HANDLERS: dict[type[Command[Any]], Handler] = {
    ClearManualCheck: clear_manual_check,
    SigningLock: signing_lock,
    _Apply: apply_signed,
    _CountPinFailure: count_failure,
    _FlagManualCheck: flag_manual_check,
    _Prepare: prepare,
}
PROCESSES: dict[type[Process[Any]], ProcessHandler] = {Sign: sign}

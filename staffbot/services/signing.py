"""Electronic signatures (TTE) from a button press, and many at once with one PIN.

Signing can take a second (BSrE), so it happens *before* the transition's
transaction: (1) check the press and the PIN and read the document, (2) sign
outside any transaction, (3) apply the transition with the signed PDF in one
transaction. A signing whose outcome is unknown (timeout after sending) is never
retried: the case is flagged for a manual check and the task stays where it is.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from flows.engine import CaseState, Request
from staffbot.documents.errors import PassphraseWrong
from staffbot.documents.model import Box, SignedPdf, SignRequest, StampPlacement
from staffbot.errors import (
    ConfigurationError,
    SignOutcomeUnknown,
    StaffbotError,
    ValidationError,
)
from staffbot.services.actors import count_pin_failure, find_staff, load_actor, verify_pin
from staffbot.services.context import Office
from staffbot.services.documents import PreparedSignature, new_verify_code, verify_url
from staffbot.services.files import read_blob
from staffbot.services.transitions import (
    ActResult,
    _refuse_while_manual_check,
    act,
    already_done,
    assignee_key,
    decide_named,
)
from storage.db import Database, retrying
from storage.tables import CASE_CLOSED, Document, Task
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class _Plan:
    task_id: int
    action: str
    effect: str
    document: Document
    number: str
    staff_name: str
    staff_nip: str
    staff_id: int


@dataclass(frozen=True)
class SignOutcome:
    task_id: int
    result: ActResult | None = None
    error: StaffbotError | None = None


async def sign_tasks(
    db: Database,
    office: Office,
    *,
    staff_id: int,
    task_ids: list[int],
    secret: str,
    action: str = "sign",
) -> list[SignOutcome]:
    """Sign each task's document with one PIN entry; each gets its own signature,
    transition and audit event. A wrong PIN stops the batch (the next tries would be
    counted as wrong too)."""
    outcomes: list[SignOutcome] = []
    for task_id in task_ids:
        try:
            result = await sign_task(
                db, office, staff_id=staff_id, task_id=task_id, secret=secret, action=action
            )
        except StaffbotError as exc:
            outcomes.append(SignOutcome(task_id, error=exc))
            if exc.code in ("pin_wrong", "pin_locked"):
                break
        else:
            outcomes.append(SignOutcome(task_id, result=result))
    return outcomes


async def sign_task(
    db: Database,
    office: Office,
    *,
    staff_id: int | None = None,
    nip: str | None = None,
    task_id: int,
    secret: str,
    action: str = "sign",
) -> ActResult:
    signer = office.signer
    if signer is None:
        raise ConfigurationError(problem="TTE belum disiapkan: jalankan `signing init`")
    plan = await retrying(lambda: _plan(db, office, staff_id, nip, task_id, secret, action))
    data = await asyncio.to_thread(read_blob, office, plan.document)
    code = new_verify_code()
    request = SignRequest(
        signer_name=plan.staff_name,
        nip=plan.staff_nip,
        secret=secret,
        placement=await _placement(office, plan.document, data),
        verification_url=verify_url(office, code),
        reason="Menyetujui isi dokumen",
        location=office.reference.office_city,
    )
    try:
        signed = await signer.sign(data, request)
    except PassphraseWrong:
        await retrying(lambda: _count_failure(db, office, plan.staff_id))
        raise AssertionError("count_pin_failure raises") from None
    except SignOutcomeUnknown as exc:
        problem = str(exc)
        await retrying(lambda: _flag_manual_check(db, office, plan, problem))
        raise
    assert isinstance(signed, SignedPdf)
    prepared = PreparedSignature(
        pdf=signed.pdf,
        signed_at=signed.signed_at,
        signer=plan.staff_name,
        verify_code=code,
        source_document_id=plan.document.id or 0,
    )
    return await act(
        db.uow(),
        office,
        action=plan.action,
        actor_id=plan.staff_id,
        task_id=plan.task_id,
        pin=secret,
        prepared={plan.effect: prepared},
    )


async def _plan(
    db: Database,
    office: Office,
    staff_id: int | None,
    nip: str | None,
    task_id: int,
    secret: str,
    action: str,
) -> _Plan:
    """Every check the transition will make again, before anything is signed."""
    async with db.uow() as uow:
        now = office.now()
        staff = await find_staff(uow, nip=nip, staff_id=staff_id)
        actor = await load_actor(uow, staff)
        task = await uow.tasks.get(task_id)
        if task is None:
            raise ValidationError(field="case", problem="unknown", value=str(task_id))
        if not task.is_open:
            raise await already_done(uow, office, task)
        await _refuse_while_manual_check(uow, task)
        number, state = await _state(uow, task)
        request = Request(action, pin_given=True)
        transition = await decide_named(uow, office, task, state, actor, request, now)
        effects = [e for e in transition.effects if e.startswith("sign:")]
        if not effects:
            raise ValidationError(field="action", problem="not_signing", value=action)
        await verify_pin(uow, office, staff, secret, now)
        step = office.flow.step(task.step)
        document = await _document_to_sign(uow, task, step.card_document)
        await uow.commit()
        assert staff.id is not None and task.id is not None
        return _Plan(
            task_id=task.id,
            action=action,
            effect=effects[0],
            document=document,
            number=number,
            staff_name=staff.name,
            staff_nip=staff.nip,
            staff_id=staff.id,
        )


async def _state(uow: UnitOfWork, task: Task) -> tuple[str, CaseState]:
    # with the assignee: another holder of the role is refused here, before any signing
    assignee = await assignee_key(uow, task)
    if task.ba_id is not None:
        ba = await uow.cases.get_ba(task.ba_id)
        assert ba is not None
        return ba.number, CaseState(ba.number, ba.step, ba.status != "menunggu_ttd", assignee)
    case = await uow.cases.get(task.case_id or 0)
    assert case is not None
    return case.number, CaseState(case.number, case.step, case.status == CASE_CLOSED, assignee)


async def _document_to_sign(uow: UnitOfWork, task: Task, kind: str | None) -> Document:
    if kind is None:
        raise ConfigurationError(problem=f"step {task.step} names no document to sign")
    if task.ba_id is not None:
        found = await uow.documents.of_ba(task.ba_id, kind)
    else:
        found = await uow.documents.of_case(task.case_id or 0, kind)
    if not found:
        raise ValidationError(field="attachment", problem="missing", value=kind)
    return found[-1]


async def _placement(office: Office, document: Document, data: bytes) -> StampPlacement:
    stamp = document.meta.get("stamp") if document.meta else None
    if stamp:
        return StampPlacement(
            page_index=int(stamp["page"]),
            box=Box(
                x=float(stamp["x"]),
                y=float(stamp["y"]),
                width=float(stamp["width"]),
                height=float(stamp["height"]),
            ),
        )
    return await office.documents.engine.placement(data)


async def _count_failure(db: Database, office: Office, staff_id: int) -> None:
    async with db.uow() as uow:
        staff = await uow.staff.get(staff_id)
        assert staff is not None
        await count_pin_failure(uow, office, staff, office.now())


async def _flag_manual_check(db: Database, office: Office, plan: _Plan, problem: str) -> None:
    async with db.uow() as uow:
        task = await uow.tasks.get(plan.task_id)
        assert task is not None
        cases = (
            [await uow.cases.get(task.case_id)]
            if task.case_id is not None
            else list(await uow.cases.ba_cases(task.ba_id or 0))
        )
        for case in cases:
            if case is not None:
                await uow.cases.set_fields(case, needs_manual_check=True)
        await uow.audit.append(
            at=office.now(),
            kind="sign_unknown",
            actor=plan.staff_name,
            actor_id=plan.staff_id,
            case_id=task.case_id,
            ba_id=task.ba_id,
            task_id=task.id,
            note=problem[:500],
            data={"document_id": plan.document.id},
        )
        await uow.commit()


async def clear_manual_check(db: Database, office: Office, ref: str, *, by: str, note: str) -> str:
    """After a person checked the signer: the case may be signed (again)."""
    from staffbot.services.transitions import find_case

    async with db.uow() as uow:
        case = await find_case(uow, ref)
        await uow.cases.set_fields(case, needs_manual_check=False)
        await uow.audit.append(
            at=office.now(), kind="manual_check_cleared", actor=by, case_id=case.id, note=note
        )
        await uow.commit()
        return case.number

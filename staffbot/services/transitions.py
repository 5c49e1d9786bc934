"""Acting on a case: one button press (or `case act`) is one transaction.

Check the task is still open and the case still at its version, check the actor and
the flow's rules (engine), then write the new state, the audit event, the effects
and the outbox rows together. Of two presses on one task exactly one gets through;
the other is told who was first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flows.engine import Actor, CaseState, Request, Transition, decide
from flows.errors import AlreadyDone, AssignedToOther
from staffbot.cards import Happened, outcome_label, outcome_line
from staffbot.errors import ConcurrencyConflict, ManualCheckPending, ValidationError
from staffbot.services import notify
from staffbot.services.actors import find_staff, load_actor, verify_pin
from staffbot.services.context import Office
from staffbot.services.effects import EffectContext
from staffbot.services.tasks import open_task
from staffbot.timefmt import short_time
from storage.tables import (
    BA_REJECTED,
    BA_SIGNED,
    CASE_CLOSED,
    CASE_OPEN,
    BeritaAcara,
    Case,
    Staff,
    Task,
)
from storage.uow import UnitOfWork


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


async def act(
    uow: UnitOfWork,
    office: Office,
    *,
    action: str,
    actor_nip: str | None = None,
    actor_id: int | None = None,
    case_ref: str | None = None,
    task_id: int | None = None,
    note: str | None = None,
    pin: str | None = None,
    attachment_id: int | None = None,
    prepared: dict[str, object] | None = None,
) -> ActResult:
    """Apply an action to the open task of a case (or ``task_id``) as one transaction."""
    async with uow:
        result = await act_in(
            uow,
            office,
            action=action,
            actor_nip=actor_nip,
            actor_id=actor_id,
            case_ref=case_ref,
            task_id=task_id,
            note=note,
            pin=pin,
            attachment_id=attachment_id,
            prepared=prepared,
        )
        await uow.commit()
        return result


async def act_in(
    uow: UnitOfWork,
    office: Office,
    *,
    action: str,
    actor_nip: str | None = None,
    actor_id: int | None = None,
    case_ref: str | None = None,
    task_id: int | None = None,
    note: str | None = None,
    pin: str | None = None,
    attachment_id: int | None = None,
    prepared: dict[str, object] | None = None,
) -> ActResult:
    """Apply ``action`` to the open task of a case (or to ``task_id``) inside the caller's
    unit of work; the caller commits (so a chat turn's reply joins the same transaction)."""
    now = office.now()
    staff = await find_staff(uow, nip=actor_nip, staff_id=actor_id)
    actor = await load_actor(uow, staff)
    task, case = await _locate(uow, case_ref=case_ref, task_id=task_id)
    if not task.is_open:
        raise await already_done(uow, office, task)
    await _refuse_while_manual_check(uow, task, case)
    request = Request(
        action=action,
        reason=note,
        pin_given=pin is not None,
        attachment_given=attachment_id is not None,
    )
    # The engine decides on the step of the task as read (open): the case (or BA) row,
    # read a moment later, may already show the next step if a colleague's press
    # committed in between (PostgreSQL). That press closed our task: our close then
    # fails and says who acted, instead of a puzzling "not at a step with this action".
    if task.ba_id is not None:
        ba = await uow.cases.get_ba(task.ba_id)
        assert ba is not None
        assignee = await assignee_key(uow, task)
        state = CaseState(ba.number, task.step, ba.status != "menunggu_ttd", assignee)
        transition = await decide_named(uow, office, task, state, actor, request, now)
        if transition.action.requires_pin:
            await verify_pin(uow, office, staff, pin or "", now)
        result = await _apply_to_ba(
            uow, office, staff, task, ba, transition, pin, attachment_id, prepared or {}
        )
    else:
        assert case is not None
        state = CaseState(
            case.number, task.step, case.status == CASE_CLOSED, await assignee_key(uow, task)
        )
        transition = await decide_named(uow, office, task, state, actor, request, now)
        if transition.action.requires_pin:
            await verify_pin(uow, office, staff, pin or "", now)
        if attachment_id is not None:
            await _check_attachment(uow, case, attachment_id)
        result = await _apply_to_case(
            uow, office, staff, task, case, transition, pin, attachment_id, prepared or {}
        )
    return result


async def decide_named(
    uow: UnitOfWork,
    office: Office,
    task: Task,
    state: CaseState,
    actor: Actor,
    request: Request,
    now: datetime,
) -> Transition:
    """The engine's decision; its "assigned to someone else" names the person, not the
    NIP the engine knows them by (every surface shows this sentence)."""
    try:
        return decide(office.flow, state, actor, request, now)
    except AssignedToOther as exc:
        assignee = await uow.staff.get(task.assignee_id) if task.assignee_id else None
        name = assignee.name if assignee is not None else exc.params.get("assignee", "?")
        raise AssignedToOther(assignee=name) from exc


async def _locate(
    uow: UnitOfWork, *, case_ref: str | None, task_id: int | None
) -> tuple[Task, Case | None]:
    """The task to act on and, for a case's task, its case: each read once (the
    session's identity map holds rows only while they are referenced)."""
    task, case = await _locate_task(uow, case_ref=case_ref, task_id=task_id)
    if task.case_id is None:
        return task, None
    if case is None or case.id != task.case_id:
        case = await uow.cases.get(task.case_id)
        assert case is not None
    return task, case


async def _refuse_while_manual_check(uow: UnitOfWork, task: Task, case: Case | None = None) -> None:
    """A signing with an unknown outcome blocks the task until a person checked it."""
    if task.case_id is not None:
        if case is None or case.id != task.case_id:
            case = await uow.cases.get(task.case_id)
        if case is not None and case.needs_manual_check:
            raise ManualCheckPending(case=case.number)
    elif task.ba_id is not None:
        for case in await uow.cases.ba_cases(task.ba_id):
            if case.needs_manual_check:
                raise ManualCheckPending(case=case.number)


async def _locate_task(
    uow: UnitOfWork, *, case_ref: str | None, task_id: int | None
) -> tuple[Task, Case | None]:
    """The task, and the case it was found through (None when found by id)."""
    if task_id is not None:
        task = await uow.tasks.get(task_id)
        if task is None:
            raise ValidationError(field="case", problem="unknown", value=str(task_id))
        return task, None
    case = await find_case(uow, case_ref or "")
    assert case.id is not None
    task = await uow.tasks.open_for_case(case.id)
    if task is None and case.ba_id is not None:
        task = await uow.tasks.open_for_ba(case.ba_id)
    if task is None:
        task = await uow.tasks.last_for_case(case.id)
    if task is None:
        raise ValidationError(field="case", problem="unknown", value=case_ref)
    return task, case


async def find_case(uow: UnitOfWork, ref: str) -> Case:
    ref = ref.strip()
    case = await uow.cases.by_number(ref.upper())
    if case is None and ref.isdigit():
        case = await uow.cases.get(int(ref))
    if case is None:
        raise ValidationError(field="case", problem="unknown", value=ref)
    return case


async def assignee_key(uow: UnitOfWork, task: Task) -> str | None:
    """The engine's key (NIP) of the task's assignee, for ``CaseState.assignee``: every
    check of an action (a press, a signature, a Berita Acara) passes it to the engine."""
    if task.assignee_id is None:
        return None
    assignee = await uow.staff.get(task.assignee_id)
    return assignee.nip if assignee is not None else None


async def _check_attachment(uow: UnitOfWork, case: Case, attachment_id: int) -> None:
    document = await uow.documents.get(attachment_id)
    if document is None or document.case_id != case.id:
        raise ValidationError(field="attachment", problem="missing", value=str(attachment_id))


async def already_done(uow: UnitOfWork, office: Office, task: Task) -> AlreadyDone:
    """The polite refusal for a press on a task somebody already finished."""
    who = "?"
    if task.actor_id is not None:
        actor = await uow.staff.get(task.actor_id)
        who = actor.name if actor is not None else who
    at = task.done_at or office.now()
    return AlreadyDone(actor=who, at=short_time(at, office.tz, office.now(), office.language))


async def close_task(
    uow: UnitOfWork, office: Office, staff: Staff, task: Task, transition: Transition
) -> None:
    on_behalf_id = None
    if transition.on_behalf_of is not None:
        colleague = await uow.staff.by_nip(transition.on_behalf_of)
        on_behalf_id = colleague.id if colleague is not None else None
    task_id = task.id
    closed = await uow.tasks.close(
        task,
        or_held_by=staff.id,  # the presser's own claim may have landed since the read
        done_at=transition.at,
        action=transition.action.key,
        outcome=transition.action.outcome,
        actor_id=staff.id,
        on_behalf_of_id=on_behalf_id,
        note=transition.reason,
    )
    if not closed:
        # Somebody else's transaction closed it first, or a claim (or a supervisor's
        # assignment) gave it to someone since we read it (PostgreSQL: we waited on
        # its lock). Say which.
        me = staff.id
        await uow.rollback()
        fresh = await uow.tasks.get(task_id or 0)
        assert fresh is not None
        if not fresh.is_open:
            raise await already_done(uow, office, fresh)
        if fresh.assignee_id is None or fresh.assignee_id == me:
            raise ConcurrencyConflict(what=f"task {task_id}")
        from staffbot.services.claims import taken  # claims builds on this module

        raise await taken(uow, office, fresh)


async def edit_old_cards(
    uow: UnitOfWork,
    office: Office,
    staff: Staff,
    task: Task,
    transition: Transition,
    on_behalf_name: str | None,
) -> None:
    line = outcome_line(
        transition.action,
        actor=staff.name,
        at=transition.at,
        tz=office.tz,
        now=transition.at,
        lang=office.language,
        on_behalf_of=on_behalf_name,
        reason=transition.reason,
    )
    await notify.edit_cards_of(uow, office, task, line)


async def _on_behalf_name(uow: UnitOfWork, transition: Transition) -> str | None:
    if transition.on_behalf_of is None:
        return None
    colleague = await uow.staff.by_nip(transition.on_behalf_of)
    return colleague.name if colleague is not None else transition.on_behalf_of


async def audit_transition(
    uow: UnitOfWork,
    staff: Staff,
    transition: Transition,
    *,
    task: Task,
    case: Case | None,
    ba: BeritaAcara | None,
    on_behalf: str | None,
    data: dict[str, object] | None = None,
) -> None:
    await uow.audit.append(
        at=transition.at,
        kind="transition",
        actor=staff.name,
        actor_id=staff.id,
        on_behalf_of=on_behalf,
        case_id=case.id if case is not None else None,
        ba_id=ba.id if ba is not None else (case.ba_id if case is not None else None),
        task_id=task.id,
        action=transition.action.key,
        from_step=transition.from_step,
        to_step=transition.to_step,
        note=transition.reason,
        data=dict(data or {}),
    )


async def run_effects(
    uow: UnitOfWork, office: Office, ctx: EffectContext, names: tuple[str, ...]
) -> None:
    for name in names:
        await office.effects[name](uow, office, ctx)


async def _apply_to_case(
    uow: UnitOfWork,
    office: Office,
    staff: Staff,
    task: Task,
    case: Case,
    transition: Transition,
    pin: str | None,
    attachment_id: int | None,
    prepared: dict[str, object],
) -> ActResult:
    now = transition.at
    await close_task(uow, office, staff, task, transition)
    values: dict[str, object] = {"updated_at": now}
    if transition.to_step is not None:
        values["step"] = transition.to_step
    if transition.closes_case:
        values.update(status=CASE_CLOSED, closed_at=now)
    if not await uow.cases.compare_and_set(case, **values):
        raise ConcurrencyConflict(what=f"case {case.number}")
    behalf = await _on_behalf_name(uow, transition)
    await audit_transition(
        uow,
        staff,
        transition,
        task=task,
        case=case,
        ba=None,
        on_behalf=behalf,
        data={"attachment_id": attachment_id} if attachment_id else None,
    )
    await edit_old_cards(uow, office, staff, task, transition, behalf)
    ctx = EffectContext(
        transition=transition,
        actor=staff,
        task=task,
        case=case,
        cases=[case],
        attachment_id=attachment_id,
        secret=pin,
        prepared=prepared,
    )
    await run_effects(uow, office, ctx, transition.effects)
    next_task = None
    if transition.to_step is not None:
        last = Happened(
            outcome_label(transition.action, office.language), staff.name, now, transition.reason
        )
        next_task = await open_task(
            uow,
            office,
            step_key=transition.to_step,
            now=now,
            case=case,
            paused=transition.action.waits_on_applicant,
            last=last,
        )
    assert task.id is not None
    return ActResult(
        number=case.number,
        action=transition.action.key,
        outcome=transition.action.outcome,
        from_step=transition.from_step,
        to_step=transition.to_step,
        closed=transition.closes_case,
        task_id=task.id,
        next_task_id=next_task.id if next_task is not None else None,
        actor=staff.name,
        at=now,
        cases=(case.number,),
    )


async def _apply_to_ba(
    uow: UnitOfWork,
    office: Office,
    staff: Staff,
    task: Task,
    ba: BeritaAcara,
    transition: Transition,
    pin: str | None,
    attachment_id: int | None,
    prepared: dict[str, object],
) -> ActResult:
    """An action on a Berita Acara moves every case in it together."""
    now = transition.at
    await close_task(uow, office, staff, task, transition)
    assert ba.id is not None
    cases = list(await uow.cases.ba_cases(ba.id))
    if transition.closes_case:
        ba_values: dict[str, object] = {"status": BA_SIGNED, "closed_at": now}
    elif transition.to_step is not None and office.flow.step(transition.to_step).collects_batch:
        ba_values = {"status": BA_REJECTED, "closed_at": now}
    else:
        ba_values = {"step": transition.to_step}
    if not await uow.cases.ba_compare_and_set(ba, **ba_values):
        raise ConcurrencyConflict(what=f"BA {ba.number}")
    behalf = await _on_behalf_name(uow, transition)
    await audit_transition(
        uow,
        staff,
        transition,
        task=task,
        case=None,
        ba=ba,
        on_behalf=behalf,
        data={"cases": [c.number for c in cases]},
    )
    await edit_old_cards(uow, office, staff, task, transition, behalf)
    ctx = EffectContext(
        transition=transition,
        actor=staff,
        task=task,
        ba=ba,
        cases=cases,
        attachment_id=attachment_id,
        secret=pin,
        prepared=prepared,
    )
    await run_effects(uow, office, ctx, transition.effects)
    back_to_collect = ba_values.get("status") == BA_REJECTED
    last = Happened(
        outcome_label(transition.action, office.language), staff.name, now, transition.reason
    )
    next_task = None
    for case in cases:
        values: dict[str, object] = {"updated_at": now}
        if transition.closes_case:
            values.update(status=CASE_CLOSED, closed_at=now)
        elif transition.to_step is not None:
            values["step"] = transition.to_step
        if back_to_collect:
            values["ba_id"] = None
        if not await uow.cases.compare_and_set(case, **values):
            raise ConcurrencyConflict(what=f"case {case.number}")
        await audit_transition(
            uow, staff, transition, task=task, case=case, ba=ba, on_behalf=behalf
        )
        if back_to_collect and transition.to_step is not None:
            await open_task(uow, office, step_key=transition.to_step, now=now, case=case, last=last)
    if not transition.closes_case and not back_to_collect and transition.to_step is not None:
        next_task = await open_task(
            uow,
            office,
            step_key=transition.to_step,
            now=now,
            ba=ba,
            last=last,
            ba_case_numbers=[c.number for c in cases],
        )
    assert task.id is not None
    return ActResult(
        number=ba.number,
        action=transition.action.key,
        outcome=transition.action.outcome,
        from_step=transition.from_step,
        to_step=transition.to_step,
        closed=transition.closes_case,
        task_id=task.id,
        next_task_id=next_task.id if next_task is not None else None,
        actor=staff.name,
        at=now,
        ba_number=ba.number,
        cases=tuple(c.number for c in cases),
    )


__all__ = [
    "CASE_OPEN",
    "ActResult",
    "act",
    "act_in",
    "already_done",
    "decide_named",
    "find_case",
    "run_effects",
]

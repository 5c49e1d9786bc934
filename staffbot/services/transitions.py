"""Acting on a work item (a case, or a Berita Acara): one press is one transaction.

Check the task is still open and the item still at its version, check the actor and
the flow's rules (engine), then write the new state, the audit event, the effects
and the outbox rows together. Of two presses on one task exactly one gets through;
the other is told who was first.

An action that needs the signing PIN is not taken here: it goes through the signing
process (:mod:`staffbot.services.signing`), which checks the PIN once, signs outside
any transaction and then applies the transition with :func:`apply`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from flows.engine import Actor, CaseState, Request, Transition, decide
from flows.errors import AssignedToOther
from staffbot.app.bus import Command, Handler
from staffbot.app.commands.cases import Act, ActResult, PreparedSignature
from staffbot.cards import Happened, outcome_label, outcome_line
from staffbot.errors import ConcurrencyConflict, ValidationError
from staffbot.services import notify
from staffbot.services.actors import find_staff, load_actor
from staffbot.services.claims import taken
from staffbot.services.context import Office
from staffbot.services.effects import CARD_DOCUMENT, EffectContext
from staffbot.services.locate import find_case, locate
from staffbot.services.tasks import open_task
from staffbot.services.work_items import Ids, WorkItem, already_done
from storage.tables import DOC_SUPERSEDED, DOC_VOID, Document, Outbox, Staff, Task
from storage.uow import UnitOfWork

#: Documents no longer in force.
RETIRED = frozenset({DOC_SUPERSEDED, DOC_VOID})


async def act(cmd: Act, uow: UnitOfWork, office: Office) -> ActResult:
    """Apply ``cmd.action`` to the open task of a work item (or to ``cmd.task_id``)."""
    now = office.now()
    staff = await find_staff(uow, nip=cmd.who.nip, staff_id=cmd.who.staff_id)
    actor = await load_actor(uow, staff)
    item, task = await locate(uow, office, ref=cmd.ref, task_id=cmd.task_id)
    item.refuse_while_manual_check()
    request = Request(
        action=cmd.action, reason=cmd.note, attachment_given=cmd.attachment_id is not None
    )
    # The engine decides on the step of the task as read (open): the item's row, read a
    # moment later, may already show the next step if a colleague's press committed in
    # between (PostgreSQL). That press closed our task: our close then fails and says
    # who acted, instead of a puzzling "not at a step with this action".
    state = item.state(task.step, await assignee_key(uow, task))
    transition = await decide_named(uow, office, task, state, actor, request, now)
    if cmd.attachment_id is not None:
        await _check_attachment(uow, item, cmd.attachment_id)
    return await apply(uow, office, staff, task, item, transition, attachment_id=cmd.attachment_id)


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


async def assignee_key(uow: UnitOfWork, task: Task) -> str | None:
    """The engine's key (NIP) of the task's assignee, for ``CaseState.assignee``: every
    check of an action (a press, a signature, a Berita Acara) passes it to the engine."""
    if task.assignee_id is None:
        return None
    assignee = await uow.staff.get(task.assignee_id)
    return assignee.nip if assignee is not None else None


async def _check_attachment(uow: UnitOfWork, item: WorkItem, attachment_id: int) -> None:
    document = await uow.documents.get(attachment_id)
    # a rejected (void) or replaced document cannot be submitted again
    if document is None or not item.owns(document) or document.status in RETIRED:
        raise ValidationError(field="attachment", problem="missing", value=str(attachment_id))


async def apply(
    uow: UnitOfWork,
    office: Office,
    staff: Staff,
    task: Task,
    item: WorkItem,
    transition: Transition,
    *,
    attachment_id: int | None = None,
    prepared: Mapping[str, PreparedSignature] | None = None,
) -> ActResult:
    """Write a decided transition: close the task, move the item (and the cases it
    carries), audit, edit the old cards, run the effects, open the next task(s)."""
    now = transition.at
    await close_task(uow, office, staff, task, transition)
    await item.move(uow, office, transition)
    behalf = await _on_behalf_name(uow, transition)
    data: dict[str, object] = {}
    if attachment_id:
        data["attachment_id"] = attachment_id
    if item.carried:
        data["cases"] = [c.number for c in item.carried]
    await audit_transition(
        uow, staff, transition, task=task, ids=item.ids, on_behalf=behalf, data=data
    )
    for case in item.carried:
        await audit_transition(
            uow, staff, transition, task=task, ids=item.carried_ids(case), on_behalf=behalf
        )
    assert task.id is not None
    # read before the effects write (their flushes would come first, one more statement)
    cards = await uow.outbox.cards_of_task(task.id)
    ctx = EffectContext(
        transition=transition,
        actor=staff,
        task=task,
        item=item,
        attachment_id=attachment_id,
        prepared=prepared or {},
    )
    await run_effects(uow, office, ctx, transition.effects)
    # After the effects: a card that was signed from carries the signed PDF they made.
    await edit_old_cards(
        uow,
        office,
        staff,
        task,
        transition,
        behalf,
        document=ctx.made.get(CARD_DOCUMENT),
        cards=cards,
    )
    last = Happened(
        outcome_label(transition.action, office.language),
        staff.name,
        now,
        transition.reason,
        is_back=transition.action.is_back,
    )
    next_task = None
    if transition.to_step is not None:
        for following in item.next_items(office, transition.to_step):
            opened = await open_task(
                uow,
                office,
                item=following,
                step_key=transition.to_step,
                now=now,
                paused=transition.action.waits_on_applicant,
                last=last,
            )
            if following is item:
                next_task = opened
    assert task.id is not None
    return ActResult(
        number=item.number,
        action=transition.action.key,
        outcome=transition.action.outcome,
        from_step=transition.from_step,
        to_step=transition.to_step,
        closed=transition.closes_case,
        task_id=task.id,
        next_task_id=next_task.id if next_task is not None else None,
        actor=staff.name,
        at=now,
        ba_number=item.ba.number if item.ba is not None else None,
        cases=tuple(c.number for c in item.cases),
    )


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
        raise await taken(uow, office, fresh)


async def edit_old_cards(
    uow: UnitOfWork,
    office: Office,
    staff: Staff,
    task: Task,
    transition: Transition,
    on_behalf_name: str | None,
    *,
    document: Document | None = None,
    cards: Sequence[Outbox] | None = None,
) -> None:
    """The outcome on every card of the closed task; with ``document`` (the signed PDF),
    the cards carry it from now on instead of the document they were sent with."""
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
    await notify.edit_cards_of(uow, office, task, line, document=document, cards=cards)


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
    ids: Ids,
    on_behalf: str | None,
    data: Mapping[str, object] | None = None,
) -> None:
    await uow.audit.append(
        at=transition.at,
        kind="transition",
        actor=staff.name,
        actor_id=staff.id,
        on_behalf_of=on_behalf,
        case_id=ids.case_id,
        ba_id=ids.ba_id,
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


HANDLERS: dict[type[Command[Any]], Handler] = {Act: act}

__all__ = [
    "HANDLERS",
    "act",
    "already_done",
    "apply",
    "assignee_key",
    "decide_named",
    "find_case",
    "run_effects",
]

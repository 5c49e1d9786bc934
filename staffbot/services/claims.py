"""Claiming a task: one holder of the step's role says "this one is mine".

A task's card goes to every holder of its role. Before working on it, one of them may
claim it (chat ``/ambil <nomor kasus>``, CLI ``case claim ID --as NIP``): the task's
assignee becomes the claimer, so from then on only the claimer (or the delegate who
stands in while the claimer is on leave) may act on it; the engine enforces that
through ``CaseState.assignee``. The other holders' cards are edited to say who took the
task ("Diambil oleh <nama>, 14:05") and lose their buttons; the claimer's card keeps
its buttons. A supervisor's "Ambil alih" (services/alert_actions.py) is different: the
supervisor need not hold the role, and may take over a task someone claimed.

One claim is one transaction. Two claims at once give one winner: the claim sets the
task's assignee with a compare-and-set on the task row itself (open and unassigned,
``TaskRepository.claim``); the loser's update touches no row and it is told who has the
task. The claim does not write the case, so a press on the same case is not refused
merely because a claim ran beside it; a press that read the task before a claim won
closes the task only if it is still assigned as it read it (``TaskRepository.close``),
so it loses to the claim and is told who took the task.

Every step a person works on can be claimed, the signing steps and the Berita Acara
steps too: the signing service refuses another holder before anything is signed, and
the batch service refuses a Berita Acara holding a case someone else took (both pass
the assignee to the engine, ``transitions.assignee_key``). A Berita Acara waiting for
its signature has one task for all its cases: it is claimed by the BA's number, or by
the number of any case in it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from flows.errors import DomainError, NotYourRole
from staffbot.app.bus import Command, Handler
from staffbot.app.commands.cases import Claim, ClaimResult
from staffbot.errors import AssignedToOther, ConcurrencyConflict, StaffbotError
from staffbot.messages import OutgoingMessage
from staffbot.richtext import b
from staffbot.services import notify
from staffbot.services.actors import find_staff, load_actor
from staffbot.services.context import Office
from staffbot.services.locate import locate, of_task
from staffbot.services.work_items import WorkItem, already_done
from staffbot.texts import t
from staffbot.timefmt import short_time
from storage.tables import Staff, Task
from storage.uow import UnitOfWork

#: Audit kinds that hand a task to one person.
ASSIGNING = frozenset({"claim", "takeover", "reassigned"})


class AlreadyClaimed(DomainError):
    """Somebody else holds the task: the second claimer, or a stale card's press."""

    code = "already_claimed"
    template = "task already taken by {name} at {at}"


async def claim(cmd: Claim, uow: UnitOfWork, office: Office) -> ClaimResult:
    """Claim the open task of a work item (by reference: a case or BA number) or
    ``cmd.task_id``."""
    now = office.now()
    staff = await find_staff(uow, nip=cmd.who.nip, staff_id=cmd.who.staff_id)
    actor = await load_actor(uow, staff)
    item, task = await locate(uow, office, ref=cmd.ref, task_id=cmd.task_id)
    step = office.flow.step(task.step)
    label = f"{step.sop_no}. {step.title}"
    if not actor.holds(step.role):
        raise NotYourRole(step=label, role=office.flow.role(step.role).label, actor=staff.name)
    assert staff.id is not None and task.id is not None
    result = ClaimResult(
        number=item.number,
        task_id=task.id,
        step=step.key,
        sop_no=step.sop_no,
        claimer=staff.name,
        at=now,
        changed=False,
    )
    if task.assignee_id == staff.id:
        return result
    if task.assignee_id is not None:
        raise await taken(uow, office, task, item=item)
    the_task_id, me = task.id, staff.id  # rows expire on rollback
    # Lock order (PostgreSQL): the task row is the first row this claim updates, and
    # the audit head (bumped at commit) the last; a press takes the task row first too
    # (task row, case row, audit head). Taking shared locks in one order, a claim and
    # a press can only queue behind each other, never wait on each other in a cycle:
    # were the task row written after the audit head, a claim holding the head would
    # wait for a press's task row while that press waits for the head, a deadlock.
    if not await uow.tasks.claim(the_task_id, me):
        await uow.rollback()
        fresh = await uow.tasks.get(the_task_id)
        if fresh is not None and fresh.is_open and fresh.assignee_id == me:
            return result  # our own other claim won (a double tap)
        raise await _lost(uow, office, fresh, item.number)
    colleague = actor.on_behalf_of(step.role)
    behalf = await uow.staff.by_nip(colleague) if colleague is not None else None
    told = await _edit_other_cards(uow, office, task, staff, now)
    ids = item.ids
    await uow.audit.append(
        at=now,
        kind="claim",
        actor=staff.name,
        actor_id=staff.id,
        on_behalf_of=behalf.name if behalf is not None else None,
        case_id=ids.case_id,
        ba_id=ids.ba_id,
        task_id=task.id,
        from_step=task.step,
        to_step=task.step,
        data={"told": list(told)},
    )
    return replace(result, changed=True, told=told)


async def refuse_if_taken(uow: UnitOfWork, office: Office, task: Task, staff: Staff) -> None:
    """Before a press on an open task: if the task is someone else's, say whose, by name.

    (The engine refuses such a press too, naming the assignee by NIP; this is the
    sentence a person should read.)
    """
    if task.assignee_id is None or task.assignee_id == staff.id:
        return
    assignee = await uow.staff.get(task.assignee_id)
    if assignee is None:
        return
    actor = await load_actor(uow, staff)
    if not actor.may_act_for(assignee.nip):
        raise await taken(uow, office, task, assignee)


async def taken(
    uow: UnitOfWork,
    office: Office,
    task: Task,
    assignee: Staff | None = None,
    *,
    item: WorkItem | None = None,
) -> StaffbotError:
    """The polite refusal for a task somebody holds: who, and since when (``item``:
    the work item of the task, when the caller has it)."""
    if assignee is None and task.assignee_id is not None:
        assignee = await uow.staff.get(task.assignee_id)
    name = assignee.name if assignee is not None else "?"
    since = await _assigned_at(uow, task, item or await of_task(uow, task))
    if since is None:
        return AssignedToOther(assignee=name)
    return AlreadyClaimed(name=name, at=short_time(since, office.tz, office.now(), office.language))


async def _assigned_at(uow: UnitOfWork, task: Task, item: WorkItem) -> datetime | None:
    events = await item.audit_events(uow)
    times = [e.at for e in events if e.task_id == task.id and e.kind in ASSIGNING]
    return times[-1] if times else None


async def _lost(uow: UnitOfWork, office: Office, fresh: Task | None, number: str) -> StaffbotError:
    """Our compare-and-set failed: say what the winner did (``fresh``: the task re-read)."""
    if fresh is not None and not fresh.is_open:
        return await already_done(uow, office, fresh)
    if fresh is not None and fresh.assignee_id is not None:
        return await taken(uow, office, fresh)
    return ConcurrencyConflict(what=f"case {number}")


async def _edit_other_cards(
    uow: UnitOfWork, office: Office, task: Task, claimer: Staff, at: datetime
) -> tuple[str, ...]:
    """The other holders' cards: who took the task, and no more buttons."""
    assert task.id is not None
    told: dict[int, str] = {}
    for card in await uow.outbox.cards_of_task(task.id):
        if card.staff_id is None or card.staff_id == claimer.id:
            continue
        holder = await uow.staff.get(card.staff_id)
        lang = notify.staff_language(office, holder) if holder is not None else office.language
        line = b(t("card.claimed", lang, name=claimer.name, at=short_time(at, office.tz, at, lang)))
        original = OutgoingMessage.from_payload(card.payload)
        await notify.queue(
            uow,
            office,
            address=notify.Address(card.channel, card.chat_id),
            kind="edit",
            message=OutgoingMessage(text=original.text + "\n\n" + line),
            key=f"claimed:{card.id}:{task.id}",
            case_id=card.case_id,
            task_id=task.id,
            ref_id=card.id,
            later=True,
        )
        if holder is not None and holder.id is not None:
            told[holder.id] = holder.name
    return tuple(told.values())


HANDLERS: dict[type[Command[Any]], Handler] = {Claim: claim}

__all__ = ["HANDLERS", "AlreadyClaimed", "claim", "refuse_if_taken", "taken"]

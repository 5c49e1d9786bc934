"""What the buttons of an escalation alert do: remind, take over, reassign.

Each runs inside the caller's unit of work (the chat turn's), writes an audit event
naming everyone involved, and queues its messages through the outbox.

* Ingatkan (nudge): a reminder card to the task's holders, with a button that brings
  the task's card back.
* Ambil alih (takeover): the supervisor becomes the task's assignee. The engine lets
  an assignee act without holding the step's role (flows.engine.CaseState.assignee),
  so the supervisor can finish the step from the card pushed to them. The ladder
  restarts from the takeover (due time and rungs counted from now), as it does when
  a task passes to a delegate.
* Alihkan (reassign): the task goes to another holder of the role, who gets the card;
  the ladder restarts from the reassignment.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from staffbot.app.bus import Command, Handler
from staffbot.app.commands.sla import (
    AlertOutcome,
    Nudge,
    Reassign,
    ReassignChoices,
    ReassignOptions,
    Takeover,
)
from staffbot.errors import ValidationError
from staffbot.messages import OutgoingMessage
from staffbot.richtext import esc
from staffbot.services import notify
from staffbot.services.actors import find_staff
from staffbot.services.context import Office
from staffbot.services.escalation import takeover_allowed
from staffbot.services.sla_support import Item, Mailer, Roster, item_state, items_of
from staffbot.services.tasks import push_task_card, schedule_fields
from staffbot.texts.sla import st
from storage.tables import Staff, Task
from storage.uow import UnitOfWork


async def _task(uow: UnitOfWork, task_id: int) -> Task:
    task = await uow.tasks.get(task_id)
    if task is None:
        raise ValidationError(field="case", problem="unknown", value=str(task_id))
    return task


async def _subject(uow: UnitOfWork, office: Office, task: Task) -> Item:
    [item] = await items_of(uow, office, [task])
    return item


async def nudge(cmd: Nudge, uow: UnitOfWork, office: Office) -> AlertOutcome:
    """Send the holders a reminder, once per pressed button."""
    by = await find_staff(uow, nip=cmd.who.nip, staff_id=cmd.who.staff_id)
    task = await _task(uow, cmd.task_id)
    now = office.now()
    roster = await Roster.load(uow)
    item = await _subject(uow, office, task)
    holders = roster.task_holders(task)
    mailer = Mailer(uow, office, now)
    for holder in holders:
        lang = notify.staff_language(office, holder)
        text = st(
            "nudge.text",
            lang,
            by=by.name,
            what=item.what(lang),
            number=item.number,
            no=item.step.sop_no,
            title=item.step.title,
            state=item_state(item, office.calendar, now, lang),
        )
        choices = mailer.choices(
            holder, [(st("button.open", lang, number=item.number), "open_task", task.id, None)]
        )
        mailer.card(
            holder,
            OutgoingMessage(text=esc(text), choices=choices),
            key=f"nudge:{cmd.key}:{holder.id}",
            kind="text",
            case_id=item.case_id,
            ba_id=item.ba_id,
        )
    sent = await mailer.flush()
    lang = notify.staff_language(office, by)
    if not sent:
        return AlertOutcome(st("nudge.again", lang), changed=False)
    names = [h.name for h in holders]
    await uow.audit.append(
        at=now,
        kind="nudge",
        actor=by.name,
        actor_id=by.id,
        case_id=item.case_id,
        ba_id=item.ba_id,
        task_id=task.id,
        from_step=task.step,
        to_step=task.step,
        data={"to": names},
    )
    return AlertOutcome(st("nudge.sent", lang, names=", ".join(names)), changed=True)


async def takeover(cmd: Takeover, uow: UnitOfWork, office: Office) -> AlertOutcome:
    """The presser becomes the task's assignee and gets its card."""
    by = await find_staff(uow, nip=cmd.who.nip, staff_id=cmd.who.staff_id)
    task = await _task(uow, cmd.task_id)
    lang = notify.staff_language(office, by)
    item = await _subject(uow, office, task)
    if not takeover_allowed(item.step):
        # the card offers no such button: a forged or very old token
        return AlertOutcome(st("takeover.refused", lang, no=item.step.sop_no), changed=False)
    if task.assignee_id == by.id:
        return AlertOutcome(st("takeover.already", lang), changed=False)
    roster = await Roster.load(uow)
    before = roster.task_holders(task)
    await _assign(uow, office, task, by, now=office.now())
    await uow.audit.append(
        at=office.now(),
        kind="takeover",
        actor=by.name,
        actor_id=by.id,
        case_id=item.case_id,
        ba_id=item.ba_id,
        task_id=task.id,
        from_step=task.step,
        to_step=task.step,
        data={"from": [p.name for p in before], "to": by.name},
    )
    await _tell(uow, office, before, item, "takeover.told", name=by.name, skip=by)
    return AlertOutcome(st("takeover.done", lang, number=item.number), changed=True)


async def reassign_choices(
    cmd: ReassignChoices, uow: UnitOfWork, office: Office
) -> ReassignOptions:
    task = await _task(uow, cmd.task_id)
    item = await _subject(uow, office, task)
    people = (await Roster.load(uow)).reassign_candidates(task)
    return ReassignOptions(
        number=item.number,
        sop_no=item.step.sop_no,
        people=tuple((p.id, p.name) for p in people if p.id is not None),
    )


async def reassign(cmd: Reassign, uow: UnitOfWork, office: Office) -> AlertOutcome:
    """Hand the task to a present holder of the role."""
    by = await find_staff(uow, nip=cmd.who.nip, staff_id=cmd.who.staff_id)
    task = await _task(uow, cmd.task_id)
    lang = notify.staff_language(office, by)
    roster = await Roster.load(uow)
    target = roster.get(cmd.to_id)
    if target is None:
        raise ValidationError(field="staff", problem="unknown", value=str(cmd.to_id))
    if task.assignee_id == target.id:
        return AlertOutcome(st("reassign.same", lang, name=target.name), changed=False)
    if all(c.id != target.id for c in roster.reassign_candidates(task)):
        return AlertOutcome(st("reassign.stale", lang, name=target.name), changed=False)
    item = await _subject(uow, office, task)
    before = roster.task_holders(task)
    now = office.now()
    await _assign(uow, office, task, target, now=now)
    await uow.audit.append(
        at=now,
        kind="reassigned",
        actor=by.name,
        actor_id=by.id,
        case_id=item.case_id,
        ba_id=item.ba_id,
        task_id=task.id,
        from_step=task.step,
        to_step=task.step,
        data={
            "from": [p.name for p in before],
            "to": target.name,
            "by": by.name,
            "reason": "alihkan",
        },
    )
    await _tell(
        uow, office, before, item, "reassign.told", name=target.name, by=by.name, skip=target
    )
    return AlertOutcome(
        st("reassign.done", lang, number=item.number, name=target.name), changed=True
    )


async def _assign(
    uow: UnitOfWork, office: Office, task: Task, person: Staff, *, now: datetime
) -> None:
    """Assign and restart the ladder (a paused task stays paused); push the card."""
    fields: dict[str, object] = {"assignee_id": person.id}
    if task.paused_at is None:
        fields.update(schedule_fields(office, office.flow.step(task.step), now))
    await uow.tasks.set_fields(task, **fields)
    await push_task_card(
        uow, office, task, person, key_suffix=f":assigned:{person.id}:{secrets.token_hex(4)}"
    )


async def _tell(
    uow: UnitOfWork,
    office: Office,
    people: list[Staff],
    item: Item,
    key: str,
    *,
    skip: Staff,
    **params: str,
) -> None:
    """A short note to the people who held the task before."""
    mailer = Mailer(uow, office, office.now())
    stamp = secrets.token_hex(4)
    for person in people:
        if person.id == skip.id:
            continue
        lang = notify.staff_language(office, person)
        text = st(key, lang, number=item.number, no=item.step.sop_no, **params)
        mailer.card(
            person,
            OutgoingMessage(text=esc(text)),
            key=f"told:{item.task_id}:{person.id}:{stamp}",
            kind="text",
            case_id=item.case_id,
            ba_id=item.ba_id,
        )
    await mailer.flush()


HANDLERS: dict[type[Command[Any]], Handler] = {
    Nudge: nudge,
    Reassign: reassign,
    ReassignChoices: reassign_choices,
    Takeover: takeover,
}

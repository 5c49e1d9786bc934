"""Opening tasks: due time on the working-day calendar, ladder, and the cards they push."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from flows.ladder import next_rung
from flows.model import Step
from staffbot.app.commands.staff import CARDS_DIGEST
from staffbot.cards import Happened
from staffbot.messages import Attachment
from staffbot.services import notify, presigned
from staffbot.services.context import Office
from staffbot.services.file_button import files_button
from staffbot.services.locate import of_task
from staffbot.services.work_items import WorkItem
from storage.tables import Document, Staff, Task
from storage.uow import UnitOfWork


def schedule_fields(office: Office, step: Step, start: datetime) -> dict[str, object]:
    """due_at and the first rung of the escalation ladder for a task starting now."""
    due = office.calendar.add(start, office.flow.sla_of(step))
    rung = next_rung(office.flow, step, due, office.calendar, after_level=-1)
    return {"due_at": due, "next_escalation_at": rung[1] if rung else None, "escalation_level": -1}


async def open_task(
    uow: UnitOfWork,
    office: Office,
    *,
    item: WorkItem,
    step_key: str,
    now: datetime,
    paused: bool = False,
    last: Happened | None = None,
) -> Task:
    """Create the item's task for ``step_key`` and queue its card to everyone who holds it."""
    step = office.flow.step(step_key)
    ids = item.ids
    task = Task(case_id=ids.case_id, ba_id=ids.ba_id, step=step.key, role=step.role, created_at=now)
    if paused:
        task.paused_at = now
    else:
        for key, value in schedule_fields(office, step, now).items():
            setattr(task, key, value)
    await uow.tasks.add(task)
    await push_cards(uow, office, task, item=item, last=last)
    return task


async def push_cards(
    uow: UnitOfWork,
    office: Office,
    task: Task,
    *,
    item: WorkItem,
    last: Happened | None,
    recipients: Sequence[Staff] | None = None,
    key_suffix: str = "",
) -> int:
    step = office.flow.step(task.step)
    if recipients is None:
        # Who chose a digest gets this task in it (services/task_digest), not as a card;
        # a card asked for by name (reopened from /tugas, handed over) still goes.
        people = [p for p in await notify.task_recipients(uow, task) if p.cards != CARDS_DIGEST]
    else:
        people = list(recipients)
    document = await _card_document(uow, step, item)
    attachment = Attachment(document.id or 0, document.filename) if document else None
    signed_before = presigned.existing_signature(document)
    card = await item.card(uow, office, step, task, last)
    for person in people:
        lang = notify.staff_language(office, person)
        # Recipients hold the role (or stand in for a holder): every action of the step
        # is theirs. The press is checked again in full when it arrives.
        choices = await notify.buttons(
            uow, office, staff=person, task=task, actions=step.actions, lang=lang
        )
        choices += await files_button(uow, office, staff=person, step=step, item=item, lang=lang)
        message = card(choices=choices, lang=lang)
        if attachment is not None:
            message = replace(message, attachment=attachment)
        if signed_before is not None and step.signed_with_pin:
            message = presigned.on_card(message, step, signed_before, office, lang)
        await notify.queue(
            uow,
            office,
            address=notify.address_of(person),
            kind="card",
            message=message,
            key=f"card:{task.id}:{person.id}{key_suffix}",
            staff=person,
            case_id=item.ids.case_id,
            task_id=task.id,
            ba_id=item.ids.ba_id,
            later=True,
        )
    return len(people)


async def _card_document(uow: UnitOfWork, step: Step, item: WorkItem) -> Document | None:
    """The document the step's card carries: the latest of its kind."""
    if step.card_document is None:
        return None
    found = await item.documents(uow, step.card_document)
    if not found or found[-1].id is None:
        return None
    return found[-1]


async def push_task_card(
    uow: UnitOfWork, office: Office, task: Task, person: Staff, *, key_suffix: str
) -> None:
    """Send one person the card of an open task again (reopened, reassigned, stand-in)."""
    await push_cards(
        uow,
        office,
        task,
        item=await of_task(uow, task),
        last=None,
        recipients=[person],
        key_suffix=key_suffix,
    )

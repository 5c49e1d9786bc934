"""Opening tasks: due time on the working-day calendar, ladder, and the cards they push."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from flows.ladder import next_rung
from flows.model import Step
from staffbot.cards import CaseFacts, Happened, ba_card, case_card
from staffbot.messages import Attachment
from staffbot.services import notify
from staffbot.services.context import Office
from storage.tables import BeritaAcara, Case, Staff, Task
from storage.uow import UnitOfWork


def facts(case: Case) -> CaseFacts:
    return CaseFacts(
        number=case.number,
        applicant_name=case.applicant_name,
        nik=case.nik,
        wa_number=case.wa_number,
        kecamatan=case.kecamatan,
        layanan=case.layanan,
        keluhan=case.keluhan,
        registration_no=case.registration_no,
        nik_outside=case.nik_outside,
        needs_manual_check=case.needs_manual_check,
    )


def schedule_fields(office: Office, step: Step, start: datetime) -> dict[str, object]:
    """due_at and the first rung of the escalation ladder for a task starting now."""
    due = office.calendar.add(start, office.flow.sla_of(step))
    rung = next_rung(office.flow, step, due, office.calendar, after_level=-1)
    return {"due_at": due, "next_escalation_at": rung[1] if rung else None, "escalation_level": -1}


async def open_task(
    uow: UnitOfWork,
    office: Office,
    *,
    step_key: str,
    now: datetime,
    case: Case | None = None,
    ba: BeritaAcara | None = None,
    paused: bool = False,
    last: Happened | None = None,
    ba_case_numbers: Sequence[str] = (),
) -> Task:
    """Create the task for ``step_key`` and queue its card to everyone who holds it."""
    step = office.flow.step(step_key)
    task = Task(
        case_id=case.id if case is not None else None,
        ba_id=ba.id if ba is not None else None,
        step=step.key,
        role=step.role,
        created_at=now,
    )
    if paused:
        task.paused_at = now
    else:
        for key, value in schedule_fields(office, step, now).items():
            setattr(task, key, value)
    await uow.tasks.add(task)
    await push_cards(
        uow, office, task, case=case, ba=ba, last=last, ba_case_numbers=ba_case_numbers
    )
    return task


async def push_cards(
    uow: UnitOfWork,
    office: Office,
    task: Task,
    *,
    case: Case | None,
    ba: BeritaAcara | None,
    last: Happened | None,
    ba_case_numbers: Sequence[str] = (),
    recipients: Sequence[Staff] | None = None,
    key_suffix: str = "",
) -> int:
    step = office.flow.step(task.step)
    people = list(recipients) if recipients is not None else await notify.task_recipients(uow, task)
    now = office.now()
    attachment = await _card_document(uow, step, case, ba)
    files = await _applicant_files(uow, step, case)
    for person in people:
        lang = notify.staff_language(office, person)
        # Recipients hold the role (or stand in for a holder): every action of the step
        # is theirs. The press is checked again in full when it arrives.
        choices = await notify.buttons(
            uow, office, staff=person, task=task, actions=step.actions, lang=lang
        )
        if case is not None:
            message = case_card(
                office.flow,
                step,
                facts(case),
                due=task.due_at,
                paused=task.paused_at is not None,
                last=last,
                choices=choices,
                tz=office.tz,
                now=now,
                lang=lang,
                files=files,
            )
        else:
            assert ba is not None
            message = ba_card(
                step,
                number=ba.number,
                kecamatan=ba.kecamatan,
                case_numbers=ba_case_numbers,
                due=task.due_at,
                last=last,
                choices=choices,
                tz=office.tz,
                now=now,
                lang=lang,
            )
        if attachment is not None:
            message = replace(message, attachment=attachment)
        await notify.queue(
            uow,
            office,
            address=notify.address_of(person),
            kind="card",
            message=message,
            key=f"card:{task.id}:{person.id}{key_suffix}",
            staff=person,
            case_id=case.id if case is not None else None,
            task_id=task.id,
            ba_id=ba.id if ba is not None else None,
            later=True,
        )
    return len(people)


async def _card_document(
    uow: UnitOfWork, step: Step, case: Case | None, ba: BeritaAcara | None
) -> Attachment | None:
    """The document the step's card carries: the latest of its kind."""
    if step.card_document is None:
        return None
    if case is not None and case.id is not None:
        found = await uow.documents.of_case(case.id, step.card_document)
    elif ba is not None and ba.id is not None:
        found = await uow.documents.of_ba(ba.id, step.card_document)
    else:
        return None
    if not found or found[-1].id is None:
        return None
    return Attachment(found[-1].id or 0, found[-1].filename)


async def _applicant_files(uow: UnitOfWork, step: Step, case: Case | None) -> tuple[str, ...]:
    if not step.lists_applicant_files or case is None or case.id is None:
        return ()
    return tuple(d.filename for d in await uow.documents.of_case(case.id, "berkas"))


async def push_task_card(
    uow: UnitOfWork, office: Office, task: Task, person: Staff, *, key_suffix: str
) -> None:
    """Send one person the card of an open task again (reopened, reassigned, stand-in)."""
    case = await uow.cases.get(task.case_id) if task.case_id else None
    ba = await uow.cases.get_ba(task.ba_id) if task.ba_id else None
    numbers = (
        [c.number for c in await uow.cases.ba_cases(ba.id)]
        if ba is not None and ba.id is not None
        else []
    )
    await push_cards(
        uow,
        office,
        task,
        case=case,
        ba=ba,
        last=None,
        ba_case_numbers=numbers,
        recipients=[person],
        key_suffix=key_suffix,
    )

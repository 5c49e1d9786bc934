"""Read-side use cases: show a case, my tasks, find a case, list cases."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from staffbot.app.bus import Command, Handler
from staffbot.app.commands.deliveries import DeliveryLine
from staffbot.app.commands.queries import (
    CaseFile,
    CaseGlance,
    CaseHit,
    CaseLine,
    ListCases,
    LookAtCase,
    MyTasks,
    SearchCases,
    ShowCase,
    TaskSummary,
)
from staffbot.errors import ValidationError
from staffbot.masking import mask_nik, mask_phone
from staffbot.services.access import may_see_document, may_see_item, roles_covered
from staffbot.services.actors import find_staff
from staffbot.services.context import Office
from staffbot.services.deliveries import describe, line_json
from staffbot.services.locate import find, of_tasks
from staffbot.services.work_items import WorkItem
from staffbot.validation import normalise_phone
from storage.tables import CASE_OPEN, Case, Task
from storage.uow import UnitOfWork


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def case_view(cmd: ShowCase, uow: UnitOfWork, office: Office) -> dict[str, Any]:
    """A case, or a Berita Acara by its number (then its cases instead of an applicant)."""
    item = await find(uow, cmd.ref)
    _, task = await item.at_work(uow)
    row = item.row
    step = office.flow.step(row.step)
    names = {s.id: s.name for s in await uow.staff.all() if s.id is not None}
    tasks = list(await item.history(uow))
    carrier = await item.carrier(uow)
    if carrier is not None:
        tasks += await carrier.history(uow)
        tasks.sort(key=lambda t: (t.created_at, t.id or 0))
    documents = [
        {
            "id": d.id,
            "kind": d.kind,
            "filename": d.filename,
            "sha256": d.sha256,
            "signed": d.signed,
            "verify_code": d.verify_code,
            "status": d.status,
            "version": d.version,
        }
        for d in await item.documents(uow)
    ]
    case = item.case
    deliveries = (
        describe(await uow.outbox.for_case(case.id), tasks, names)
        if case is not None and case.id is not None
        else []
    )
    return {
        "number": item.number,
        "kind": "ba" if item.is_batch else "case",
        "status": row.status,
        "step": row.step,
        "sop_no": step.sop_no,
        "step_title": step.title,
        "role": step.role,
        "actions": [a.key for a in step.actions] if task is not None else [],
        "task": _task_json(task, names) if task is not None else None,
        **_own_fields(item, cmd.reveal),
        "kecamatan": row.kecamatan,
        "layanan": item.layanan,
        "ba": carrier.number if carrier is not None else None,
        "needs_manual_check": any(c.needs_manual_check for c in item.cases),
        "created_at": _iso(row.created_at),
        "closed_at": _iso(row.closed_at),
        "version": row.version,
        "history": [_task_json(t, names) for t in tasks],
        "documents": documents,
        # what was sent to the applicant and how far it got (the phone masked)
        "deliveries": [line_json(line) for line in deliveries],
    }


def _own_fields(item: WorkItem, reveal: bool) -> dict[str, Any]:
    """A case's applicant and registration; a Berita Acara has none, it lists its cases."""
    case = item.case
    if case is None:
        return {
            "applicant": None,
            "keluhan": None,
            "registration_no": None,
            "cases": [c.number for c in item.cases],
        }
    return {
        "applicant": {
            "name": case.applicant_name,
            "nik": case.nik if reveal else mask_nik(case.nik),
            "wa": case.wa_number if reveal else mask_phone(case.wa_number),
            "nik_outside": case.nik_outside,
        },
        "keluhan": case.keluhan,
        "registration_no": case.registration_no,
        "cases": [case.number],
    }


def _task_json(task: Task, names: Mapping[int, str]) -> dict[str, Any]:
    return {
        "task_id": task.id,
        "step": task.step,
        "role": task.role,
        "open": task.is_open,
        "assignee": names.get(task.assignee_id) if task.assignee_id else None,
        "created_at": _iso(task.created_at),
        "due_at": _iso(task.due_at),
        "paused": task.paused_at is not None,
        "done_at": _iso(task.done_at),
        "action": task.action,
        "outcome": task.outcome,
        "actor": names.get(task.actor_id) if task.actor_id else None,
        "on_behalf_of": names.get(task.on_behalf_of_id) if task.on_behalf_of_id else None,
        "note": task.note,
        "escalation_level": task.escalation_level,
        "ba_id": task.ba_id,
    }


async def my_tasks(cmd: MyTasks, uow: UnitOfWork, office: Office) -> list[TaskSummary]:
    staff = await find_staff(uow, nip=cmd.who.nip, staff_id=cmd.who.staff_id)
    assert staff.id is not None
    absent = await uow.staff.absent_delegating_to(staff.id)
    ids = [staff.id, *(a.id for a in absent if a.id is not None)]
    roles = set().union(*(await uow.staff.roles_for(ids)).values()) if ids else set()
    out: list[TaskSummary] = []
    tasks = list(await uow.tasks.open_for_roles(roles, staff_ids=ids))
    # Tasks handed to this person (a supervisor's takeover) whatever their role.
    known = {t.id for t in tasks}
    tasks += [t for t in await uow.tasks.open_assigned_to(staff.id) if t.id not in known]
    items = await of_tasks(uow, tasks)
    for task in tasks:
        step = office.flow.step(task.step)
        assert task.id is not None
        item = items[task.id]  # cases and Berita Acara are never deleted (only purged)
        out.append(
            TaskSummary(
                task_id=task.id,
                number=item.number,
                step=task.step,
                sop_no=step.sop_no,
                title=step.title,
                role=task.role,
                due_at=_iso(task.due_at),
                paused=task.paused_at is not None,
                kecamatan=item.row.kecamatan,
                layanan=item.layanan,
            )
        )
    return out


_CASE_NUMBER = re.compile(r"^[A-Z]{1,8}-\d{4}-\d{1,6}$")
_SEPARATORS = re.compile(r"[\s.\-]")


async def search(cmd: SearchCases, uow: UnitOfWork, office: Office) -> list[CaseHit]:
    hits = []
    for case in await _found(uow, cmd.text):
        hits.append(
            CaseHit(
                number=case.number,
                applicant_name=case.applicant_name,
                nik=case.nik,
                kecamatan=case.kecamatan,
                step=case.step,
                sop_no=office.flow.step(case.step).sop_no,
                status=case.status,
            )
        )
    return hits


async def _found(uow: UnitOfWork, query: str) -> list[Case]:
    q = query.strip()
    if _CASE_NUMBER.match(q.upper()):
        return list(await uow.cases.search(number=q.upper()))
    # A NIK as people write it: in one run or in groups of four (spaces, dots, dashes).
    # No phone number has 16 digits, so the two never meet.
    compact = _SEPARATORS.sub("", q)
    if len(compact) == 16 and compact.isdigit():
        return list(await uow.cases.search(nik=compact))
    try:
        phone = normalise_phone(q)
    except ValidationError:
        return []
    return list(await uow.cases.search(phone=phone))


async def look_at_case(cmd: LookAtCase, uow: UnitOfWork, office: Office) -> CaseGlance | None:
    """A case as the access policy lets this person see it; None (nothing read further)
    when it has not come their way."""
    staff = await find_staff(uow, nip=cmd.who.nip, staff_id=cmd.who.staff_id)
    item = await find(uow, cmd.ref)
    if not await may_see_item(uow, staff, item):
        return None
    _, task = await item.at_work(uow)
    mine = task is not None and (
        task.role in await roles_covered(uow, staff) or task.assignee_id == staff.id
    )
    files = [
        CaseFile(d.id, d.kind, d.filename, d.mime_type)
        for d in await item.documents(uow)
        if d.id is not None and await may_see_document(uow, staff, d)
    ]
    row, case = item.row, item.case
    deliveries: list[DeliveryLine] = []
    if case is not None and case.id is not None:
        names = {s.id: s.name for s in await uow.staff.all() if s.id is not None}
        history = await item.history(uow)
        deliveries = describe(await uow.outbox.for_case(case.id), history, names)
    step = office.flow.step(row.step)
    english = office.language == "en" and step.title_en
    return CaseGlance(
        number=item.number,
        is_batch=item.is_batch,
        status=row.status,
        sop_no=step.sop_no,
        step_title=step.title_en if english else step.title,
        kecamatan=row.kecamatan,
        layanan=item.layanan,
        applicant_name=case.applicant_name if case is not None else None,
        nik=mask_nik(case.nik) if case is not None else None,
        phone=mask_phone(case.wa_number) if case is not None else None,
        registration_no=case.registration_no if case is not None else None,
        files=tuple(files),
        my_task_id=task.id if mine and task is not None else None,
        deliveries=tuple(deliveries),
    )


async def list_cases(cmd: ListCases, uow: UnitOfWork, office: Office) -> list[CaseLine]:
    cases = await uow.cases.listing(
        status=cmd.status or (CASE_OPEN if cmd.overdue else None),
        overdue_at=office.now() if cmd.overdue else None,
        limit=cmd.limit,
    )
    return [
        CaseLine(
            number=c.number,
            status=c.status,
            step=c.step,
            sop_no=office.flow.step(c.step).sop_no,
            kecamatan=c.kecamatan,
            layanan=c.layanan,
            registration_no=c.registration_no,
            created_at=c.created_at,
        )
        for c in cases
    ]


HANDLERS: dict[type[Command[Any]], Handler] = {
    ListCases: list_cases,
    LookAtCase: look_at_case,
    MyTasks: my_tasks,
    SearchCases: search,
    ShowCase: case_view,
}

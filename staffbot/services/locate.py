"""Finding the work item to act on: by a task, by a task id, or by what a person typed.

A reference (command line, ``/ambil``) may be a case number, a Berita Acara number or a
case's id; a case inside a Berita Acara waiting for its signature is worked on through
the Berita Acara (:meth:`WorkItem.at_work`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from staffbot.errors import ValidationError
from staffbot.services.context import Office
from staffbot.services.work_items import BaItem, CaseItem, WorkItem, already_done, load_ba
from storage.tables import Case, Document, Task
from storage.uow import UnitOfWork


async def _linked(
    uow: UnitOfWork, case_id: int | None, ba_id: int | None, known: Mapping[int, Case]
) -> WorkItem | None:
    """The item a row names by its two links (a task, a document): the one place they
    are told apart. None when it names neither (a report) or the case is gone."""
    if ba_id is not None:
        return await load_ba(uow, ba_id)
    if case_id is None:
        return None
    case = known.get(case_id) or await uow.cases.get(case_id)
    return CaseItem(case) if case is not None else None


async def of_task(uow: UnitOfWork, task: Task) -> WorkItem:
    """The item ``task`` acts on."""
    item = await _linked(uow, task.case_id, task.ba_id, {})
    if item is None:
        raise ValidationError(field="case", problem="unknown", value=str(task.id))
    return item


async def of_tasks(uow: UnitOfWork, tasks: Sequence[Task]) -> dict[int, WorkItem]:
    """Task id -> the item it acts on, for many tasks (the escalation scan lists
    hundreds): their cases read in one query."""
    wanted = sorted({t.case_id for t in tasks if t.case_id is not None})
    known = {c.id: c for c in await uow.cases.many(wanted) if c.id is not None}
    found: dict[int, WorkItem] = {}
    for task in tasks:
        item = await _linked(uow, task.case_id, task.ba_id, known)
        if item is not None and task.id is not None:
            found[task.id] = item
    return found


async def of_document(uow: UnitOfWork, document: Document) -> WorkItem | None:
    """The item a document belongs to; None for one of nobody's (a report)."""
    return await _linked(uow, document.case_id, document.ba_id, {})


async def find_case(uow: UnitOfWork, ref: str) -> Case:
    """A case by its number (any letter case) or its id."""
    ref = ref.strip()
    case = await uow.cases.by_number(ref.upper())
    if case is None and ref.isdigit():
        case = await uow.cases.get(int(ref))
    if case is None:
        raise ValidationError(field="case", problem="unknown", value=ref)
    return case


async def find(uow: UnitOfWork, ref: str) -> WorkItem:
    """The item a person named: a case number, a Berita Acara number or a case's id."""
    ref = ref.strip()
    case = await uow.cases.by_number(ref.upper())
    if case is None:
        # BA numbers are written as typed from a printed page, in any case.
        ba = await uow.cases.ba_by_number(ref) if ref else None
        if ba is None and ref and ref != ref.upper():
            ba = await uow.cases.ba_by_number(ref.upper())
        if ba is not None and ba.id is not None:
            return BaItem(ba, await uow.cases.ba_cases(ba.id))
        case = await uow.cases.get(int(ref)) if ref.isdigit() else None
    if case is None:
        raise ValidationError(field="case", problem="unknown", value=ref)
    return CaseItem(case)


async def locate(
    uow: UnitOfWork, office: Office, *, ref: str | None = None, task_id: int | None = None
) -> tuple[WorkItem, Task]:
    """The item to work on and its open task, by reference or by task id; a polite
    refusal when there is none (the task was done, the case is finished)."""
    if task_id is not None:
        task = await uow.tasks.get(task_id)
        if task is None:
            raise ValidationError(field="case", problem="unknown", value=str(task_id))
        if not task.is_open:
            raise await already_done(uow, office, task)
        return await of_task(uow, task), task
    item, found = await (await find(uow, ref or "")).at_work(uow)
    if found is None:
        raise await item.finished(uow, office)
    return item, found

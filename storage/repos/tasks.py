from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.repos.cases import written
from storage.tables import Task


class TaskRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, task: Task) -> Task:
        """Insert the task at once (its id is needed for its cards' buttons) without
        flushing what else the transaction staged: those rows go out together later."""
        table = Task.__table__  # type: ignore[attr-defined]
        values = {c.key: getattr(task, c.key) for c in table.columns if c.key != "id"}
        result = await self.session.exec(insert(Task).values(**values).returning(col(Task.id)))
        task.id = int(result.scalar_one())
        make_transient_to_detached(task)
        self.session.add(task)
        return task

    async def add_all(self, tasks: Sequence[Task]) -> Sequence[Task]:
        self.session.add_all(tasks)
        await self.session.flush()
        return tasks

    async def get(self, task_id: int) -> Task | None:
        return await self.session.get(Task, task_id)

    async def open_for_case(self, case_id: int) -> Task | None:
        statement = select(Task).where(Task.case_id == case_id, col(Task.is_open))
        return (await self.session.exec(statement)).first()

    async def open_for_cases(self, case_ids: Sequence[int]) -> dict[int, Task]:
        if not case_ids:
            return {}
        statement = select(Task).where(col(Task.case_id).in_(list(case_ids)), col(Task.is_open))
        return {t.case_id: t for t in (await self.session.exec(statement)).all() if t.case_id}

    async def open_for_ba(self, ba_id: int) -> Task | None:
        statement = select(Task).where(Task.ba_id == ba_id, col(Task.is_open))
        return (await self.session.exec(statement)).first()

    async def last_for_case(self, case_id: int) -> Task | None:
        statement = select(Task).where(Task.case_id == case_id).order_by(col(Task.id).desc())
        return (await self.session.exec(statement.limit(1))).first()

    async def close(self, task: Task, *, or_held_by: int | None = None, **values: Any) -> bool:
        """Close the task if it is still open and still held as it was read (by nobody,
        or by the same person), or now held by ``or_held_by`` (the closer, whose own
        claim may have landed since the read). False: someone else closed it first, or
        it was claimed by or handed to someone else meanwhile."""
        assignee = col(Task.assignee_id)
        as_read = assignee.is_(None) if task.assignee_id is None else assignee == task.assignee_id
        same_holder = as_read if or_held_by is None else or_(as_read, assignee == or_held_by)
        result = await self.session.exec(
            update(Task)
            .where(col(Task.id) == task.id, col(Task.is_open), same_holder)
            .values(is_open=False, next_escalation_at=None, **values)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            return False
        written(task, is_open=False, next_escalation_at=None, **values)
        return True

    async def claim(self, task_id: int, staff_id: int) -> bool:
        """Make ``staff_id`` the assignee of an open, unassigned task (compare-and-set).

        False: the task was closed, or somebody holds it already (perhaps this very
        person). The UPDATE takes the task row's lock, as a press's close does.
        """
        result = await self.session.exec(
            update(Task)
            .where(col(Task.id) == task_id, col(Task.is_open), col(Task.assignee_id).is_(None))
            .values(assignee_id=staff_id)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            return False
        loaded = self.session.identity_map.get(identity_key(Task, task_id))
        if isinstance(loaded, Task):  # the caller's object shows the new assignee
            written(loaded, assignee_id=staff_id)
        return True

    async def set_fields(self, task: Task, **values: Any) -> None:
        await self.session.exec(
            update(Task)
            .where(col(Task.id) == task.id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        written(task, **values)

    async def history_of_case(self, case_id: int) -> Sequence[Task]:
        statement = select(Task).where(Task.case_id == case_id).order_by(col(Task.id))
        return (await self.session.exec(statement)).all()

    async def history_of_ba(self, ba_id: int) -> Sequence[Task]:
        statement = select(Task).where(Task.ba_id == ba_id).order_by(col(Task.id))
        return (await self.session.exec(statement)).all()

    async def open_for_roles(
        self, roles: Iterable[str], *, staff_ids: Iterable[int] = (), limit: int = 200
    ) -> Sequence[Task]:
        """Open tasks of these roles that are unclaimed or claimed by one of ``staff_ids``."""
        wanted = sorted(set(roles))
        if not wanted:
            return []
        mine = sorted(set(staff_ids))
        statement = (
            select(Task)
            .where(col(Task.is_open), col(Task.role).in_(wanted))
            .where(or_(col(Task.assignee_id).is_(None), col(Task.assignee_id).in_(mine)))
            .order_by(col(Task.due_at).asc().nulls_last(), col(Task.id))
            .limit(limit)
        )
        return (await self.session.exec(statement)).all()

    async def open_assigned_to(self, staff_id: int) -> Sequence[Task]:
        statement = select(Task).where(col(Task.is_open), Task.assignee_id == staff_id)
        return (await self.session.exec(statement.order_by(col(Task.id)))).all()

    async def open_at_step(self, step: str, *, limit: int = 1000) -> Sequence[Task]:
        statement = select(Task).where(col(Task.is_open), Task.step == step).order_by(col(Task.id))
        return (await self.session.exec(statement.limit(limit))).all()

    async def open_tasks(self, task_ids: Sequence[int]) -> Sequence[Task]:
        statement = select(Task).where(col(Task.id).in_(list(task_ids)), col(Task.is_open))
        return (await self.session.exec(statement.order_by(col(Task.id)))).all()

    async def overdue(self, now: datetime, *, limit: int = 1000) -> Sequence[Task]:
        statement = (
            select(Task)
            .where(col(Task.is_open), col(Task.due_at) < now, col(Task.paused_at).is_(None))
            .order_by(col(Task.due_at))
            .limit(limit)
        )
        return (await self.session.exec(statement)).all()

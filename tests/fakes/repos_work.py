"""In-memory twins of storage/repos/{staff,cases,tasks}.py: same methods, same answers.

Each method says in Python what its SQL says; tests/contract_repos runs the same tests
over these and over SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from storage.repos.cases import CaseRepository
from storage.repos.staff import StaffRepository
from storage.repos.tasks import TaskRepository
from storage.tables import (
    CASE_OPEN,
    BeritaAcara,
    BeritaAcaraItem,
    Case,
    RegistrationEntry,
    Staff,
    StaffRole,
    Task,
)
from tests.fakes.schema import Row, info_of
from tests.fakes.store import Tx
from tests.fakes.unfaked import NotFaked

_STAFF = info_of(Staff)
_ROLE = info_of(StaffRole)
_CASE = info_of(Case)
_BA = info_of(BeritaAcara)
_ITEM = info_of(BeritaAcaraItem)
_TASK = info_of(Task)


_EARLIEST = datetime.min.replace(tzinfo=UTC)


def _lt(value: datetime | None, bound: datetime) -> bool:
    """SQL's ``value < bound``: NULL never matches."""
    return value is not None and value < bound


class FakeStaffRepository(NotFaked):
    real = StaffRepository

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def add(self, staff: Staff, roles: Iterable[str]) -> Staff:
        self.tx.add(staff)
        self.tx.flush()
        assert staff.id is not None
        await self.set_roles(staff.id, roles)
        return staff

    async def set_roles(self, staff_id: int, roles: Iterable[str]) -> None:
        for row in self.tx.rows(_ROLE):
            if row["staff_id"] == staff_id:
                self.tx.delete(_ROLE, _ROLE.key_of(row))
        for role in sorted(set(roles)):
            self.tx.add(StaffRole(staff_id=staff_id, role=role))
        self.tx.flush()

    async def get(self, staff_id: int) -> Staff | None:
        return self.tx.get(Staff, staff_id)

    def _first(self, column: str, value: object) -> Staff | None:
        found = self.tx.select(Staff, lambda r: r[column] == value, limit=1)
        return found[0] if found else None

    async def by_nip(self, nip: str) -> Staff | None:
        return self._first("nip", nip)

    async def by_telegram(self, telegram_id: int) -> Staff | None:
        return self._first("telegram_id", telegram_id)

    async def by_whatsapp(self, phone: str) -> Staff | None:
        return self._first("whatsapp", phone)

    async def all(self) -> Sequence[Staff]:
        return self.tx.select(Staff)

    async def count(self) -> int:
        return len(self.tx.rows(_STAFF))

    async def roles_of(self, staff_id: int) -> frozenset[str]:
        return (await self.roles_for([staff_id])).get(staff_id, frozenset())

    async def roles_for(self, staff_ids: Iterable[int]) -> dict[int, frozenset[str]]:
        ids = set(staff_ids)
        found: dict[int, set[str]] = defaultdict(set)
        for row in self.tx.rows(_ROLE):
            if row["staff_id"] in ids:
                found[row["staff_id"]].add(row["role"])
        return {k: frozenset(v) for k, v in found.items()}

    def _roles(self) -> dict[int, set[str]]:
        roles: dict[int, set[str]] = defaultdict(set)
        for row in self.tx.rows(_ROLE):
            roles[row["staff_id"]].add(row["role"])
        return roles

    async def holders(self, role: str) -> Sequence[Staff]:
        """Active staff holding ``role`` (on leave or not), ordered by id."""
        roles = self._roles()
        return self.tx.select(Staff, lambda r: r["active"] and role in roles[r["id"]])

    async def acting_roles(
        self, staff_id: int
    ) -> tuple[frozenset[str], list[tuple[str, frozenset[str]]]]:
        roles = self._roles()
        own = frozenset(roles[staff_id]) if self.tx.row(_STAFF, (staff_id,)) else frozenset()
        absent = [
            (row["nip"], frozenset(roles[row["id"]]))
            for row in self.tx.rows(_STAFF)
            if row["id"] != staff_id
            and row["delegate_id"] == staff_id
            and row["on_leave"]
            and row["active"]
        ]
        return own, absent

    async def absent_delegating_to(self, delegate_id: int) -> Sequence[Staff]:
        return self.tx.select(
            Staff, lambda r: r["delegate_id"] == delegate_id and r["on_leave"] and r["active"]
        )


class FakeCaseRepository(NotFaked):
    real = CaseRepository

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def add(self, case: Case) -> Case:
        self.tx.add(case)
        self.tx.flush()
        return case

    async def get(self, case_id: int) -> Case | None:
        return self.tx.get(Case, case_id)

    async def by_number(self, number: str) -> Case | None:
        found = self.tx.select(Case, lambda r: r["number"] == number, limit=1)
        return found[0] if found else None

    async def by_status_code(self, code: str) -> Case | None:
        found = self.tx.select(Case, lambda r: r["status_code"] == code, limit=1)
        return found[0] if found else None

    async def many(self, case_ids: Sequence[int]) -> Sequence[Case]:
        wanted = set(case_ids)
        return self.tx.select(Case, lambda r: r["id"] in wanted)

    def _compare_and_set(self, entity: Case | BeritaAcara, values: dict[str, Any]) -> bool:
        info = info_of(type(entity))
        row = self.tx.row(info, (entity.id,))
        if row is None or row["version"] != entity.version:
            return False
        written = {"version": entity.version + 1, **values}
        self.tx.update(info, (entity.id,), written)
        self.tx.written(entity, **written)
        return True

    async def compare_and_set(self, case: Case, **values: Any) -> bool:
        """Write ``values`` only if the row is still at ``case.version``; bump the version."""
        return self._compare_and_set(case, values)

    async def set_fields(self, case: Case, **values: Any) -> None:
        self.tx.update(_CASE, (case.id,), values)
        self.tx.written(case, **values)

    async def search(
        self,
        *,
        number: str | None = None,
        nik: str | None = None,
        phone: str | None = None,
        limit: int = 20,
    ) -> Sequence[Case]:
        clauses = [(c, v) for c, v in (("number", number), ("nik", nik), ("wa_number", phone)) if v]
        if not clauses:
            return []
        return self.tx.select(
            Case,
            lambda r: any(r[c] == v for c, v in clauses),
            descending=True,
            limit=limit,
        )

    async def listing(
        self,
        *,
        status: str | None = None,
        step: str | None = None,
        overdue_at: datetime | None = None,
        limit: int = 200,
    ) -> Sequence[Case]:
        late: set[int] | None = None
        if overdue_at is not None:
            tasks = [t for t in self.tx.rows(_TASK) if t["is_open"]]
            late = {
                t["case_id"]
                for t in tasks
                if _lt(t["due_at"], overdue_at) and t["paused_at"] is None
            }
            late_bas = {t["ba_id"] for t in tasks if _lt(t["due_at"], overdue_at)}
            late |= {i["case_id"] for i in self.tx.rows(_ITEM) if i["ba_id"] in late_bas}

        def wanted(r: Row) -> bool:
            if status and r["status"] != status:
                return False
            if step and r["step"] != step:
                return False
            return late is None or (r["status"] == CASE_OPEN and r["id"] in late)

        return self.tx.select(Case, wanted, descending=True, limit=limit)

    async def open_for_phone(self, phone: str) -> Sequence[Case]:
        return self.tx.select(
            Case,
            lambda r: r["wa_number"] == phone and r["status"] == CASE_OPEN,
            descending=True,
        )

    # -- registration book (SOP step 6) --------------------------------------

    async def registration_of(self, case_id: int) -> RegistrationEntry | None:
        found = self.tx.select(RegistrationEntry, lambda r: r["case_id"] == case_id, limit=1)
        return found[0] if found else None

    async def add_registration(self, entry: RegistrationEntry) -> RegistrationEntry:
        self.tx.add(entry)
        self.tx.flush()
        return entry

    # -- Berita Acara batches -------------------------------------------------

    async def add_ba(self, ba: BeritaAcara, case_ids: Sequence[int]) -> BeritaAcara:
        self.tx.add(ba)
        self.tx.flush()
        assert ba.id is not None
        for case_id in case_ids:
            self.tx.add(BeritaAcaraItem(ba_id=ba.id, case_id=case_id))
        self.tx.flush()
        return ba

    async def get_ba(self, ba_id: int) -> BeritaAcara | None:
        return self.tx.get(BeritaAcara, ba_id)

    async def ba_by_number(self, number: str) -> BeritaAcara | None:
        found = self.tx.select(BeritaAcara, lambda r: r["number"] == number, limit=1)
        return found[0] if found else None

    async def ba_cases(self, ba_id: int) -> Sequence[Case]:
        members = {i["case_id"] for i in self.tx.rows(_ITEM) if i["ba_id"] == ba_id}
        return self.tx.select(Case, lambda r: r["id"] in members)

    async def ba_compare_and_set(self, ba: BeritaAcara, **values: Any) -> bool:
        return self._compare_and_set(ba, values)

    async def bas(self, *, status: str | None = None, limit: int = 100) -> Sequence[BeritaAcara]:
        return self.tx.select(
            BeritaAcara,
            lambda r: not status or r["status"] == status,
            descending=True,
            limit=limit,
        )


class FakeTaskRepository(NotFaked):
    real = TaskRepository

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def add(self, task: Task) -> Task:
        """Inserted at once, without flushing what else the transaction staged; like the
        real one (an INSERT, then the object attached), a rollback expires it."""
        self.tx.insert(task, pending_insert=False)
        return task

    async def add_all(self, tasks: Sequence[Task]) -> Sequence[Task]:
        for task in tasks:
            self.tx.add(task)
        self.tx.flush()
        return tasks

    async def get(self, task_id: int) -> Task | None:
        return self.tx.get(Task, task_id)

    def _one(self, column: str, value: object) -> Task | None:
        found = self.tx.select(Task, lambda r: r[column] == value and r["is_open"], limit=1)
        return found[0] if found else None

    async def open_for_case(self, case_id: int) -> Task | None:
        return self._one("case_id", case_id)

    async def open_for_cases(self, case_ids: Sequence[int]) -> dict[int, Task]:
        wanted = set(case_ids)
        found = self.tx.select(Task, lambda r: r["case_id"] in wanted and r["is_open"])
        return {t.case_id: t for t in found if t.case_id}

    async def open_for_ba(self, ba_id: int) -> Task | None:
        return self._one("ba_id", ba_id)

    async def last_for_case(self, case_id: int) -> Task | None:
        found = self.tx.select(Task, lambda r: r["case_id"] == case_id, descending=True, limit=1)
        return found[0] if found else None

    async def close(self, task: Task, *, or_held_by: int | None = None, **values: Any) -> bool:
        """Close the task if it is still open and still held as it was read (or now held
        by ``or_held_by``)."""
        row = self.tx.row(_TASK, (task.id,))
        if row is None or not row["is_open"]:
            return False
        holder = row["assignee_id"]
        if holder != task.assignee_id and (or_held_by is None or holder != or_held_by):
            return False
        written = {"is_open": False, "next_escalation_at": None, **values}
        self.tx.update(_TASK, (task.id,), written)
        self.tx.written(task, **written)
        return True

    async def claim(self, task_id: int, staff_id: int) -> bool:
        """Make ``staff_id`` the assignee of an open, unassigned task (compare-and-set)."""
        row = self.tx.row(_TASK, (task_id,))
        if row is None or not row["is_open"] or row["assignee_id"] is not None:
            return False
        self.tx.update(_TASK, (task_id,), {"assignee_id": staff_id})
        loaded = self.tx.tracked(Task, task_id)
        if loaded is not None:  # the caller's object shows the new assignee
            self.tx.written(loaded, assignee_id=staff_id)
        return True

    async def set_fields(self, task: Task, **values: Any) -> None:
        self.tx.update(_TASK, (task.id,), values)
        self.tx.written(task, **values)

    async def history_of_case(self, case_id: int) -> Sequence[Task]:
        return self.tx.select(Task, lambda r: r["case_id"] == case_id)

    async def history_of_ba(self, ba_id: int) -> Sequence[Task]:
        return self.tx.select(Task, lambda r: r["ba_id"] == ba_id)

    async def open_for_roles(
        self, roles: Iterable[str], *, staff_ids: Iterable[int] = (), limit: int = 200
    ) -> Sequence[Task]:
        """Open tasks of these roles that are unclaimed or claimed by one of ``staff_ids``."""
        wanted, mine = set(roles), set(staff_ids)
        if not wanted:
            return []
        return self.tx.select(
            Task,
            lambda r: (
                r["is_open"]
                and r["role"] in wanted
                and (r["assignee_id"] is None or r["assignee_id"] in mine)
            ),
            # due_at ascending, NULLs last, then id
            order=lambda r: (r["due_at"] is None, r["due_at"] or _EARLIEST, r["id"]),
            limit=limit,
        )

    async def open_assigned_to(self, staff_id: int) -> Sequence[Task]:
        return self.tx.select(Task, lambda r: r["is_open"] and r["assignee_id"] == staff_id)

    async def open_at_step(self, step: str, *, limit: int = 1000) -> Sequence[Task]:
        return self.tx.select(Task, lambda r: r["is_open"] and r["step"] == step, limit=limit)

    async def open_tasks(self, task_ids: Sequence[int]) -> Sequence[Task]:
        wanted = set(task_ids)
        return self.tx.select(Task, lambda r: r["id"] in wanted and r["is_open"])

    async def overdue(self, now: datetime, *, limit: int = 1000) -> Sequence[Task]:
        return self.tx.select(
            Task,
            lambda r: r["is_open"] and _lt(r["due_at"], now) and r["paused_at"] is None,
            order=lambda r: r["due_at"],
            limit=limit,
        )

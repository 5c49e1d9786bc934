"""A work item: what a task acts on, a case or a Berita Acara, through one interface.

The SOP moves single cases (steps 3-14) and batches of them (a Berita Acara, step 15)
the same way: a task at a step, the engine's decision on the item's state, one
transaction that closes the task, moves the item with a compare-and-set and opens the
next task. A Berita Acara carries its cases: they move with it, each with its own
compare-and-set and audit event. Everything that differs between the two lives here,
in :class:`CaseItem` and :class:`BaItem`; the use cases only see :class:`WorkItem`
(finding the item a task, a reference or a task id names: :mod:`staffbot.services.locate`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from functools import partial
from typing import ClassVar, Protocol

from flows.engine import CaseState, Transition
from flows.errors import AlreadyDone, CaseClosed, StaffbotError
from flows.model import Step
from staffbot.cards import CaseFacts, Happened, ba_card, case_card
from staffbot.errors import ConcurrencyConflict, ManualCheckPending, ValidationError
from staffbot.messages import Choice, OutgoingMessage
from staffbot.services.context import Office
from staffbot.timefmt import short_time
from storage.repos.privacy import PrivacyRepository
from storage.tables import (
    BA_OPEN,
    BA_REJECTED,
    BA_SIGNED,
    CASE_CLOSED,
    CASE_OPEN,
    AuditEvent,
    BeritaAcara,
    Case,
    Document,
    Task,
)
from storage.uow import UnitOfWork


class CardMaker(Protocol):
    """Renders an item's card for one person: their buttons, in their language."""

    def __call__(self, *, choices: Sequence[Choice], lang: str) -> OutgoingMessage: ...


@dataclass(frozen=True)
class Ids:
    """How rows that belong to a work item name it (task, audit, outbox, document)."""

    case_id: int | None = None
    ba_id: int | None = None


class WorkItem(ABC):
    """A case, or a Berita Acara carrying cases."""

    #: Read once: a rolled-back transaction expires the rows.
    number: str
    #: A Berita Acara (a batch of cases), not a single case.
    is_batch: ClassVar[bool] = False
    #: The case, when the item is one; the Berita Acara, when it is one (effects that
    #: only make sense for one kind read these and refuse the other).
    case: Case | None = None
    ba: BeritaAcara | None = None

    @property
    @abstractmethod
    def row(self) -> Case | BeritaAcara:
        """The item's own row: its number, status, step, kecamatan, version, times."""

    @property
    @abstractmethod
    def layanan(self) -> str:
        """The service asked for, as lists show it ("Berita Acara" for a batch)."""

    @property
    @abstractmethod
    def ids(self) -> Ids: ...

    @property
    @abstractmethod
    def closed(self) -> bool: ...

    @property
    @abstractmethod
    def cases(self) -> Sequence[Case]:
        """The cases the item stands for: itself, or those the Berita Acara carries."""

    @property
    @abstractmethod
    def carried(self) -> Sequence[Case]:
        """The cases that move with the item besides its own row (none for a case)."""

    def carried_ids(self, case: Case) -> Ids:
        """How a carried case's own rows (its audit event) name it and its carrier."""
        return Ids(case_id=case.id, ba_id=self.ids.ba_id)

    def state(self, step: str, assignee: str | None) -> CaseState:
        """The engine's view of the item at ``step`` (the step of the task as read)."""
        return CaseState(self.number, step, self.closed, assignee)

    def refuse_while_manual_check(self) -> None:
        """A signing with an unknown outcome blocks the item until a person checked it."""
        for case in self.cases:
            if case.needs_manual_check:
                raise ManualCheckPending(case=case.number)

    @property
    def stamp(self) -> tuple[int, ...]:
        """The versions of every row a transition of the item writes: equal stamps, read
        in two transactions, mean nothing moved the item in between."""
        return (self.version, *(c.version for c in self.carried))

    @property
    def version(self) -> int:
        """The version of the item's own row (optimistic locking)."""
        return self.row.version

    def owns(self, document: Document) -> bool:
        ids = self.ids
        return (document.case_id, document.ba_id) == (ids.case_id, ids.ba_id)

    @abstractmethod
    async def documents(self, uow: UnitOfWork, kind: str | None = None) -> Sequence[Document]:
        """The item's documents (of ``kind``), oldest first."""

    @abstractmethod
    async def audit_events(self, uow: UnitOfWork) -> Sequence[AuditEvent]: ...

    @abstractmethod
    async def open_task(self, uow: UnitOfWork) -> Task | None: ...

    @abstractmethod
    async def history(self, uow: UnitOfWork) -> Sequence[Task]:
        """The item's tasks, oldest first."""

    async def last_task(self, uow: UnitOfWork) -> Task | None:
        history = await self.history(uow)
        return history[-1] if history else None

    async def carrier(self, uow: UnitOfWork) -> WorkItem | None:
        """The Berita Acara the item was put in last (none for a batch itself)."""
        return None

    async def at_work(self, uow: UnitOfWork) -> tuple[WorkItem, Task | None]:
        """The item whose open task is worked on for this one, and that task: a case in
        a Berita Acara waiting for its signature is worked on through the Berita Acara."""
        task = await self.open_task(uow)
        batch = await self.carrier(uow) if task is None else None
        found = await batch.open_task(uow) if batch is not None else None
        return (batch, found) if batch is not None and found is not None else (self, task)

    @abstractmethod
    async def reached(self, uow: UnitOfWork, staff_id: int, roles: frozenset[str]) -> bool:
        """The item came this person's way (the rule: staffbot.services.access)."""

    async def finished(self, uow: UnitOfWork, office: Office) -> StaffbotError:
        """Why nothing can be done on an item without an open task: who did the last one."""
        last = await self.last_task(uow)
        if last is None:
            return ValidationError(field="case", problem="unknown", value=self.number)
        return await already_done(uow, office, last)

    @abstractmethod
    async def move(self, uow: UnitOfWork, office: Office, transition: Transition) -> None:
        """Write the transition on the item's row and its carried cases (compare-and-set
        each: ConcurrencyConflict when one changed since it was read)."""

    @abstractmethod
    def next_items(self, office: Office, to_step: str) -> Sequence[WorkItem]:
        """The items that get a task at the next step ``to_step`` (after :meth:`move`)."""

    @abstractmethod
    async def card(
        self, uow: UnitOfWork, office: Office, step: Step, task: Task, last: Happened | None
    ) -> CardMaker:
        """The card of ``task`` at ``step``, ready to render per person."""

    async def flag_manual_check(self, uow: UnitOfWork) -> None:
        """A signature of this item may exist: nobody signs it before a person checked.
        The versions move too, so a signing prepared before cannot be applied."""
        for case in self.cases:
            await uow.cases.set_fields(case, needs_manual_check=True, version=case.version + 1)

    async def clear_manual_check(self, uow: UnitOfWork) -> None:
        for case in self.cases:
            await uow.cases.set_fields(case, needs_manual_check=False)


def case_values(transition: Transition, *, leave_batch: bool = False) -> dict[str, object]:
    """What a transition writes on a case's row (its own, or carried by a batch)."""
    values: dict[str, object] = {"updated_at": transition.at}
    if transition.closes_case:
        values.update(status=CASE_CLOSED, closed_at=transition.at)
    elif transition.to_step is not None:
        values["step"] = transition.to_step
    if leave_batch:
        values["ba_id"] = None
    return values


class CaseItem(WorkItem):
    def __init__(self, case: Case) -> None:
        assert case.id is not None
        self.case = self._case = case
        self.number = case.number
        self._id = case.id

    @property
    def ids(self) -> Ids:
        return Ids(case_id=self._id)

    @property
    def row(self) -> Case:
        return self._case

    @property
    def layanan(self) -> str:
        return self._case.layanan

    @property
    def closed(self) -> bool:
        return self._case.status != CASE_OPEN

    @property
    def cases(self) -> Sequence[Case]:
        return (self._case,)

    @property
    def carried(self) -> Sequence[Case]:
        return ()

    async def documents(self, uow: UnitOfWork, kind: str | None = None) -> Sequence[Document]:
        return await uow.documents.of_case(self._id, kind)

    async def audit_events(self, uow: UnitOfWork) -> Sequence[AuditEvent]:
        return await uow.audit.for_case(self._id)

    async def open_task(self, uow: UnitOfWork) -> Task | None:
        return await uow.tasks.open_for_case(self._id)

    async def history(self, uow: UnitOfWork) -> Sequence[Task]:
        return await uow.tasks.history_of_case(self._id)

    async def last_task(self, uow: UnitOfWork) -> Task | None:
        return await uow.tasks.last_for_case(self._id)

    async def carrier(self, uow: UnitOfWork) -> WorkItem | None:
        batch = self._case.ba_id
        return await load_ba(uow, batch) if batch is not None else None

    async def reached(self, uow: UnitOfWork, staff_id: int, roles: frozenset[str]) -> bool:
        return await PrivacyRepository(uow.session).case_reached(self._id, staff_id, roles)

    async def finished(self, uow: UnitOfWork, office: Office) -> StaffbotError:
        # a finished case says so (its last task is only the step that batched it)
        if self.closed:
            return CaseClosed(case=self.number)
        return await super().finished(uow, office)

    async def move(self, uow: UnitOfWork, office: Office, transition: Transition) -> None:
        if not await uow.cases.compare_and_set(self._case, **case_values(transition)):
            raise ConcurrencyConflict(what=f"case {self.number}")

    def next_items(self, office: Office, to_step: str) -> Sequence[WorkItem]:
        return (self,)

    async def card(
        self, uow: UnitOfWork, office: Office, step: Step, task: Task, last: Happened | None
    ) -> CardMaker:
        files: tuple[str, ...] = ()
        if step.lists_applicant_files:
            files = tuple(d.filename for d in await self.documents(uow, "berkas"))
        return partial(
            case_card,
            office.flow,
            step,
            CaseFacts(**{f.name: getattr(self._case, f.name) for f in fields(CaseFacts)}),
            due=task.due_at,
            paused=task.paused_at is not None,
            last=last,
            tz=office.tz,
            now=office.now(),
            files=files,
        )


class BaItem(WorkItem):
    """A Berita Acara (SOP steps 14-15): one task and one signature for all its cases."""

    def __init__(self, ba: BeritaAcara, cases: Sequence[Case]) -> None:
        assert ba.id is not None
        self.ba = self._ba = ba
        self.number = ba.number
        self._id = ba.id
        self._cases = tuple(cases)

    is_batch = True

    @property
    def ids(self) -> Ids:
        return Ids(ba_id=self._id)

    @property
    def row(self) -> BeritaAcara:
        return self._ba

    @property
    def layanan(self) -> str:
        return "Berita Acara"

    @property
    def closed(self) -> bool:
        return self._ba.status != BA_OPEN

    @property
    def cases(self) -> Sequence[Case]:
        return self._cases

    @property
    def carried(self) -> Sequence[Case]:
        return self._cases

    async def documents(self, uow: UnitOfWork, kind: str | None = None) -> Sequence[Document]:
        return await uow.documents.of_ba(self._id, kind)

    async def audit_events(self, uow: UnitOfWork) -> Sequence[AuditEvent]:
        return await uow.audit.for_ba(self._id)

    async def open_task(self, uow: UnitOfWork) -> Task | None:
        return await uow.tasks.open_for_ba(self._id)

    async def history(self, uow: UnitOfWork) -> Sequence[Task]:
        return await uow.tasks.history_of_ba(self._id)

    async def reached(self, uow: UnitOfWork, staff_id: int, roles: frozenset[str]) -> bool:
        return await PrivacyRepository(uow.session).ba_reached(self._id, staff_id, roles)

    async def move(self, uow: UnitOfWork, office: Office, transition: Transition) -> None:
        """An action on a Berita Acara moves every case in it together; sent back to the
        collecting step, the Berita Acara is done and its cases wait for a new one."""
        to = transition.to_step
        back = to is not None and office.flow.step(to).collects_batch
        if transition.closes_case:
            values: dict[str, object] = {"status": BA_SIGNED, "closed_at": transition.at}
        elif back:
            values = {"status": BA_REJECTED, "closed_at": transition.at}
        else:
            values = {"step": transition.to_step}
        if not await uow.cases.ba_compare_and_set(self._ba, **values):
            raise ConcurrencyConflict(what=f"BA {self.number}")
        for case in self._cases:
            moved = case_values(transition, leave_batch=back)
            if not await uow.cases.compare_and_set(case, **moved):
                raise ConcurrencyConflict(what=f"case {case.number}")

    def next_items(self, office: Office, to_step: str) -> Sequence[WorkItem]:
        if office.flow.step(to_step).collects_batch:
            return tuple(CaseItem(c) for c in self._cases)
        return (self,)

    async def card(
        self, uow: UnitOfWork, office: Office, step: Step, task: Task, last: Happened | None
    ) -> CardMaker:
        return partial(
            ba_card,
            step,
            number=self.number,
            kecamatan=self._ba.kecamatan,
            case_numbers=[c.number for c in self._cases],
            due=task.due_at,
            last=last,
            tz=office.tz,
            now=office.now(),
        )


async def load_ba(uow: UnitOfWork, ba_id: int) -> BaItem:
    ba = await uow.cases.get_ba(ba_id)
    assert ba is not None
    return BaItem(ba, await uow.cases.ba_cases(ba_id))


async def already_done(uow: UnitOfWork, office: Office, task: Task) -> AlreadyDone:
    """The polite refusal for a press on a task somebody already finished."""
    actor = await uow.staff.get(task.actor_id) if task.actor_id is not None else None
    at: datetime = task.done_at or office.now()
    who = actor.name if actor is not None else "?"
    return AlreadyDone(actor=who, at=short_time(at, office.tz, office.now(), office.language))

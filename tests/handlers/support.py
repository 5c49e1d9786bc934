"""What the handler tests share: the demo roster in the fake, and a case driven through
the SOP by the holder of each step, one command at a time through the bus."""

from __future__ import annotations

import functools
from datetime import datetime

from staffbot.app.bus import MessageBus
from staffbot.app.commands.cases import (
    Act,
    ActResult,
    IntakeForm,
    IntakeResult,
    MakeBa,
    RecordCase,
    Sign,
    SignOutcome,
    Who,
)
from staffbot.services.actors import hash_pin
from staffbot.services.staff import DEMO_ROSTER
from storage.tables import Staff
from tests.fakes import FakeDatabase
from tests.support import FORM, HAPPY, PIN, ROSTER

NAMES = {role: name for role, name, _nip, _sup in DEMO_ROSTER}


@functools.cache
def _pin_hash() -> str:
    return hash_pin(PIN)  # once per session (with conftest's cheap_pin_hashing cost)


async def seed_roster(db: FakeDatabase, at: datetime) -> None:
    """The demo roster (staffbot.services.staff.DEMO_ROSTER), written straight into the
    fake: one holder per role, supervisors set, the Kepala Dinas with the demo PIN."""
    async with db.uow() as uow:
        ids: dict[str, int] = {}
        for role, name, nip, supervisor in DEMO_ROSTER:
            staff = Staff(
                nip=nip,
                name=name,
                supervisor_id=ids[supervisor] if supervisor else None,
                pin_hash=_pin_hash() if role == "kepala_dinas" else None,
                created_at=at,
            )
            await uow.staff.add(staff, [role])
            assert staff.id is not None
            ids[nip] = staff.id
        await uow.commit()


async def add_colleague(db: FakeDatabase, name: str, nip: str, role: str, at: datetime) -> None:
    """A second holder of a role."""
    async with db.uow() as uow:
        await uow.staff.add(Staff(nip=nip, name=name, created_at=at), [role])
        await uow.commit()


def who(role: str) -> Who:
    return Who(nip=ROSTER[role])


async def record(bus: MessageBus, form: IntakeForm = FORM) -> IntakeResult:
    return await bus.handle(RecordCase(who=who("petugas_call_center"), form=form))


async def step_of(bus: MessageBus, number: str) -> str:
    async with bus.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None
        return case.step


async def open_task_id(bus: MessageBus, number: str) -> int:
    """The open task of a case, or of the Berita Acara the case waits in."""
    async with bus.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        task = await uow.tasks.open_for_case(case.id)
        if task is None and case.ba_id is not None:
            task = await uow.tasks.open_for_ba(case.ba_id)
        assert task is not None and task.id is not None
        return task.id


async def attach(bus: MessageBus, number: str) -> int:
    """The result document of step 8: the standard letter, made by its generator."""
    async with bus.db.uow() as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        task = await uow.tasks.open_for_case(case.id)
        assert task is not None
        document_id = await bus.office.generators["surat_tanggapan"](uow, bus.office, task)
        await uow.commit()
    return document_id


async def sign(
    bus: MessageBus, *task_ids: int, pin: str = PIN, role: str = "kepala_dinas"
) -> list[SignOutcome]:
    return await bus.handle(Sign(who=who(role), task_ids=task_ids, secret=pin))


async def act(
    bus: MessageBus,
    number: str,
    action: str,
    *,
    role: str | None = None,
    note: str | None = None,
) -> ActResult:
    """``action`` on the case's open task by the holder of its step (or ``role``)."""
    step = bus.office.flow.step(await step_of(bus, number))
    role = role or step.role
    if action == "sign":
        [outcome] = await sign(bus, await open_task_id(bus, number), role=role)
        if outcome.error is not None:
            raise outcome.error
        assert outcome.result is not None
        return outcome.result
    attachment = await attach(bus, number) if action == "submit_tte" else None
    return await bus.handle(
        Act(who=who(role), action=action, ref=number, note=note, attachment_id=attachment)
    )


async def advance_to(bus: MessageBus, number: str, target: str) -> None:
    while (step := await step_of(bus, number)) != target:
        await act(bus, number, HAPPY[step])


async def make_ba(bus: MessageBus, *numbers: str) -> list[ActResult]:
    return await bus.handle(MakeBa(who=who("kasi_inovasi"), refs=numbers))

"""Handler tier: presses that must not go through (wrong role, second press, a task a
colleague claimed, a wrong PIN) are refused politely and change nothing, except the
count of wrong PINs that locks signing after five."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from flows.errors import AlreadyDone, AssignedToOther, NotYourRole, StaffbotError
from staffbot.app.bus import MessageBus
from staffbot.app.commands.cases import Act, Claim, Who
from staffbot.clock import FixedClock
from staffbot.errors import PinLocked, PinWrong
from staffbot.texts import error_text
from tests.fakes import FakeDatabase
from tests.handlers.support import (
    NAMES,
    PIN,
    ROSTER,
    add_colleague,
    advance_to,
    open_task_id,
    record,
    sign,
    step_of,
    who,
)
from tests.support import differences

ANDI = NAMES["operator_penerima_wa"]
LINA = Who(nip="199512122020122013")
LINA_NAME = "Lina Marlina"
WRONG_PIN = "654321"


def forward(by: Who, number: str | None = None, task_id: int | None = None) -> Act:
    return Act(who=by, action="forward", ref=number, task_id=task_id)


async def test_a_wrong_role_is_refused_and_nothing_is_written(
    bus: MessageBus, fake_db: FakeDatabase
) -> None:
    number = (await record(bus)).number
    before = fake_db.snapshot()
    with pytest.raises(NotYourRole) as caught:
        await bus.handle(forward(who("operator"), number))
    assert error_text(caught.value) == (
        "Langkah 3. Operator Penerima WA menerima permohonan dan meneruskan ke Operator "
        "Pengangkat Data adalah tugas Operator Penerima WA; Yusuf Hidayat tidak memegang "
        "peran tersebut."
    )
    assert differences(before, fake_db.snapshot()) == {}


async def test_the_second_press_is_told_who_acted_and_writes_nothing(
    bus: MessageBus, fake_db: FakeDatabase
) -> None:
    number = (await record(bus)).number
    task_id = await open_task_id(bus, number)  # the task the card's buttons point at
    await bus.handle(forward(who("operator_penerima_wa"), task_id=task_id))
    before = fake_db.snapshot()
    with pytest.raises(AlreadyDone) as caught:
        await bus.handle(forward(who("operator_penerima_wa"), task_id=task_id))
    assert caught.value.params == {"actor": ANDI, "at": "09:00"}
    assert error_text(caught.value) == f"Sudah diproses oleh {ANDI} pada 09:00."
    assert differences(before, fake_db.snapshot()) == {}
    assert await step_of(bus, number) == "angkat_data"


async def test_two_presses_at_once_make_one_transition(
    bus: MessageBus, fake_db: FakeDatabase
) -> None:
    number = (await record(bus)).number
    task_id = await open_task_id(bus, number)
    press = forward(who("operator_penerima_wa"), task_id=task_id)
    outcomes = await asyncio.gather(bus.handle(press), bus.handle(press), return_exceptions=True)
    assert sorted(type(o).__name__ for o in outcomes) == ["ActResult", "AlreadyDone"]
    async with fake_db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        moves = [e for e in await uow.audit.for_case(case.id) if e.action == "forward"]
        assert len(await uow.tasks.history_of_case(case.id)) == 4
    assert len(moves) == 1 and case.step == "angkat_data" and case.version == 4


async def test_a_claimed_task_is_refused_to_a_colleague(
    bus: MessageBus, fake_db: FakeDatabase
) -> None:
    await add_colleague(
        fake_db, LINA_NAME, LINA.nip or "", "operator_penerima_wa", bus.office.now()
    )
    number = (await record(bus)).number  # its card goes to Andi and to Lina
    claimed = await bus.handle(Claim(who=LINA, ref=number))
    assert (claimed.number, claimed.step, claimed.claimer, claimed.changed, claimed.told) == (
        number,
        "terima_wa",
        LINA_NAME,
        True,
        (ANDI,),
    )
    before = fake_db.snapshot()
    with pytest.raises(StaffbotError) as caught:
        await bus.handle(Claim(who=who("operator_penerima_wa"), ref=number))
    assert caught.value.code == "already_claimed"
    assert error_text(caught.value) == f"Tugas ini sudah diambil oleh {LINA_NAME} pada 09:00."
    with pytest.raises(AssignedToOther) as refused:
        await bus.handle(forward(who("operator_penerima_wa"), number))
    assert refused.value.params == {"assignee": LINA_NAME}
    again = await bus.handle(Claim(who=LINA, ref=number))  # a repeated /ambil: no change
    assert (again.changed, again.claimer) == (False, LINA_NAME)
    assert differences(before, fake_db.snapshot()) == {}

    moved = await bus.handle(forward(LINA, number))
    assert (moved.actor, moved.to_step) == (LINA_NAME, "angkat_data")
    async with fake_db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        [event] = [e for e in await uow.audit.for_case(case.id) if e.kind == "claim"]
        edits = [o for o in await uow.outbox.for_case(case.id) if o.kind == "edit"]
    assert (event.actor, event.data) == (LINA_NAME, {"told": [ANDI]})
    # Andi's card said who took the task; after the press both cards show the outcome
    assert any(f"Diambil oleh {LINA_NAME}" in o.payload["text"] for o in edits)


async def _at_signing(bus: MessageBus, count: int = 1) -> list[int]:
    """Cases waiting for the Kepala Dinas's signature (step 9): their open task ids."""
    task_ids = []
    for _ in range(count):
        number = (await record(bus)).number
        await advance_to(bus, number, "ttd_kadis")
        task_ids.append(await open_task_id(bus, number))
    return task_ids


async def _kadis(fake_db: FakeDatabase) -> tuple[int, object]:
    async with fake_db.uow(readonly=True) as uow:
        kadis = await uow.staff.by_nip(ROSTER["kepala_dinas"])
    assert kadis is not None
    return kadis.pin_failures, kadis.pin_locked_until


async def test_a_wrong_pin_is_counted_and_nothing_is_signed(
    bus: MessageBus, fake_db: FakeDatabase
) -> None:
    first, second = await _at_signing(bus, 2)
    before = fake_db.snapshot()
    outcomes = await sign(bus, first, second, pin=WRONG_PIN)
    # the batch stops at the wrong PIN: the next one would be counted as wrong too
    assert [(o.task_id, type(o.error), o.result) for o in outcomes] == [(first, PinWrong, None)]
    assert outcomes[0].error is not None
    assert error_text(outcomes[0].error) == "PIN salah. Sisa percobaan: 4."
    # the one change: the signer's failure count
    changed = differences(before, fake_db.snapshot())
    [(kadis_before, kadis_after)] = changed.pop("staff")
    assert changed == {}
    assert kadis_after == {**kadis_before, "pin_failures": 1}

    signed = await sign(bus, first, second)  # the right PIN signs both, each on its own
    assert [(o.task_id, o.error) for o in signed] == [(first, None), (second, None)]
    assert [o.result.to_step for o in signed if o.result] == ["cetak_dokumen"] * 2
    assert (await _kadis(fake_db))[0] == 0  # a right PIN forgives the wrong one


async def test_five_wrong_pins_lock_signing_until_the_lock_runs_out(
    bus: MessageBus, fake_db: FakeDatabase, clock: FixedClock
) -> None:
    [task_id] = await _at_signing(bus)
    errors = []
    for _ in range(5):
        [outcome] = await sign(bus, task_id, pin=WRONG_PIN)
        errors.append(outcome.error)
    assert [e.params.get("left") for e in errors[:4] if isinstance(e, PinWrong)] == [4, 3, 2, 1]
    assert isinstance(errors[4], PinLocked) and errors[4].params == {"until": "09.30"}
    failures, locked_until = await _kadis(fake_db)
    assert (failures, locked_until) == (0, clock.now() + timedelta(minutes=30))
    async with fake_db.uow(readonly=True) as uow:
        [lock] = [e async for e in uow.audit.stream() if e.kind == "pin_locked"]
        kabid = await uow.staff.by_nip(ROSTER["kepala_bidang"])
        assert kabid is not None
        alerts = await uow.outbox.for_chat("web", str(kabid.id))
    assert (lock.actor, lock.data) == (NAMES["kepala_dinas"], {"minutes": 30})
    # the head of the office has no supervisor: who reports to him hears of it at once
    assert [a.kind for a in alerts if "dikunci" in a.payload["text"]] == ["text"]

    before = fake_db.snapshot()
    [locked] = await sign(bus, task_id)  # while locked the right PIN is refused too
    assert isinstance(locked.error, PinLocked)
    assert differences(before, fake_db.snapshot()) == {}

    clock.advance(timedelta(minutes=31))
    [outcome] = await sign(bus, task_id, pin=PIN)
    assert outcome.error is None and outcome.result is not None
    assert outcome.result.to_step == "cetak_dokumen"

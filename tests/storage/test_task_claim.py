"""A task's assignee as a compare-and-set, on SQLite and PostgreSQL: a claim takes an
open, unassigned task; a close lands only on the holder the closer read."""

from __future__ import annotations

import asyncio

from storage.db import Database
from storage.tables import Staff, Task
from tests.conftest import START
from tests.storage.support import stored_case


async def _people(db: Database, count: int) -> list[int]:
    ids = []
    async with db.uow() as uow:
        for i in range(count):
            person = Staff(nip=f"19900101201503200{i}", name=f"Staf {i}", created_at=START)
            await uow.staff.add(person, ["operator_penerima_wa"])
            assert person.id is not None
            ids.append(person.id)
        await uow.commit()
    return ids


async def _open_task(db: Database) -> Task:
    case = await stored_case(db)
    async with db.uow() as uow:
        task = await uow.tasks.add(
            Task(case_id=case.id, step="terima_wa", role="operator_penerima_wa", created_at=START)
        )
        await uow.commit()
    return task


async def _read(db: Database, task_id: int) -> Task:
    async with db.uow(readonly=True) as uow:
        task = await uow.tasks.get(task_id)
    assert task is not None
    return task


async def test_a_claim_takes_only_an_open_unassigned_task(db: Database) -> None:
    lina, andi = await _people(db, 2)
    task = await _open_task(db)
    assert task.id is not None
    async with db.uow() as uow:
        loaded = await uow.tasks.get(task.id)
        assert await uow.tasks.claim(task.id, lina)
        assert loaded is not None and loaded.assignee_id == lina  # the loaded row follows
        await uow.commit()
    async with db.uow() as uow:
        assert not await uow.tasks.claim(task.id, andi)
        assert not await uow.tasks.claim(task.id, lina)  # held already, even by her
        await uow.commit()
    assert (await _read(db, task.id)).assignee_id == lina
    async with db.uow() as uow:
        held = await uow.tasks.get(task.id)
        assert held is not None and await uow.tasks.close(held, done_at=START, actor_id=lina)
        await uow.commit()
    async with db.uow() as uow:
        assert not await uow.tasks.claim(task.id, andi)  # closed
        await uow.commit()
    final = await _read(db, task.id)
    assert (final.is_open, final.assignee_id, final.actor_id) == (False, lina, lina)


async def test_a_close_read_before_a_claim_lands_only_for_the_claimer(db: Database) -> None:
    [lina, andi] = await _people(db, 2)
    task = await _open_task(db)
    assert task.id is not None
    as_read = await _read(db, task.id)  # unassigned when both presses read it
    async with db.uow() as uow:
        assert await uow.tasks.claim(task.id, lina)
        await uow.commit()
    async with db.uow() as uow:
        assert not await uow.tasks.close(as_read, done_at=START, actor_id=andi)
        assert not await uow.tasks.close(as_read, or_held_by=andi, done_at=START, actor_id=andi)
        await uow.commit()
    after = await _read(db, task.id)
    assert (after.is_open, after.assignee_id, after.actor_id) == (True, lina, None)
    async with db.uow() as uow:  # Lina's own claim landed after her read: her close lands
        assert await uow.tasks.close(as_read, or_held_by=lina, done_at=START, actor_id=lina)
        await uow.commit()
    final = await _read(db, task.id)
    assert (final.is_open, final.assignee_id, final.actor_id) == (False, lina, lina)


async def test_simultaneous_claims_of_one_task_have_one_winner(db: Database) -> None:
    people = await _people(db, 6)
    task = await _open_task(db)
    assert task.id is not None
    task_id = task.id

    async def claim(staff_id: int) -> bool:
        async with db.uow() as uow:
            won = await uow.tasks.claim(task_id, staff_id)
            await uow.commit()
            return won

    results = await asyncio.gather(*(claim(people[i % len(people)]) for i in range(24)))
    winners = [people[i % len(people)] for i, won in enumerate(results) if won]
    assert len(winners) == 1
    assert (await _read(db, task_id)).assignee_id == winners[0]

"""Contract: tasks on every backend: one open task per work item, close and claim as
compare-and-set on the task row, the lists the cards and the scans read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from storage.tables import BeritaAcara
from tests.conftest import START
from tests.contract_repos.support import (
    LATER,
    Backend,
    a_task,
    add_case,
    add_staff,
    add_task,
    read_task,
)


async def test_a_task_is_numbered_at_once_and_found_by_its_work_item(db: Backend) -> None:
    case_id = await add_case(db)
    async with db.uow() as uow:
        done = await uow.tasks.add(a_task(case_id, "catat", is_open=False, done_at=START))
        task = await uow.tasks.add(a_task(case_id))
        assert done.id is not None and task.id is not None and task.id > done.id
        assert await uow.tasks.get(task.id) is task
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        found = await uow.tasks.open_for_case(case_id)
        last = await uow.tasks.last_for_case(case_id)
        history = await uow.tasks.history_of_case(case_id)
        assert await uow.tasks.open_for_case(999) is None
        assert await uow.tasks.last_for_case(999) is None
    assert found is not None and found.id == task.id and found.created_at == START
    assert last is not None and last.id == task.id
    assert [t.step for t in history] == ["catat", "terima_wa"]


async def test_a_case_never_has_two_open_tasks(db: Backend) -> None:
    case_id = await add_case(db)
    await add_task(db, case_id)
    with pytest.raises(IntegrityError):
        await add_task(db, case_id, step="angkat_data")
    await add_task(db, case_id, step="catat", is_open=False)  # closed ones are many


async def test_a_berita_acara_never_has_two_open_tasks(db: Backend) -> None:
    async with db.uow() as uow:
        ba = await uow.cases.add_ba(
            BeritaAcara(
                number="BA-1", year=2026, seq=1, kecamatan="x", step="ttd_ba", created_at=START
            ),
            [],
        )
        await uow.commit()
    assert ba.id is not None
    task_id = await add_task(db, None, step="ttd_ba", ba_id=ba.id)
    with pytest.raises(IntegrityError):
        await add_task(db, None, step="ttd_ba", ba_id=ba.id)
    async with db.uow(readonly=True) as uow:
        assert (await uow.tasks.open_for_ba(ba.id)).id == task_id  # type: ignore[union-attr]
        assert [t.id for t in await uow.tasks.history_of_ba(ba.id)] == [task_id]


async def test_a_task_must_belong_to_a_stored_case(db: Backend) -> None:
    with pytest.raises(IntegrityError):
        await add_task(db, 999)


async def test_open_for_cases_maps_each_case_to_its_open_task(db: Backend) -> None:
    first, second, third = [await add_case(db, f"PO-2026-0000{i}") for i in (1, 2, 3)]
    one = await add_task(db, first)
    two = await add_task(db, second)
    await add_task(db, third, is_open=False)
    async with db.uow(readonly=True) as uow:
        found = await uow.tasks.open_for_cases([first, second, third])
        assert await uow.tasks.open_for_cases([]) == {}
    assert {k: t.id for k, t in found.items()} == {first: one, second: two}


async def test_close_lands_once(db: Backend) -> None:
    case_id = await add_case(db)
    task_id = await add_task(db, case_id, due_at=LATER, next_escalation_at=LATER)
    first, second = await read_task(db, task_id), await read_task(db, task_id)
    async with db.uow() as uow:
        assert await uow.tasks.close(first, done_at=START, action="forward", note="ok")
        assert (first.is_open, first.action, first.next_escalation_at) == (False, "forward", None)
        await uow.commit()
    async with db.uow() as uow:
        assert not await uow.tasks.close(second, done_at=LATER, action="reject")
        await uow.commit()
    final = await read_task(db, task_id)
    assert (final.is_open, final.action, final.note, final.done_at) == (
        False,
        "forward",
        "ok",
        START,
    )
    assert final.next_escalation_at is None and final.due_at == LATER


async def test_claim_takes_only_an_open_unassigned_task(db: Backend) -> None:
    lina = await add_staff(db, "199001012015032001")
    andi = await add_staff(db, "199001012015032002")
    task_id = await add_task(db, await add_case(db))
    as_read = await read_task(db, task_id)  # unassigned when both presses read it
    async with db.uow() as uow:
        loaded = await uow.tasks.get(task_id)
        assert await uow.tasks.claim(task_id, lina)
        assert loaded is not None and loaded.assignee_id == lina  # the loaded row follows
        await uow.commit()
    async with db.uow() as uow:
        assert not await uow.tasks.claim(task_id, andi)
        assert not await uow.tasks.claim(task_id, lina)  # held already, even by her
        # a press read before the claim loses, unless it is the claimer's own
        assert not await uow.tasks.close(as_read, done_at=START, actor_id=andi)
        assert not await uow.tasks.close(as_read, or_held_by=andi, done_at=START, actor_id=andi)
        assert await uow.tasks.close(as_read, or_held_by=lina, done_at=START, actor_id=lina)
        await uow.commit()
    async with db.uow() as uow:
        assert not await uow.tasks.claim(task_id, andi)  # closed
        assert not await uow.tasks.claim(999, andi)
        await uow.commit()
    final = await read_task(db, task_id)
    assert (final.is_open, final.assignee_id, final.actor_id) == (False, lina, lina)


async def test_set_fields_writes_what_it_is_given(db: Backend) -> None:
    task_id = await add_task(db, await add_case(db))
    task = await read_task(db, task_id)
    async with db.uow() as uow:
        await uow.tasks.set_fields(task, escalation_level=1, paused_at=START)
        assert task.escalation_level == 1
        await uow.commit()
    final = await read_task(db, task_id)
    assert (final.escalation_level, final.paused_at, final.is_open) == (1, START, True)


async def test_the_lists_of_open_tasks(db: Backend) -> None:
    """By role (due first, undated last), by assignee, by step, by id, overdue."""
    mine = await add_staff(db, "199001012015032001")
    theirs = await add_staff(db, "199001012015032002")
    cases = [await add_case(db, f"PO-2026-0000{i}") for i in range(1, 7)]
    undated = await add_task(db, cases[0])
    late = await add_task(db, cases[1], due_at=START)
    soon = await add_task(db, cases[2], due_at=LATER, assignee_id=mine)
    taken = await add_task(db, cases[3], due_at=START, assignee_id=theirs)
    other_role = await add_task(db, cases[4], role="kurir", step="kirim", due_at=START)
    paused = await add_task(db, cases[5], due_at=START, paused_at=START)
    await add_task(db, cases[0], step="catat", is_open=False, due_at=START)
    role = "operator_penerima_wa"
    async with db.uow(readonly=True) as uow:
        assert [t.id for t in await uow.tasks.open_for_roles([role], staff_ids=[mine])] == [
            late,
            paused,
            soon,
            undated,
        ]
        both = await uow.tasks.open_for_roles([role, "kurir"], limit=3)
        assert [t.id for t in both] == [late, other_role, paused]
        assert await uow.tasks.open_for_roles([]) == []
        assert [t.id for t in await uow.tasks.open_assigned_to(theirs)] == [taken]
        assert [t.id for t in await uow.tasks.open_at_step("kirim")] == [other_role]
        assert [t.id for t in await uow.tasks.open_at_step("terima_wa", limit=2)] == [
            undated,
            late,
        ]
        assert [t.id for t in await uow.tasks.open_tasks([taken, late, 999])] == [late, taken]
        overdue = await uow.tasks.overdue(START + timedelta(minutes=1))
    assert {t.id for t in overdue} == {late, taken, other_role}

"""Contract: what a unit of work does on every backend: commit, rollback, the objects it
hands out (one per row, changes written back, expired after a rollback), the values it
stores (aware UTC times, JSON documents)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import SQLAlchemyError

from storage.tables import Staff
from tests.conftest import START
from tests.contract_repos.support import (
    LATER,
    Backend,
    a_case,
    a_message,
    a_task,
    add_case,
    add_staff,
    read_case,
)

NIP = "199001012015032001"


async def _everything(db: Backend) -> tuple[object, ...]:
    async with db.uow(readonly=True) as uow:
        return (
            [(c.number, c.step, c.version) for c in await uow.cases.listing()],
            [(t.id, t.is_open) for t in await uow.tasks.open_for_roles(["operator_penerima_wa"])],
            await uow.audit.count(),
            [r.idempotency_key for r in await uow.outbox.listing()],
            [(d.id, d.kind) for d in await uow.documents.by_sha256("a" * 64)],
        )


async def test_leaving_without_commit_discards_every_write(db: Backend) -> None:
    case_id = await add_case(db)
    before = await _everything(db)
    async with db.uow() as uow:
        case = await uow.cases.get(case_id)
        assert case is not None
        await uow.cases.add(a_case("PO-2026-00002"))
        await uow.cases.compare_and_set(case, step="angkat_data")
        await uow.tasks.add(a_task(case_id))
        await uow.counters.next("case:2026")
        await uow.audit.append(at=START, kind="lost", actor="x")
        await uow.outbox.add_all([a_message("lost")])
        uow.outbox.stage([a_message("lost too")])
    assert await _everything(db) == before
    async with db.uow() as uow:
        assert await uow.counters.next("case:2026") == 1


async def test_after_a_rollback_the_transaction_goes_on_from_the_committed_state(
    db: Backend,
) -> None:
    """What counting a wrong PIN does: roll the press back, then write and commit."""
    case_id = await add_case(db)
    staff_id = await add_staff(db, NIP)
    async with db.uow() as uow:
        case = await uow.cases.get(case_id)
        assert case is not None and await uow.cases.compare_and_set(case, step="angkat_data")
        await uow.rollback()
        with pytest.raises(SQLAlchemyError):
            _ = case.step  # expired: reading it would need a database round trip
        fresh = await uow.staff.get(staff_id)
        assert fresh is not None
        fresh.pin_failures += 1
        uow.session.add(fresh)
        await uow.commit()
    assert (await read_case(db, case_id)).step == "terima_wa"
    async with db.uow(readonly=True) as uow:
        staff = await uow.staff.get(staff_id)
    assert staff is not None and staff.pin_failures == 1


async def test_a_loaded_object_is_one_per_row_and_its_changes_are_written(db: Backend) -> None:
    staff_id = await add_staff(db, NIP)
    async with db.uow() as uow:
        staff = await uow.staff.get(staff_id)
        assert staff is not None and await uow.staff.by_nip(NIP) is staff
        assert (await uow.staff.all())[0] is staff
        staff.pin_failures = 3  # no explicit add: the session tracks what it loaded
        staff.pin_locked_until = LATER
        await uow.commit()
        assert staff.pin_failures == 3  # not expired by the commit
    async with db.uow() as uow:
        staff = await uow.staff.get(staff_id)
        assert staff is not None
        staff.pin_failures = 0  # never committed
    async with db.uow(readonly=True) as uow:
        stored = await uow.staff.get(staff_id)
    assert stored is not None and (stored.pin_failures, stored.pin_locked_until) == (3, LATER)


async def test_a_flush_writes_changes_that_later_reads_of_the_transaction_see(
    db: Backend,
) -> None:
    first = await add_staff(db, NIP, ["operator"])
    async with db.uow() as uow:
        staff = await uow.staff.get(first)
        assert staff is not None
        staff.active = False
        uow.session.add(staff)
        await uow.session.flush()
        assert await uow.staff.holders("operator") == []
        await uow.commit()


async def test_session_add_inserts_a_new_object_and_attaches_one_read_before(
    db: Backend,
) -> None:
    staff_id = await add_staff(db, NIP)
    async with db.uow(readonly=True) as uow:
        earlier = await uow.staff.get(staff_id)  # read in another unit of work
    assert earlier is not None
    earlier.name = "Rina Marlina"
    async with db.uow() as uow:
        added = Staff(nip="199001012015032002", name="Andi", created_at=START)
        uow.session.add(added)
        uow.session.add(earlier)
        await uow.session.flush()
        assert added.id is not None and await uow.staff.by_nip(added.nip) is added
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        names = [s.name for s in await uow.staff.all()]
    assert names == ["Rina Marlina", "Andi"]


async def test_times_come_back_aware_utc_and_naive_ones_are_refused(db: Backend) -> None:
    wib = START.astimezone(ZoneInfo("Asia/Jakarta"))
    case_id = await add_case(db, created_at=wib)
    loaded = await read_case(db, case_id)
    assert loaded.created_at == START and loaded.created_at.utcoffset() == timedelta(0)
    with pytest.raises(SQLAlchemyError, match="naive"):
        async with db.uow() as uow:
            await uow.cases.add(a_case("PO-2026-00002", created_at=START.replace(tzinfo=None)))


async def test_json_documents_are_stored_as_json_and_never_shared(db: Backend) -> None:
    payload = {"text": "hai", "choices": (("Setujui", "tok"),), "n": 1}
    message = a_message("card:1", payload=payload)
    async with db.uow() as uow:
        await uow.outbox.add_all([message])
        await uow.commit()
    payload["text"] = "changed after the commit"
    async with db.uow(readonly=True) as uow:
        [stored] = await uow.outbox.listing()
    assert stored.payload == {"text": "hai", "choices": [["Setujui", "tok"]], "n": 1}


async def test_a_read_only_unit_of_work_cannot_commit(db: Backend) -> None:
    async with db.uow(readonly=True) as uow:
        assert await uow.cases.get(1) is None
        with pytest.raises(RuntimeError, match="read-only"):
            await uow.commit()
    with pytest.raises(RuntimeError, match="outside"):
        _ = db.uow().session


async def test_an_over_long_string_is_refused(db: Backend) -> None:
    if db.dialect == "sqlite":
        pytest.skip("SQLite keeps strings longer than their column (PostgreSQL refuses them)")
    with pytest.raises(SQLAlchemyError):
        async with db.uow() as uow:
            await uow.cases.add(a_case("PO-2026-00001", step="x" * 65))


async def test_a_stored_staff_row_round_trips(db: Backend) -> None:
    async with db.uow() as uow:
        staff = Staff(nip=NIP, name="Rina", created_at=START, channel="telegram", telegram_id=7)
        await uow.staff.add(staff, [])
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        loaded = await uow.staff.get(staff.id or 0)
    assert loaded is not None and loaded.model_dump() == staff.model_dump()

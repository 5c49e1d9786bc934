"""Storage contract: the same behaviour on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from staffbot.app.commands.audit import VerifyAuditChain
from staffbot.services.context import Office
from storage.db import Database
from storage.tables import Case, Outbox, Staff, Task
from tests.conftest import START
from tests.storage.support import stored_case


async def _staff(db: Database, nip: str = "199001012015032005") -> int:
    async with db.uow() as uow:
        staff = await uow.staff.add(Staff(nip=nip, name="Rina", created_at=START), ["operator"])
        await uow.commit()
        assert staff.id is not None
        return staff.id


async def test_times_come_back_aware_utc(db: Database) -> None:
    case = await stored_case(db)
    async with db.uow(readonly=True) as uow:
        loaded = await uow.cases.get(case.id or 0)
    assert loaded is not None
    assert loaded.created_at == START
    assert loaded.created_at.utcoffset() == timedelta(0)


async def test_naive_datetimes_are_refused(db: Database) -> None:
    from datetime import datetime

    with pytest.raises(Exception, match="naive"):
        async with db.uow() as uow:
            await uow.cases.add(
                Case(
                    number="X-1",
                    flow_key="f",
                    applicant_name="A",
                    nik="1",
                    wa_number="+62",
                    kecamatan="k",
                    layanan="l",
                    step="s",
                    created_at=datetime(2026, 1, 1),  # noqa: DTZ001
                    updated_at=START,
                )
            )


async def test_counters_are_gap_free_under_concurrency(db: Database) -> None:
    async def take() -> int:
        async with db.uow() as uow:
            value = await uow.counters.next("case:2026")
            await uow.commit()
            return value

    values = await asyncio.gather(*(take() for _ in range(20)))
    assert sorted(values) == list(range(1, 21))


async def test_compare_and_set_lets_one_writer_win(db: Database) -> None:
    case = await stored_case(db)
    async with db.uow() as uow:
        loaded = await uow.cases.get(case.id or 0)
        assert loaded is not None
        assert await uow.cases.compare_and_set(loaded, step="angkat_data")
        assert loaded.version == 2 and loaded.step == "angkat_data"
        stale = Case(**{**case.model_dump(), "version": 1})
        assert not await uow.cases.compare_and_set(stale, step="loket")
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        final = await uow.cases.get(case.id or 0)
    assert final is not None and (final.step, final.version) == ("angkat_data", 2)


async def test_a_case_cannot_have_two_open_tasks(db: Database) -> None:
    case = await stored_case(db)
    async with db.uow() as uow:
        await uow.tasks.add(Task(case_id=case.id, step="terima_wa", role="r", created_at=START))
        await uow.commit()
    with pytest.raises(IntegrityError):
        async with db.uow() as uow:
            await uow.tasks.add(
                Task(case_id=case.id, step="angkat_data", role="r", created_at=START)
            )
            await uow.commit()


async def test_audit_chain_links_each_event_to_the_previous(db: Database, office: Office) -> None:
    async with db.uow() as uow:
        first = await uow.audit.append(at=START, kind="a", actor="x")
        second = await uow.audit.append(at=START, kind="b", actor="y", data={"k": [1, "ü"]})
        await uow.commit()
    assert (first.seq, second.seq) == (1, 2)
    assert second.prev_hash == first.hash
    from staffbot.services.audit import verify_chain

    async with db.uow(readonly=True) as uow:
        report = await verify_chain(VerifyAuditChain(), uow, office)
    assert report.ok and report.events == 2


async def test_concurrent_audit_appends_never_fork_the_chain(db: Database, office: Office) -> None:
    async def append(i: int) -> None:
        async with db.uow() as uow:
            await uow.audit.append(at=START, kind="k", actor=f"a{i}")
            await uow.commit()

    await asyncio.gather(*(append(i) for i in range(25)))
    from staffbot.services.audit import verify_chain

    async with db.uow(readonly=True) as uow:
        report = await verify_chain(VerifyAuditChain(), uow, office)
    assert report.ok and report.events == 25


async def test_tampering_with_an_audit_row_is_detected(db: Database, office: Office) -> None:
    async with db.uow() as uow:
        for i in range(3):
            await uow.audit.append(at=START, kind="k", actor=f"a{i}", note="asli")
        await uow.commit()
    async with db.write_engine.begin() as conn:
        await conn.execute(text("UPDATE audit_event SET note = 'palsu' WHERE seq = 2"))
    from staffbot.services.audit import verify_chain

    async with db.uow(readonly=True) as uow:
        report = await verify_chain(VerifyAuditChain(), uow, office)
    assert not report.ok and report.broken_at == 2


async def test_outbox_releases_one_row_per_chat_in_order(db: Database) -> None:
    staff_id = await _staff(db)
    async with db.uow() as uow:
        rows = [
            Outbox(
                created_at=START,
                channel="web",
                chat_id=chat,
                staff_id=staff_id,
                kind="card",
                payload={"text": str(i)},
                idempotency_key=f"k{i}",
                next_attempt_at=START,
            )
            for i, chat in enumerate(["1", "1", "2", "1", "2"])
        ]
        await uow.outbox.add_all(rows)
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        due = await uow.outbox.due(START, channels=["web"])
    assert [(r.chat_id, r.payload["text"]) for r in due] == [("1", "0"), ("2", "2")]
    async with db.uow() as uow:
        assert await uow.outbox.mark_sent(due[0].id or 0, at=START, platform_message_id="m1")
        assert not await uow.outbox.mark_sent(due[0].id or 0, at=START, platform_message_id="x")
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        due = await uow.outbox.due(START, channels=["web"])
    assert [(r.chat_id, r.payload["text"]) for r in due] == [("1", "1"), ("2", "2")]


async def test_processed_updates_are_recognised(db: Database) -> None:
    async with db.uow() as uow:
        assert await uow.processed.first_time("telegram", "42", START)
        await uow.commit()
    async with db.uow() as uow:
        assert not await uow.processed.first_time("telegram", "42", START)
        assert await uow.processed.first_time("whatsapp", "42", START)
        await uow.commit()

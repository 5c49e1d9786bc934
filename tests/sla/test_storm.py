"""Digests instead of storms: many alerts for one person in one scan become one card."""

from __future__ import annotations

from staffbot.app.commands.audit import VerifyAuditChain
from staffbot.clock import FixedClock
from staffbot.services.audit import verify_chain
from staffbot.services.context import Office
from storage.db import Database
from tests.sla.support import alerts, bulk_overdue, count, digests, scan, staff_ids, wib
from tests.support import Desk


async def test_a_thousand_overdue_tasks_give_one_digest_not_a_thousand_cards(
    desk: Desk, db: Database, office: Office, clock: FixedClock
) -> None:
    # 1,000 print jobs (step 5) due Wednesday from 09:00 on, all held by Budi, whose
    # supervisor is the Kasi; the reminders went out, level 1 waits
    due = wib(2026, 11, 25, 9)
    tasks = await bulk_overdue(
        db, n=1000, step="cetak_berkas", role="operator_cetak_berkas", due=due, next_at=due
    )
    report = await scan(db, office, clock, wib(2026, 11, 25, 10))

    ids = await staff_ids(db)
    holder, kasi = ids["operator_cetak_berkas"], ids["kasi_identitas_penduduk"]
    assert len(report.fired) == 1000
    assert {f.level for f in report.fired} == {1}
    assert report.digests == {"Budi Santoso": 1000, "Hendra Gunawan, S.Kom.": 1000}
    assert await alerts(db) == []
    found = await digests(db)
    assert sorted(d["staff_id"] for d in found) == sorted([holder, kasi])
    assert await count(db, "SELECT count(*) FROM outbox") == 2
    for digest in found:
        assert len(digest["alerts"]) == 1000
        assert "Ringkasan eskalasi: 1000 tugas perlu perhatian" in digest["text"]
        assert "Terlambat: 1000 · mendekati batas waktu: 0" in digest["text"]
        assert "• 5. Operator Cetak Berkas mencetak berkas permohonan: 1000" in digest["text"]
        # per kecamatan, the busiest first; the five oldest with a button each
        assert "• Kota Agung: 200" in digest["text"]
        assert "1. PO-2026-900000 · langkah 5 · Kota Agung · terlambat" in digest["text"]
        assert [c["label"] for c in digest["choices"]] == [
            f"Buka PO-2026-9{i:05d}" for i in range(5)
        ]
    # every rung is claimed and audited once
    assert await count(db, "SELECT count(*) FROM audit_event WHERE kind = 'escalation'") == 1000
    assert await count(db, "SELECT count(*) FROM task WHERE escalation_level = 1") == len(tasks)
    assert (await scan(db, office, clock, wib(2026, 11, 25, 10, 1))).fired == ()
    async with db.uow(readonly=True) as uow:  # the bulk append keeps the audit chain whole
        assert (await verify_chain(VerifyAuditChain(), uow, office)).ok


async def test_the_digest_buttons_open_the_task_cards(
    desk: Desk, db: Database, office: Office, clock: FixedClock
) -> None:
    from staffbot.bootstrap import build_bus
    from staffbot.channels.base import ChoicePressed
    from staffbot.chat.service import ChatService

    due = wib(2026, 11, 25, 9)
    await bulk_overdue(
        db, n=10, step="cetak_berkas", role="operator_cetak_berkas", due=due, next_at=due
    )
    await scan(db, office, clock, wib(2026, 11, 25, 10))
    kasi = (await staff_ids(db))["kasi_identitas_penduduk"]
    [digest] = [d for d in await digests(db) if d["staff_id"] == kasi]
    before = await count(db, "SELECT count(*) FROM outbox WHERE kind = 'card'")
    await ChatService(build_bus(db, office)).handle(
        ChoicePressed(
            channel="web",
            chat_id=str(kasi),
            user_id=str(kasi),
            at=clock.now(),
            token=digest["choices"][0]["token"],
        )
    )
    assert await count(db, "SELECT count(*) FROM outbox WHERE kind = 'card'") == before + 1


async def test_a_few_alerts_stay_single_cards(
    desk: Desk, db: Database, office: Office, clock: FixedClock
) -> None:
    due = wib(2026, 11, 25, 9)
    await bulk_overdue(
        db, n=3, step="cetak_berkas", role="operator_cetak_berkas", due=due, next_at=due
    )
    await scan(db, office, clock, wib(2026, 11, 25, 10))
    assert await digests(db) == []
    assert len(await alerts(db)) == 6  # three each for Budi and the Kasi


async def test_who_chose_digests_gets_even_two_alerts_as_one(
    desk: Desk, db: Database, office: Office, clock: FixedClock
) -> None:
    """Below the storm threshold, the supervisor who chose digests (/ringkasan) gets
    one digest card; the holder, who did not, gets an alert card each."""
    from staffbot.app.commands.staff import CARDS_DIGEST, ChangeStaff
    from tests.support import ROSTER

    await desk.bus.handle(ChangeStaff(ROSTER["kasi_identitas_penduduk"], cards=CARDS_DIGEST))
    due = wib(2026, 11, 25, 9)
    await bulk_overdue(
        db, n=2, step="cetak_berkas", role="operator_cetak_berkas", due=due, next_at=due
    )
    await scan(db, office, clock, wib(2026, 11, 25, 10))
    ids = await staff_ids(db)
    holder, kasi = ids["operator_cetak_berkas"], ids["kasi_identitas_penduduk"]
    [digest] = await digests(db)
    assert digest["staff_id"] == kasi and len(digest["alerts"]) == 2
    assert sorted(a.staff_id for a in await alerts(db)) == [holder, holder]

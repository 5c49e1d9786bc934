"""The ladder on an injected clock: every rung once, at its time, to its people."""

from __future__ import annotations

from staffbot.app.commands.staff import SetLeave
from staffbot.bootstrap import build_bus
from staffbot.clock import FixedClock
from staffbot.services.context import Office
from storage.db import Database
from tests.sla.support import alerts, every_minute, scan, staff_ids, wib
from tests.support import ROSTER, Desk


async def test_each_rung_fires_once_at_its_time_across_two_working_days(
    desk: Desk, db: Database, office: Office, clock: FixedClock
) -> None:
    # opened Wednesday 09:00 WIB at step 3: due Thursday 09:00 (1 working day)
    number = (await desk.new_case()).number
    task_id = await desk.open_task_id(number)
    ids = await staff_ids(db)

    await every_minute(db, office, clock, wib(2026, 11, 25, 9), wib(2026, 11, 27, 9, 30))

    got = [(a.at, a.level, a.staff_id) for a in await alerts(db) if a.task_id == task_id]
    holder, kasi = ids["operator_penerima_wa"], ids["kasi_identitas_penduduk"]
    assert got == sorted(
        [
            # 2 working hours before due: 1.5 h on Thursday morning, 0.5 h on Wednesday
            (wib(2026, 11, 25, 15, 30), 0, holder),
            # at due: the holder and the Kasi (the holder's supervisor)
            (wib(2026, 11, 26, 9), 1, holder),
            (wib(2026, 11, 26, 9), 1, kasi),
            # 4 working hours after due: the Kepala Bidang
            (wib(2026, 11, 26, 13), 2, ids["kepala_bidang"]),
            # 1 working day after due: the Kepala Dinas
            (wib(2026, 11, 27, 9), 3, ids["kepala_dinas"]),
        ]
    )
    async with db.uow(readonly=True) as uow:
        task = await uow.tasks.get(task_id)
        events = [e for e in await uow.audit.for_case(task.case_id or 0) if e.kind == "escalation"]
    assert task is not None and task.escalation_level == 3 and task.next_escalation_at is None
    assert [e.data["level"] for e in events] == [0, 1, 2, 3]
    assert events[1].data["recipients"] == ["Andi Saputra", "Hendra Gunawan, S.Kom."]


async def test_cards_say_who_holds_it_and_how_late_in_working_time(
    desk: Desk, db: Database, office: Office, clock: FixedClock
) -> None:
    await desk.new_case()
    # Thursday 11:00: due 09:00, level 1 fired late (the bot was down until now)
    await scan(db, office, clock, wib(2026, 11, 26, 11))
    ids = await staff_ids(db)
    [to_holder] = [a for a in await alerts(db) if a.staff_id == ids["operator_penerima_wa"]]
    [to_kasi] = [a for a in await alerts(db) if a.staff_id == ids["kasi_identitas_penduduk"]]
    assert "Terlambat: Kasus PO-2026-" in to_kasi.text
    assert "Langkah 3 · " in to_kasi.text
    assert "Dipegang: Andi Saputra" in to_kasi.text
    assert "Terlambat 2 jam kerja · eskalasi tingkat 1" in to_kasi.text
    assert to_kasi.labels == ("Ingatkan", "Ambil alih")
    # the holder is told, with a button that brings the task's card back
    assert to_holder.labels[0].startswith("Buka PO-2026-")


async def test_an_outage_fires_the_highest_rung_once_to_everyone_it_skipped(
    desk: Desk, db: Database, office: Office, clock: FixedClock
) -> None:
    number = (await desk.new_case()).number
    task_id = await desk.open_task_id(number)
    # the bot was down from Wednesday morning until Friday 10:00: levels 0-3 are all due
    report = await scan(db, office, clock, wib(2026, 11, 27, 10))
    [fired] = report.fired
    assert (fired.level, fired.skipped) == (3, (0, 1, 2))
    ids = await staff_ids(db)
    got = {(a.level, a.staff_id) for a in await alerts(db) if a.task_id == task_id}
    assert got == {
        (3, ids[role])
        for role in (
            "operator_penerima_wa",
            "kasi_identitas_penduduk",
            "kepala_bidang",
            "kepala_dinas",
        )
    }
    # and nothing more later
    again = await scan(db, office, clock, wib(2026, 11, 30, 10))
    assert again.fired == ()


async def test_a_task_finished_before_due_fires_nothing(
    desk: Desk, db: Database, office: Office, clock: FixedClock
) -> None:
    number = (await desk.new_case()).number
    first = await desk.open_task_id(number)
    clock.set(wib(2026, 11, 25, 14))
    await desk.act(number, "forward")
    second = await desk.open_task_id(number)
    await every_minute(db, office, clock, wib(2026, 11, 25, 14), wib(2026, 11, 26, 10))
    fired = {a.task_id for a in await alerts(db)}
    assert first not in fired
    # the next step's ladder runs on its own clock: due Thursday 14:00, reminder at 12:00
    assert fired <= {second}


async def test_leave_reassigns_and_restarts_the_ladder(
    desk: Desk, db: Database, office: Office, clock: FixedClock
) -> None:
    number = (await desk.new_case()).number
    task_id = await desk.open_task_id(number)
    ids = await staff_ids(db)
    holder = ids["operator_penerima_wa"]
    async with db.uow() as uow:
        task = await uow.tasks.get(task_id)
        assert task is not None
        await uow.tasks.set_fields(task, assignee_id=holder)
        await uow.commit()
    # Thursday 09:00: level 1 to Andi and the Kasi
    await scan(db, office, clock, wib(2026, 11, 26, 9))
    # Thursday 10:00: Andi goes on leave, Dewi stands in; the ladder counts from now
    clock.set(wib(2026, 11, 26, 10))
    result = await build_bus(db, office).handle(
        SetLeave(ROSTER["operator_penerima_wa"], delegate_nip=ROSTER["operator_pengangkat_data"])
    )
    assert result.reassigned == 1
    async with db.uow(readonly=True) as uow:
        task = await uow.tasks.get(task_id)
        events = await uow.audit.for_case(task.case_id or 0) if task else []
    assert task is not None and task.assignee_id == ids["operator_pengangkat_data"]
    assert task.due_at == wib(2026, 11, 27, 10) and task.escalation_level == -1
    moved = [e for e in events if e.kind == "reassigned"]
    assert moved[-1].data["from"] == "Andi Saputra" and moved[-1].data["to"] == "Dewi Lestari"

    await every_minute(db, office, clock, wib(2026, 11, 26, 10), wib(2026, 11, 27, 10))
    got = [(a.at, a.level, a.staff_id) for a in await alerts(db) if a.task_id == task_id]
    kasi, dewi = ids["kasi_identitas_penduduk"], ids["operator_pengangkat_data"]
    assert got == sorted(
        [
            (wib(2026, 11, 26, 9), 1, holder),
            (wib(2026, 11, 26, 9), 1, kasi),
            # the new ladder: reminder 2 working hours before Friday 10:00, then at due
            (wib(2026, 11, 27, 8), 0, dewi),
            (wib(2026, 11, 27, 10), 1, dewi),
            (wib(2026, 11, 27, 10), 1, kasi),
        ]
    )


async def test_a_paused_task_fires_nothing_until_it_resumes(
    desk: Desk, db: Database, office: Office, clock: FixedClock
) -> None:
    number = (await desk.new_case()).number
    await desk.act(number, "reject", note="Foto KK buram, mohon kirim ulang")
    paused = await desk.open_task_id(number)
    for day in (26, 27, 30):
        report = await scan(db, office, clock, wib(2026, 11, day, 15))
        assert report.fired == ()
    assert [a for a in await alerts(db) if a.task_id == paused] == []
    async with db.uow(readonly=True) as uow:
        task = await uow.tasks.get(paused)
    assert task is not None and task.paused_at is not None
    assert task.due_at is None and task.next_escalation_at is None

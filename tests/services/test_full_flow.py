"""One case through all 15 SOP steps via the services; rejects go where the flow says."""

from __future__ import annotations

from datetime import timedelta

import pytest

from flows.errors import AlreadyDone
from staffbot.app.commands.audit import VerifyAuditChain
from staffbot.app.commands.cases import Act, Who
from staffbot.clock import FixedClock
from staffbot.services.audit import verify_chain
from staffbot.texts import error_text
from storage.tables import BA_REJECTED, CASE_CLOSED
from tests.support import HAPPY, ROSTER, Desk

KADIS = "Ahmad Fauzi, S.STP., M.Si."


async def test_a_case_goes_through_all_fifteen_steps(desk: Desk) -> None:
    created = await desk.new_case()
    number = created.number
    assert number == "PO-2026-00001"
    assert created.step == "terima_wa"
    seen_steps = ["telepon", "catat", "terima_wa"]
    while (step := await desk.step_of(number)) != "buat_ba":
        result = await desk.act(number, HAPPY[step])
        assert result.from_step == step
        seen_steps.append(result.to_step or "")
    [ba] = await desk.make_ba(number)
    assert ba.ba_number == "470/1/BA/DISDUKCAPIL/2026"
    seen_steps.append(await desk.step_of(number))
    final = await desk.act(number, "sign", role="kepala_dinas")
    assert final.closed and final.cases == (number,)

    flow = desk.office.flow
    assert [flow.step(s).sop_no for s in seen_steps] == list(range(1, 16))
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        assert case.status == CASE_CLOSED
        assert case.registration_no == "REG-2026-00001"
        history = await uow.tasks.history_of_case(case.id)
        ba_tasks = await uow.tasks.history_of_ba(case.ba_id or 0)
        events = await uow.audit.for_case(case.id)
        outbox = await uow.outbox.for_case(case.id)
        report = await verify_chain(VerifyAuditChain(), uow, desk.office)
    # 14 steps as case tasks (1-14), step 15 as the Berita Acara's task
    assert [t.step for t in history][:2] == ["telepon", "catat"]
    assert len(history) == 14 and all(not t.is_open for t in history)
    assert [(t.step, t.action) for t in ba_tasks] == [("ttd_ba", "sign")]
    assert [e.action for e in events if e.kind in ("case_created", "transition")] == [
        "call",
        "record",
        "forward",
        "done",
        "done",
        "approve",
        "approve",
        "submit_tte",
        "sign",
        "done",
        "paraf",
        "done",
        "send_pdf",
        "make_ba",
        "sign",
    ]
    assert report.ok
    # every staff step pushed cards and edited them after the action
    cards = [o for o in outbox if o.kind == "card"]
    edits = [o for o in outbox if o.kind == "edit"]
    assert len(cards) == 12  # steps 3-14: one holder each in the demo roster
    assert len(edits) == 12
    applicant = [o for o in outbox if o.kind == "applicant"]
    assert [o.chat_id for o in applicant] == ["+6281234567890"] * len(applicant)
    # one number for the applicant: the nomor pengaduan, never the register's
    assert any(f"Pengaduan {number} telah terdaftar" in o.payload["text"] for o in applicant)
    assert not any("REG-2026-00001" in o.payload["text"] for o in applicant)
    assert any(o.payload.get("attachment") for o in applicant)


@pytest.mark.parametrize(
    ("at", "back_to", "paused"),
    [
        ("terima_wa", "terima_wa", True),
        ("loket", "terima_wa", True),
        ("verifikasi_kasi", "loket", False),
        ("ttd_kadis", "entri_data", False),
        ("paraf_kabid", "entri_data", False),
    ],
)
async def test_reject_goes_back_where_the_flow_says(
    desk: Desk, at: str, back_to: str, paused: bool
) -> None:
    number = (await desk.new_case()).number
    await desk.advance_to(number, at)
    result = await desk.act(number, "reject", note="Foto KK buram, mohon kirim ulang")
    assert (result.from_step, result.to_step) == (at, back_to)
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        closed = [
            t for t in await uow.tasks.history_of_case(case.id) if t.step == at and not t.is_open
        ][-1]
        open_task = await uow.tasks.open_for_case(case.id)
        event = (await uow.audit.for_case(case.id))[-1]
    assert closed.note == "Foto KK buram, mohon kirim ulang" and closed.action == "reject"
    assert open_task is not None and open_task.step == back_to
    assert (open_task.paused_at is not None) == paused
    assert (open_task.due_at is None) == paused
    assert (event.action, event.note, event.to_step) == ("reject", closed.note, back_to)


async def test_reject_at_step_15_returns_the_cases_to_step_14(desk: Desk) -> None:
    first = (await desk.new_case()).number
    second = (await desk.new_case()).number
    for number in (first, second):
        await desk.advance_to(number, "buat_ba")
    [ba] = await desk.make_ba(first, second)
    reason = "Nomor BA salah, mohon dibuat ulang"
    result = await desk.act(first, "reject", role="kepala_dinas", note=reason)
    assert result.to_step == "buat_ba" and set(result.cases) == {first, second}
    async with desk.db.uow(readonly=True) as uow:
        stored = await uow.cases.ba_by_number(ba.number)
        assert stored is not None and stored.id is not None and stored.status == BA_REJECTED
        [signing_task] = await uow.tasks.history_of_ba(stored.id)
        ba_events = [e for e in await uow.audit.for_ba(stored.id) if e.action == "reject"]
        case_ids = set()
        for number in (first, second):
            case = await uow.cases.by_number(number)
            assert case is not None and case.id is not None
            case_ids.add(case.id)
            assert (case.step, case.ba_id) == ("buat_ba", None)
            task = await uow.tasks.open_for_case(case.id)
            assert task is not None and task.id is not None and task.step == "buat_ba"
            [card] = await uow.outbox.cards_of_task(task.id)
            # the Kasi Inovasi's new card says why the BA came back
            assert f"Alasan: {reason}" in card.payload["text"]
    # the reason is kept on the signing task of the BA ...
    assert (signing_task.step, signing_task.action, signing_task.note) == (
        "ttd_ba",
        "reject",
        reason,
    )
    assert not signing_task.is_open and signing_task.actor_id is not None
    # ... and in the audit trail: one event for the BA, one for each case in it
    expected = [(None, reason, "ttd_ba", "buat_ba", KADIS)]
    expected += [(cid, reason, "ttd_ba", "buat_ba", KADIS) for cid in sorted(case_ids)]
    assert [(e.case_id, e.note, e.from_step, e.to_step, e.actor) for e in ba_events] == expected
    assert all(e.task_id == signing_task.id and e.kind == "transition" for e in ba_events)
    [again] = await desk.make_ba(first, second)
    assert again.number == "470/2/BA/DISDUKCAPIL/2026"


async def test_the_second_press_is_told_who_was_first(desk: Desk) -> None:
    number = (await desk.new_case()).number
    await desk.act(number, "forward")
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        history = await uow.tasks.history_of_case(case.id)
    first_task = next(t for t in history if t.step == "terima_wa")
    with pytest.raises(AlreadyDone) as caught:
        await desk.bus.handle(
            Act(Who(nip=ROSTER["operator_penerima_wa"]), "forward", task_id=first_task.id)
        )
    assert caught.value.params == {"actor": "Andi Saputra", "at": "09:00"}
    # the sentence the loser reads: Indonesian by default, English with the setting
    assert error_text(caught.value) == "Sudah diproses oleh Andi Saputra pada 09:00."
    assert error_text(caught.value, "en") == "Already done by Andi Saputra at 09:00."


async def test_a_press_on_another_day_names_the_day_it_was_done(
    desk: Desk, clock: FixedClock
) -> None:
    number = (await desk.new_case()).number
    task_id = await desk.open_task_id(number)
    await desk.act(number, "forward")
    clock.advance(timedelta(days=1))
    with pytest.raises(AlreadyDone) as caught:
        await desk.bus.handle(
            Act(Who(nip=ROSTER["operator_penerima_wa"]), "forward", task_id=task_id)
        )
    assert error_text(caught.value) == "Sudah diproses oleh Andi Saputra pada 25 Nov 09:00."


async def test_registration_number_and_its_proof_are_issued_once(desk: Desk) -> None:
    number = (await desk.new_case()).number
    await desk.advance_to(number, "verifikasi_kasi")
    await desk.act(number, "reject", note="Verifikasi ulang alamat")
    await desk.act(number, "approve")
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        proofs = await uow.documents.of_case(case.id, "bukti_pendaftaran")
        entry = await uow.cases.registration_of(case.id)
    assert case.registration_no == "REG-2026-00001" == (entry.number if entry else None)
    assert len(proofs) == 1

"""Claiming a task: one holder of the role takes it, the others are told and may not act.

Every test runs on SQLite and on PostgreSQL; the races run real concurrent units of work.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest

from flows.errors import AlreadyDone, AssignedToOther, StaffbotError
from staffbot.app.commands.cases import Act, ActResult, Claim, ClaimResult, MakeBa, Sign, Who
from staffbot.app.commands.sla import Reassign
from staffbot.app.commands.staff import AddStaff, SetLeave
from staffbot.services import alert_actions, batches
from staffbot.services.claims import AlreadyClaimed
from staffbot.texts import error_text
from tests.support import FORM, PIN, ROSTER, Desk, differences, snapshot

ANDI = ROSTER["operator_penerima_wa"]
ANDI_NAME = "Andi Saputra"
LINA = "199512122020122013"
LINA_NAME = "Lina Marlina"
YUSUF = ROSTER["operator"]
KADIS = ROSTER["kepala_dinas"]
KADIS_NAME = "Ahmad Fauzi, S.STP., M.Si."
#: A second holder of the Kepala Dinas's role (an acting head, Plt.), with the same PIN.
PLT = "197501011999031002"
#: A second Kasi Inovasi.
DIAN = "199001012015032099"


async def add_receiver(desk: Desk, name: str = LINA_NAME, nip: str = LINA) -> None:
    """A second holder of the WA receiver's role (step 3)."""
    await desk.bus.handle(AddStaff(name=name, nip=nip, roles=("operator_penerima_wa",)))


async def claim(desk: Desk, nip: str, ref: str) -> ClaimResult:
    return await desk.bus.handle(Claim(Who(nip=nip), ref=ref))


async def forward(desk: Desk, nip: str, number: str) -> ActResult:
    return await desk.bus.handle(Act(Who(nip=nip), "forward", ref=number))


@pytest.fixture
async def case_for_two(desk: Desk) -> str:
    """A case at step 3 whose card went to Andi and to Lina."""
    await add_receiver(desk)
    return (await desk.new_case()).number


async def test_claim_then_act(desk: Desk, case_for_two: str) -> None:
    number = case_for_two
    result = await claim(desk, LINA, number)
    assert (result.number, result.step, result.claimer, result.changed, result.told) == (
        number,
        "terima_wa",
        LINA_NAME,
        True,
        (ANDI_NAME,),
    )
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        task = await uow.tasks.open_for_case(case.id)
        lina = await uow.staff.by_nip(LINA)
        andi = await uow.staff.by_nip(ANDI)
        assert task is not None and task.id is not None and lina and andi
        rows = await uow.outbox.for_case(case.id)
        [event] = [e for e in await uow.audit.for_case(case.id) if e.kind == "claim"]
    assert task.assignee_id == lina.id
    assert (event.actor, event.actor_id, event.task_id, event.from_step, event.to_step) == (
        LINA_NAME,
        lina.id,
        task.id,
        "terima_wa",
        "terima_wa",
    )
    assert event.data == {"told": [ANDI_NAME]}
    cards = {r.staff_id: r for r in rows if r.kind == "card" and r.task_id == task.id}
    edits = [r for r in rows if r.kind == "edit" and r.task_id == task.id]
    # Andi's card says who took the task and loses its buttons; Lina's card is kept
    [edit] = edits
    andi_card = cards[andi.id]
    assert (edit.ref_id, edit.chat_id, edit.staff_id) == (andi_card.id, andi_card.chat_id, None)
    assert edit.payload == {
        "text": andi_card.payload["text"] + "\n\n<b>👤 Diambil oleh Lina Marlina, 09:00</b>"
    }
    assert cards[lina.id].payload["choices"] and cards[lina.id].status == "pending"

    moved = await forward(desk, LINA, number)
    assert (moved.actor, moved.to_step) == (LINA_NAME, "angkat_data")


async def test_a_second_claimer_is_told_who_has_it(desk: Desk, case_for_two: str) -> None:
    await claim(desk, LINA, case_for_two)
    before = await snapshot(desk.db)
    with pytest.raises(AlreadyClaimed) as caught:
        await claim(desk, ANDI, case_for_two)
    assert error_text(caught.value) == "Tugas ini sudah diambil oleh Lina Marlina pada 09:00."
    assert error_text(caught.value, "en") == "This task was already taken by Lina Marlina at 09:00."
    assert differences(before, await snapshot(desk.db)) == {}
    # the claimer asking again is not an error, and changes nothing either
    again = await claim(desk, LINA, case_for_two)
    assert (again.changed, again.claimer) == (False, LINA_NAME)
    assert differences(before, await snapshot(desk.db)) == {}


async def test_another_holder_may_not_act_on_a_claimed_task(desk: Desk, case_for_two: str) -> None:
    await claim(desk, LINA, case_for_two)
    before = await snapshot(desk.db)
    with pytest.raises(AssignedToOther) as caught:
        await forward(desk, ANDI, case_for_two)
    # the engine knows the assignee by NIP; the service names the person
    assert caught.value.params == {"assignee": LINA_NAME}
    assert isinstance(caught.value.__cause__, AssignedToOther)
    assert caught.value.__cause__.params == {"assignee": LINA}
    assert error_text(caught.value) == "Tugas ini sudah diambil oleh Lina Marlina."
    assert error_text(caught.value, "en") == "This task was taken by Lina Marlina."
    with pytest.raises(AssignedToOther):
        await desk.bus.handle(
            Act(Who(nip=ANDI), "reject", ref=case_for_two, note="Berkas tidak lengkap")
        )
    assert differences(before, await snapshot(desk.db)) == {}
    assert await desk.step_of(case_for_two) == "terima_wa"


async def test_the_claimers_delegate_may_act_while_the_claimer_is_on_leave(
    desk: Desk, case_for_two: str
) -> None:
    await claim(desk, LINA, case_for_two)
    await desk.bus.handle(SetLeave(LINA, delegate_nip=YUSUF))
    with pytest.raises(AssignedToOther):
        await forward(desk, ANDI, case_for_two)
    moved = await forward(desk, YUSUF, case_for_two)
    assert (moved.actor, moved.to_step) == ("Yusuf Hidayat", "angkat_data")


async def test_who_may_claim_and_what(desk: Desk, case_for_two: str) -> None:
    number = case_for_two
    before = await snapshot(desk.db)
    with pytest.raises(StaffbotError) as caught:
        await claim(desk, YUSUF, number)
    assert error_text(caught.value) == (
        "Langkah 3. Operator Penerima WA menerima permohonan dan meneruskan ke Operator "
        "Pengangkat Data adalah tugas Operator Penerima WA; Yusuf Hidayat tidak memegang "
        "peran tersebut."
    )
    with pytest.raises(StaffbotError) as caught:
        await claim(desk, ANDI, "PO-2026-00999")
    assert error_text(caught.value) == 'Kasus "PO-2026-00999" tidak ditemukan.'
    assert differences(before, await snapshot(desk.db)) == {}
    # signing steps and Berita Acara steps are claimed like any other (their services
    # check the assignee): step 9, a case at step 14, and the BA at step 15 (one task
    # for all its cases) by a case's number or by the BA's own
    await desk.advance_to(number, "ttd_kadis")
    took = await claim(desk, KADIS, number)
    assert (took.step, took.claimer, took.changed) == ("ttd_kadis", KADIS_NAME, True)
    await desk.advance_to(number, "buat_ba")
    took = await claim(desk, ROSTER["kasi_inovasi"], number)
    assert (took.step, took.changed) == ("buat_ba", True)
    [made] = await desk.make_ba(number)
    assert made.ba_number is not None
    took = await claim(desk, KADIS, number)
    assert (took.number, took.step, took.changed) == (made.ba_number, "ttd_ba", True)
    again = await claim(desk, KADIS, made.ba_number)
    assert (again.number, again.changed) == (made.ba_number, False)
    async with desk.db.uow(readonly=True) as uow:
        ba = await uow.cases.ba_by_number(made.ba_number)
        assert ba is not None and ba.id is not None
        [event] = [e for e in await uow.audit.for_ba(ba.id) if e.kind == "claim"]
    assert (event.actor, event.case_id, event.from_step) == (KADIS_NAME, None, "ttd_ba")
    await desk.act(number, "sign", role="kepala_dinas")
    with pytest.raises(StaffbotError) as caught:
        await claim(desk, KADIS, number)
    assert error_text(caught.value) == f"Kasus {number} sudah selesai."
    with pytest.raises(AlreadyDone):
        await claim(desk, KADIS, made.ba_number)


async def test_a_claim_after_the_press_is_told_the_task_is_done(
    desk: Desk, case_for_two: str
) -> None:
    task_id = await desk.open_task_id(case_for_two)
    await forward(desk, ANDI, case_for_two)
    with pytest.raises(AlreadyDone) as caught:
        await desk.bus.handle(Claim(Who(nip=LINA), task_id=task_id))
    assert error_text(caught.value) == "Sudah diproses oleh Andi Saputra pada 09:00."


async def test_simultaneous_claims_give_exactly_one_winner(desk: Desk) -> None:
    nips = [ANDI, LINA]
    await add_receiver(desk)
    for i in range(3):
        nip = f"19960101202101100{i}"
        await add_receiver(desk, f"Operator WA {i}", nip)
        nips.append(nip)
    number = (await desk.new_case(dataclasses.replace(FORM))).number
    before = await snapshot(desk.db)

    async def try_claim(nip: str) -> str:
        try:
            result = await claim(desk, nip, number)
        except AlreadyClaimed as refused:
            return error_text(refused)
        return f"won by {result.claimer}" if result.changed else "already mine"

    outcomes = await asyncio.gather(*(try_claim(nips[i % len(nips)]) for i in range(30)))
    [winner] = [o.removeprefix("won by ") for o in outcomes if o.startswith("won by ")]
    refusals = [o for o in outcomes if not o.startswith("won by ")]
    told = f"Tugas ini sudah diambil oleh {winner} pada 09:00."
    assert all(o in (told, "already mine") for o in refusals), set(refusals)
    changed = differences(before, await snapshot(desk.db))
    # one claim: the task's assignee, one audit event, the edits of the four other
    # holders' cards; nothing else (the case row is not written)
    assert set(changed) <= {"task", "audit_event", "audit_head", "outbox"}
    [(old_task, new_task)] = changed["task"]
    assert (old_task["assignee_id"], new_task["is_open"]) == (None, True)
    async with desk.db.uow(readonly=True) as uow:
        won = await uow.staff.get(new_task["assignee_id"])
    assert won is not None and won.name == winner
    [(no_row, event)] = changed["audit_event"]
    assert no_row is None
    assert (event["kind"], event["actor"]) == ("claim", winner)
    edits = [new for old, new in changed["outbox"] if old is None]
    assert len(edits) == len(nips) - 1 and all(e["kind"] == "edit" for e in edits)
    assert all(old is None for old, _ in changed["outbox"])


async def test_claims_and_presses_at_once_never_let_another_holder_move_a_claimed_case(
    desk: Desk,
) -> None:
    nips = [ANDI, LINA]
    await add_receiver(desk)
    for i in range(2):
        nip = f"19960101202101100{i}"
        await add_receiver(desk, f"Operator WA {i}", nip)
        nips.append(nip)
    number = (await desk.new_case()).number
    task_id = await desk.open_task_id(number)
    # no ConcurrencyConflict ("Data berubah bersamaan"): a claim does not write the case,
    # so whoever loses is told who acted or who took the task
    expected = (AlreadyDone, AlreadyClaimed, AssignedToOther)

    async def claim_or_press(i: int) -> str:
        # by task id, as the buttons do: a late press must not land on the next step;
        # everyone both claims and presses
        nip = nips[(i // 2) % len(nips)]
        try:
            if i % 2 == 0:
                await desk.bus.handle(Claim(Who(nip=nip), task_id=task_id))
            else:
                await desk.bus.handle(Act(Who(nip=nip), "forward", task_id=task_id))
        except expected as refused:
            return type(refused).__name__
        return "ok"

    await asyncio.gather(*(claim_or_press(i) for i in range(24)))
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        events = await uow.audit.for_case(case.id)
    claimed = [e for e in events if e.kind == "claim"]
    moved = [e for e in events if e.kind == "transition" and e.from_step == "terima_wa"]
    assert len(claimed) <= 1 and len(moved) <= 1
    if claimed and moved:
        # a claim can only win before the press; the press must then be the claimer's
        assert claimed[0].seq < moved[0].seq and moved[0].actor == claimed[0].actor
    expected_step = "angkat_data" if moved else "terima_wa"
    assert await desk.step_of(number) == expected_step


# -- signing steps and the Berita Acara step honour the assignee -------------------------


async def add_plt_kadis(desk: Desk) -> None:
    await desk.bus.handle(
        AddStaff(name="Bambang Sutrisno", nip=PLT, roles=("kepala_dinas",), pin=PIN)
    )


class CountingSigner:
    """The office's local PAdES signer, counting the documents it was asked to sign."""

    def __init__(self, signer: Any) -> None:
        self.signer = signer
        self.calls: list[str] = []

    async def sign(self, pdf: bytes, request: Any) -> Any:
        self.calls.append(request.nip)
        return await self.signer.sign(pdf, request)


@pytest.fixture
def signer(desk: Desk) -> CountingSigner:
    counting = CountingSigner(desk.office.signer)
    desk.office = dataclasses.replace(desk.office, signer=counting)
    return counting


async def sign(desk: Desk, nip: str, task_id: int) -> ActResult:
    """Through the signing process and the office's local PAdES signer."""
    [outcome] = await desk.bus.handle(Sign(Who(nip=nip), PIN, task_ids=(task_id,)))
    if outcome.error is not None:
        raise outcome.error
    assert outcome.result is not None
    return outcome.result


async def refused_unsigned(desk: Desk, signer: CountingSigner, task_id: int) -> AssignedToOther:
    """The second Kepala Dinas signs ``task_id``, which the first holds: refused before the
    signer was asked, no signed document, nothing changed. The refusal, for its text."""
    before = await snapshot(desk.db)
    with pytest.raises(AssignedToOther) as taken:
        await sign(desk, PLT, task_id)
    assert signer.calls == []
    await nothing_signed(desk, task_id, KADIS)
    assert differences(before, await snapshot(desk.db)) == {}
    return taken.value


async def nothing_signed(desk: Desk, task_id: int, holder: str) -> None:
    """The task is still open and held by ``holder``, and no signed PDF was stored
    (the signer's calls are checked by the callers)."""
    async with desk.db.uow(readonly=True) as uow:
        task = await uow.tasks.get(task_id)
        assert task is not None and task.is_open and task.assignee_id is not None
        assignee = await uow.staff.get(task.assignee_id)
        if task.case_id is not None:
            documents = await uow.documents.of_case(task.case_id)
        else:
            documents = await uow.documents.of_ba(task.ba_id or 0)
    assert assignee is not None and assignee.nip == holder
    assert [d.kind for d in documents if d.signed] == []


async def test_another_kepala_dinas_cannot_sign_a_task_the_first_claimed(
    desk: Desk, signer: CountingSigner
) -> None:
    await add_plt_kadis(desk)
    claimed, free = (await desk.new_case()).number, (await desk.new_case()).number
    for number in (claimed, free):
        await desk.advance_to(number, "ttd_kadis")
    await claim(desk, KADIS, claimed)
    task_id = await desk.open_task_id(claimed)
    taken = await refused_unsigned(desk, signer, task_id)
    # named, not by the NIP the engine knows the Kepala Dinas by
    assert taken.params["assignee"] == KADIS_NAME
    # the same person, PIN and key sign a task nobody took
    other = await sign(desk, PLT, await desk.open_task_id(free))
    assert (other.actor, other.to_step) == ("Bambang Sutrisno", "cetak_dokumen")
    done = await sign(desk, KADIS, task_id)
    assert (done.actor, done.to_step) == (KADIS_NAME, "cetak_dokumen")
    assert signer.calls == [PLT, KADIS]


async def test_another_kepala_dinas_cannot_sign_a_task_reassigned_to_the_first(
    desk: Desk, signer: CountingSigner
) -> None:
    await add_plt_kadis(desk)
    number = (await desk.new_case()).number
    await desk.advance_to(number, "ttd_kadis")
    task_id = await desk.open_task_id(number)
    async with desk.uow() as uow:  # "Alihkan" from an escalation alert, by the Kabid
        task = await uow.tasks.get(task_id)
        kadis = await uow.staff.by_nip(KADIS)
        kabid = await uow.staff.by_nip(ROSTER["kepala_bidang"])
        assert task is not None and kadis is not None and kadis.id is not None and kabid
        reassign = Reassign(Who(staff_id=kabid.id), task_id, to_id=kadis.id)
        outcome = await alert_actions.reassign(reassign, uow, desk.office)
        await uow.commit()
    assert outcome.changed
    signer.calls.clear()  # the signature of step 9 on the way here
    await refused_unsigned(desk, signer, task_id)
    assert (await sign(desk, KADIS, task_id)).to_step == "cetak_dokumen"
    assert signer.calls == [KADIS]


async def test_another_kepala_dinas_cannot_sign_a_berita_acara_the_first_claimed(
    desk: Desk, signer: CountingSigner
) -> None:
    await add_plt_kadis(desk)
    number = (await desk.new_case()).number
    await desk.advance_to(number, "buat_ba")
    [made] = await desk.make_ba(number)
    assert made.ba_number is not None
    await claim(desk, KADIS, made.ba_number)
    task_id = await desk.open_task_id(number)
    signer.calls.clear()  # the signature of step 9 on the way here
    await refused_unsigned(desk, signer, task_id)
    done = await sign(desk, KADIS, task_id)
    assert (done.number, done.closed) == (made.ba_number, True)
    assert signer.calls == [KADIS]


async def a_case_dian_took(desk: Desk) -> tuple[str, str]:
    """Two cases at step 14; a second Kasi Inovasi, Dian, has taken the second."""
    await desk.bus.handle(AddStaff(name="Dian Puspita", nip=DIAN, roles=("kasi_inovasi",)))
    mine, theirs = (await desk.new_case()).number, (await desk.new_case()).number
    for number in (mine, theirs):
        await desk.advance_to(number, "buat_ba")
    await claim(desk, DIAN, theirs)
    return mine, theirs


async def test_a_berita_acara_may_not_hold_a_case_another_kasi_took(desk: Desk) -> None:
    mine, theirs = await a_case_dian_took(desk)
    before = await snapshot(desk.db)
    with pytest.raises(AssignedToOther):
        await desk.make_ba(mine, theirs)  # as Maya Sari, the demo Kasi Inovasi
    assert differences(before, await snapshot(desk.db)) == {}
    [made] = await desk.make_ba(mine)
    assert made.cases == (mine,)
    [made] = await desk.bus.handle(MakeBa(Who(nip=DIAN), refs=(theirs,)))
    assert made.cases == (theirs,)


async def test_buat_ba_lists_only_the_cases_the_kasi_may_take(desk: Desk) -> None:
    """The picker and "all of a kecamatan" leave out a case a colleague has taken."""
    mine, theirs = await a_case_dian_took(desk)
    async with desk.db.uow(readonly=True) as uow:
        maya = await uow.staff.by_nip(ROSTER["kasi_inovasi"])
        dian = await uow.staff.by_nip(DIAN)
        everyone = await batches.waiting_for_ba(uow, desk.office)
        for_maya = await batches.waiting_for_ba(uow, desk.office, for_staff=maya)
        for_dian = await batches.waiting_for_ba(uow, desk.office, for_staff=dian)

    def numbers(waiting: dict[str, list[Any]]) -> set[str]:
        return {c.number for cases in waiting.values() for c in cases}

    assert numbers(everyone) == {mine, theirs}
    assert numbers(for_maya) == {mine}
    assert numbers(for_dian) == {mine, theirs}
    # "Semua" (no list) as Maya: a BA with her case only, Dian's stays waiting
    [made] = await desk.bus.handle(MakeBa(Who(nip=ROSTER["kasi_inovasi"])))
    assert made.cases == (mine,)
    assert await desk.step_of(theirs) == "buat_ba"

"""Handler tier: a case recorded, moved through all 15 SOP steps and sent back by each
reject, as commands through the bus over the fake unit of work; the tests assert what
the fake database holds afterwards (end states), not which calls were made."""

from __future__ import annotations

import dataclasses

import pytest

from flows.errors import ReasonRequired, StaffbotError
from staffbot.app.bus import MessageBus
from staffbot.app.commands.audit import VerifyAuditChain
from staffbot.app.commands.cases import Act, RecordCase
from staffbot.errors import ValidationError
from staffbot.services.audit import verify_chain
from staffbot.services.context import Office
from staffbot.texts import error_text
from storage.tables import BA_REJECTED, BA_SIGNED, CASE_CLOSED
from tests.fakes import FakeDatabase
from tests.handlers.support import (
    FORM,
    HAPPY,
    NAMES,
    act,
    advance_to,
    make_ba,
    record,
    step_of,
    who,
)
from tests.support import differences

KADIS = NAMES["kepala_dinas"]
REASON = "Foto KK buram, mohon kirim ulang"


async def test_recording_a_case_writes_steps_1_and_2_and_pushes_step_3(
    bus: MessageBus, fake_db: FakeDatabase
) -> None:
    result = await record(bus)
    assert (result.number, result.step, result.warnings) == ("PO-2026-00001", "terima_wa", ())
    async with fake_db.uow(readonly=True) as uow:
        case = await uow.cases.get(result.case_id)
        assert case is not None and case.id is not None
        tasks = await uow.tasks.history_of_case(case.id)
        events = await uow.audit.for_case(case.id)
        rows = await uow.outbox.for_case(case.id)
        andi = await uow.staff.by_nip(who("operator_penerima_wa").nip or "")
    assert (case.applicant_name, case.wa_number, case.status, case.nik_outside) == (
        "Siti Aminah",
        "+6281234567890",
        "open",
        False,
    )
    assert [(t.step, t.is_open, t.action) for t in tasks] == [
        ("telepon", False, "call"),
        ("catat", False, "record"),
        ("terima_wa", True, None),
    ]
    assert tasks[2].due_at is not None and tasks[2].assignee_id is None
    # the trail names the applicant's call without personal data, then the officer's record
    assert [(e.kind, e.actor, e.to_step) for e in events] == [
        ("case_created", "Pemohon", "catat"),
        ("transition", NAMES["petugas_call_center"], "terima_wa"),
    ]
    assert events[0].data["recorded_by"] == NAMES["petugas_call_center"]
    # the applicant is told where to send the files; the WA receiver gets the card
    assert [(r.kind, r.chat_id) for r in rows] == [
        ("applicant", "+6281234567890"),
        ("card", str(andi.id if andi else "")),
    ]
    tokens = [c["token"] for c in rows[1].payload["choices"]]
    async with fake_db.uow(readonly=True) as uow:
        stored = [await uow.outbox.token(t) for t in tokens]
    assert [(t.action, t.task_id) for t in stored if t] == [
        ("forward", tasks[2].id),
        ("reject", tasks[2].id),
        ("menu", None),  # 📎: the applicant's files, sent to the chat (none yet)
    ]


async def test_a_nik_from_another_regency_is_recorded_and_flagged(
    bus: MessageBus, fake_db: FakeDatabase
) -> None:
    result = await record(bus, dataclasses.replace(FORM, nik="1871054501900001"))
    assert result.warnings == (
        "Perhatian: NIK terdaftar di luar Kabupaten Tanggamus (kode "
        "wilayah 1871). Kasus tetap dicatat dan ditandai.",
    )
    async with fake_db.uow(readonly=True) as uow:
        case = await uow.cases.get(result.case_id)
    assert case is not None and case.nik_outside


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "   "}, "nama"),
        ({"name": "12345"}, "nama"),
        ({"nik": "18060545019"}, "nik"),
        ({"nik": "9906054501900001"}, "nik"),
        ({"nik": "1806054501900000"}, "nik"),
        ({"wa": "021-555-1234"}, "phone"),
        ({"kecamatan": "Bandar Lampung"}, "kecamatan"),
        ({"layanan": "SIM"}, "layanan"),
        ({"keluhan": "x" * 2001}, "keluhan"),
    ],
)
async def test_each_invalid_field_is_refused_and_nothing_is_written(
    bus: MessageBus, fake_db: FakeDatabase, change: dict[str, str], field: str
) -> None:
    before = fake_db.snapshot()
    with pytest.raises(ValidationError) as caught:
        await record(bus, dataclasses.replace(FORM, **change))
    assert caught.value.params["field"] == field
    assert error_text(caught.value)  # every refusal has its sentence
    assert differences(before, fake_db.snapshot()) == {}


async def test_only_the_call_center_records_a_case(bus: MessageBus, fake_db: FakeDatabase) -> None:
    before = fake_db.snapshot()
    with pytest.raises(StaffbotError) as caught:
        await bus.handle(RecordCase(who=who("operator"), form=FORM))
    assert caught.value.code == "not_your_role"
    assert differences(before, fake_db.snapshot()) == {}


async def test_a_case_goes_through_all_fifteen_steps(
    bus: MessageBus, fake_db: FakeDatabase
) -> None:
    created = await record(bus)
    number = created.number
    seen = ["telepon", "catat", "terima_wa"]
    while (step := await step_of(bus, number)) != "buat_ba":
        result = await act(bus, number, HAPPY[step])
        assert (result.number, result.from_step, result.actor) == (
            number,
            step,
            NAMES[bus.office.flow.step(step).role],
        )
        seen.append(result.to_step or "")
    [ba] = await make_ba(bus, number)
    assert (ba.ba_number, ba.cases, ba.to_step) == (
        "470/1/BA/DISDUKCAPIL/2026",
        (number,),
        "ttd_ba",
    )
    seen.append(await step_of(bus, number))
    final = await act(bus, number, "sign", role="kepala_dinas")  # the BA, with the demo PIN
    assert final.closed and final.cases == (number,) and final.ba_number == ba.ba_number

    assert [bus.office.flow.step(s).sop_no for s in seen] == list(range(1, 16))
    async with fake_db.uow(readonly=True) as uow:
        case = await uow.cases.get(created.case_id)
        assert case is not None and case.id is not None and case.ba_id is not None
        berita_acara = await uow.cases.get_ba(case.ba_id)
        history = await uow.tasks.history_of_case(case.id)
        ba_tasks = await uow.tasks.history_of_ba(case.ba_id)
        events = await uow.audit.for_case(case.id)
        outbox = await uow.outbox.for_case(case.id)
        documents = await uow.documents.of_case(case.id)
        ba_documents = await uow.documents.of_ba(case.ba_id)
        report = await verify_chain(VerifyAuditChain(), uow, bus.office)  # type: ignore[arg-type]
    assert (case.status, case.registration_no) == (CASE_CLOSED, "REG-2026-00001")
    assert berita_acara is not None and berita_acara.status == BA_SIGNED
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
    # every staff step pushed its card (one holder each) and edited it after the action
    assert len([o for o in outbox if o.kind == "card"]) == 12
    assert len([o for o in outbox if o.kind == "edit"]) == 12
    applicant = [o for o in outbox if o.kind == "applicant"]
    assert {o.chat_id for o in applicant} == {"+6281234567890"}
    # one number for the applicant: the nomor pengaduan, never the register's
    assert any(f"Pengaduan {number} telah terdaftar" in o.payload["text"] for o in applicant)
    assert not any("REG-2026-00001" in o.payload["text"] for o in applicant)
    assert any(o.payload.get("attachment") for o in applicant)  # the signed PDF
    assert [d.kind for d in documents] == [
        "berkas_cetak",
        "bukti_pendaftaran",
        "hasil",
        "hasil_ttd",
    ]
    assert (documents[3].signed, documents[3].signer) == (True, KADIS)
    assert [(d.kind, d.signed) for d in ba_documents] == [
        ("berita_acara", False),
        ("berita_acara_ttd", True),
    ]


#: Every reject of the flow: the step it is pressed at, the step the flow sends the
#: case back to, and whether the case then waits on the applicant (SLA clock paused).
REJECTS = [
    ("terima_wa", "terima_wa", True),
    ("loket", "terima_wa", True),
    ("verifikasi_kasi", "loket", False),
    ("ttd_kadis", "entri_data", False),
    ("paraf_kabid", "entri_data", False),
]


def test_the_rejects_below_are_every_reject_of_the_flow(office: Office) -> None:
    flow = office.flow
    named = {(s.key, a.to) for s, a in flow.edges() if a.key == "reject"}
    assert named == {(at, to) for at, to, _ in REJECTS} | {("ttd_ba", "buat_ba")}


@pytest.mark.parametrize(("at", "back_to", "paused"), REJECTS)
async def test_a_reject_goes_back_to_its_step_with_its_reason_in_the_audit(
    bus: MessageBus, fake_db: FakeDatabase, at: str, back_to: str, paused: bool
) -> None:
    created = await record(bus)
    await advance_to(bus, created.number, at)
    result = await act(bus, created.number, "reject", note=REASON)
    assert (result.from_step, result.to_step, result.outcome) == (at, back_to, "Ditolak")
    async with fake_db.uow(readonly=True) as uow:
        case = await uow.cases.get(created.case_id)
        tasks = await uow.tasks.history_of_case(created.case_id)
        event = (await uow.audit.for_case(created.case_id))[-1]
        applicant = [o for o in await uow.outbox.for_case(created.case_id) if o.kind == "applicant"]
    assert case is not None and case.step == back_to
    rejected, reopened = tasks[-2], tasks[-1]
    assert (rejected.step, rejected.action, rejected.note, rejected.is_open) == (
        at,
        "reject",
        REASON,
        False,
    )
    assert (reopened.step, reopened.is_open) == (back_to, True)
    assert (reopened.paused_at is not None, reopened.due_at is None) == (paused, paused)
    assert (event.kind, event.action, event.from_step, event.to_step, event.note) == (
        "transition",
        "reject",
        at,
        back_to,
        REASON,
    )
    # a step back to the applicant tells them what is missing
    assert any(REASON in o.payload["text"] for o in applicant) == paused


async def test_a_reject_needs_a_reason_and_writes_nothing_without_one(
    bus: MessageBus, fake_db: FakeDatabase
) -> None:
    number = (await record(bus)).number
    before = fake_db.snapshot()
    with pytest.raises(ReasonRequired):
        await bus.handle(Act(who=who("operator_penerima_wa"), action="reject", ref=number))
    assert differences(before, fake_db.snapshot()) == {}


async def test_a_rejected_berita_acara_returns_its_cases_to_step_14(
    bus: MessageBus, fake_db: FakeDatabase
) -> None:
    first, second = (await record(bus)).number, (await record(bus)).number
    for number in (first, second):
        await advance_to(bus, number, "buat_ba")
    [ba] = await make_ba(bus, first, second)
    # named as typed from the printed page, in lower case
    result = await bus.handle(
        Act(who=who("kepala_dinas"), action="reject", ref=ba.number.lower(), note=REASON)
    )
    assert (result.to_step, set(result.cases)) == ("buat_ba", {first, second})
    async with fake_db.uow(readonly=True) as uow:
        stored = await uow.cases.ba_by_number(ba.number)
        assert stored is not None and stored.id is not None
        [signing_task] = await uow.tasks.history_of_ba(stored.id)
        ba_events = [e for e in await uow.audit.for_ba(stored.id) if e.action == "reject"]
        cases = [await uow.cases.by_number(n) for n in (first, second)]
        reopened = [await uow.tasks.open_for_case(c.id or 0) for c in cases if c]
    assert stored.status == BA_REJECTED
    assert (signing_task.action, signing_task.note, signing_task.is_open) == (
        "reject",
        REASON,
        False,
    )
    assert [(c.step, c.ba_id) for c in cases if c] == [("buat_ba", None)] * 2
    assert [t.step for t in reopened if t] == ["buat_ba"] * 2
    # one event for the BA, one per case in it, each with the reason
    assert [(e.case_id, e.note, e.to_step, e.actor) for e in ba_events] == [
        (None, REASON, "buat_ba", KADIS),
        *[(c.id, REASON, "buat_ba", KADIS) for c in cases if c],
    ]
    [again] = await make_ba(bus, first, second)
    assert again.number == "470/2/BA/DISDUKCAPIL/2026"


async def test_one_berita_acara_per_kecamatan(bus: MessageBus, fake_db: FakeDatabase) -> None:
    here = (await record(bus)).number
    there = (await record(bus, dataclasses.replace(FORM, kecamatan="Gisting"))).number
    for number in (here, there):
        await advance_to(bus, number, "buat_ba")
    made = await make_ba(bus, here, there)
    assert [(r.cases, r.to_step) for r in made] == [((there,), "ttd_ba"), ((here,), "ttd_ba")]
    async with fake_db.uow(readonly=True) as uow:
        bas = await uow.cases.bas()
    assert sorted((b.kecamatan, b.seq) for b in bas) == [("Gisting", 1), ("Kota Agung", 2)]

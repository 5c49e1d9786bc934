"""The signing process: prepare (every check, once) → sign outside → apply (only what may
have changed in between is checked again, never the PIN). A Berita Acara is signed, and
worked on, by its own number like a case.

Every test runs on SQLite and on PostgreSQL, through the message bus and the office's
local PAdES signer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from flows.errors import AlreadyDone, AssignedToOther, PinRequired
from staffbot.app.commands.cases import (
    Act,
    ActResult,
    Claim,
    ClearManualCheck,
    PreparedSignature,
    Sign,
    SignOutcome,
    Who,
)
from staffbot.app.commands.staff import AddStaff
from staffbot.errors import ConcurrencyConflict, ConfigurationError
from staffbot.services import actors
from staffbot.services.claims import AlreadyClaimed
from staffbot.services.signing import SignPlan, _Apply, _Prepare
from staffbot.texts import error_text
from tests.support import PIN, ROSTER, Desk, differences, snapshot

KADIS = ROSTER["kepala_dinas"]
#: A second holder of the Kepala Dinas's role (an acting head, Plt.), with the same PIN.
PLT = "197501011999031002"
REASON = "Nama pemohon salah ketik"


class Meddling:
    """The office's signer, letting something else happen while it signs (the second a
    BSrE signature takes, when no transaction is open)."""

    def __init__(self, signer: Any, during: Callable[[], Awaitable[object]]) -> None:
        self.signer = signer
        self.during = during

    async def sign(self, pdf: bytes, request: Any) -> Any:
        await self.during()
        return await self.signer.sign(pdf, request)


async def at_signing(desk: Desk, count: int = 1) -> list[str]:
    numbers = [(await desk.new_case()).number for _ in range(count)]
    for number in numbers:
        await desk.advance_to(number, "ttd_kadis")
    return numbers


async def sign(desk: Desk, nip: str, *refs: str, secret: str = PIN) -> list[SignOutcome]:
    return await desk.bus.handle(Sign(Who(nip=nip), secret, refs=refs))


async def signed_documents(desk: Desk, number: str) -> list[str]:
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        return [d.kind for d in await uow.documents.of_case(case.id) if d.signed]


async def test_the_pin_is_checked_once_per_document(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    numbers = await at_signing(desk, 2)
    checked: list[str] = []
    matches = actors.pin_matches

    def counting(pin: str, stored: str) -> bool:
        checked.append(pin)
        return matches(pin, stored)

    monkeypatch.setattr(actors, "pin_matches", counting)
    outcomes = await sign(desk, KADIS, *numbers)
    assert [o.result.to_step for o in outcomes if o.result] == ["cetak_dokumen"] * 2
    # prepared once each; the apply transaction never asks again
    assert checked == [PIN, PIN]


async def test_one_pin_many_documents_each_its_own_signature_and_event(desk: Desk) -> None:
    numbers = await at_signing(desk, 3)
    outcomes = await sign(desk, KADIS, *numbers)
    assert [(o.ref, o.error) for o in outcomes] == [(n, None) for n in numbers]
    results = [o.result for o in outcomes]
    assert len({r.task_id for r in results if r}) == 3
    for number in numbers:
        assert await signed_documents(desk, number) == ["hasil_ttd"]
        async with desk.db.uow(readonly=True) as uow:
            case = await uow.cases.by_number(number)
            assert case is not None and case.id is not None
            events = [e for e in await uow.audit.for_case(case.id) if e.action == "sign"]
        assert [(e.kind, e.actor) for e in events] == [("transition", "Ahmad Fauzi, S.STP., M.Si.")]


async def test_a_wrong_pin_stops_the_batch_and_is_counted_once(desk: Desk) -> None:
    numbers = await at_signing(desk, 3)
    before = await snapshot(desk.db)
    [outcome] = await sign(desk, KADIS, *numbers, secret="000000")
    assert outcome.ref == numbers[0] and outcome.error is not None
    assert error_text(outcome.error) == "PIN salah. Sisa percobaan: 4."
    changed = differences(before, await snapshot(desk.db))
    [(kadis_before, kadis_after)] = changed.pop("staff")
    assert changed == {}
    assert kadis_after == {**kadis_before, "pin_failures": kadis_before["pin_failures"] + 1}


async def test_a_claim_by_a_colleague_while_signing_wins(desk: Desk) -> None:
    """The plan was made for an unclaimed task; the Plt. claimed it meanwhile: the
    signature is thrown away and the person told who holds the task."""
    await desk.bus.handle(
        AddStaff(name="Bambang Sutrisno", nip=PLT, roles=("kepala_dinas",), pin=PIN)
    )
    [number] = await at_signing(desk)
    claim = Claim(Who(nip=PLT), ref=number)
    desk.office = dataclasses.replace(
        desk.office, signer=Meddling(desk.office.signer, lambda: desk.bus.handle(claim))
    )
    [outcome] = await sign(desk, KADIS, number)
    assert isinstance(outcome.error, AlreadyClaimed | AssignedToOther)
    assert "Bambang Sutrisno" in error_text(outcome.error)
    assert await desk.step_of(number) == "ttd_kadis"
    assert await signed_documents(desk, number) == []


async def test_a_press_while_signing_wins(desk: Desk) -> None:
    [number] = await at_signing(desk)
    reject = Act(Who(nip=KADIS), "reject", ref=number, note=REASON)
    desk.office = dataclasses.replace(
        desk.office, signer=Meddling(desk.office.signer, lambda: desk.bus.handle(reject))
    )
    [outcome] = await sign(desk, KADIS, number)
    assert isinstance(outcome.error, AlreadyDone)
    assert await desk.step_of(number) == "entri_data"
    assert await signed_documents(desk, number) == []


async def test_an_item_moved_while_signing_is_not_applied(desk: Desk) -> None:
    [number] = await at_signing(desk)

    async def bump() -> None:  # any write that moves the case's version
        async with desk.db.uow() as uow:
            case = await uow.cases.by_number(number)
            assert case is not None
            assert await uow.cases.compare_and_set(case)
            await uow.commit()

    desk.office = dataclasses.replace(desk.office, signer=Meddling(desk.office.signer, bump))
    [outcome] = await sign(desk, KADIS, number)
    assert isinstance(outcome.error, ConcurrencyConflict)
    assert await desk.step_of(number) == "ttd_kadis"
    assert await signed_documents(desk, number) == []


async def test_only_a_prepared_plan_is_applied(desk: Desk) -> None:
    """The apply step takes no PIN: it must not be reachable with a plan that did not go
    through the prepare step's checks."""
    [number] = await at_signing(desk)
    plan = await desk.bus.handle(_Prepare(Who(nip=KADIS), "sign", PIN, ref=number))
    assert isinstance(plan, SignPlan)
    forged = dataclasses.replace(plan, seal=object())
    signature = PreparedSignature(
        pdf=b"%PDF-1.7",
        signed_at=desk.office.now(),
        signer="?",
        verify_code="x",
        source_document_id=0,
    )
    before = await snapshot(desk.db)
    with pytest.raises(ConfigurationError):
        await desk.bus.handle(_Apply(forged, signature))
    assert differences(before, await snapshot(desk.db)) == {}


async def test_a_berita_acara_number_works_wherever_a_case_number_does(desk: Desk) -> None:
    first, second = (await desk.new_case()).number, (await desk.new_case()).number
    for number in (first, second):
        await desk.advance_to(number, "buat_ba")
    [made] = await desk.make_ba(first, second)
    kadis = Who(nip=KADIS)
    with pytest.raises(PinRequired):  # a signature is taken by the signing process only
        await desk.bus.handle(Act(kadis, "sign", ref=made.number))
    took = await desk.bus.handle(Claim(kadis, ref=made.number))
    assert (took.number, took.step, took.changed) == (made.number, "ttd_ba", True)
    # sent back by its number, made again, signed by its number
    back = await desk.bus.handle(Act(kadis, "reject", ref=made.number, note=REASON))
    assert (back.number, back.to_step, back.cases) == (made.number, "buat_ba", (first, second))
    [again] = await desk.make_ba(first, second)
    [outcome] = await sign(desk, KADIS, again.number)
    result: ActResult | None = outcome.result
    assert result is not None
    assert (result.number, result.ba_number, result.closed) == (again.number, again.number, True)
    with pytest.raises(AlreadyDone):
        await desk.bus.handle(Claim(kadis, ref=again.number))


@pytest.mark.parametrize("by", ["ba", "case"])
async def test_a_manual_check_of_a_berita_acara_is_cleared_for_all_its_cases(
    desk: Desk, by: str
) -> None:
    """By the BA's number, or by the number of any case in it (its signing flagged them
    all): every case is cleared at once, and the BA can be signed."""
    numbers = [(await desk.new_case()).number for _ in range(2)]
    for number in numbers:
        await desk.advance_to(number, "buat_ba")
    [made] = await desk.make_ba(*numbers)
    async with desk.db.uow() as uow:
        for number in numbers:
            case = await uow.cases.by_number(number)
            assert case is not None
            await uow.cases.set_fields(case, needs_manual_check=True)
        await uow.commit()
    [refused] = await sign(desk, KADIS, made.number)
    assert refused.error is not None
    said = f"Kasus {numbers[0]} menunggu pemeriksaan manual tanda tangan."
    assert error_text(refused.error) == said
    ref = made.number if by == "ba" else numbers[1]
    cleared = await desk.bus.handle(ClearManualCheck(ref, by="Admin TI", note="tidak ada"))
    assert cleared == made.number
    async with desk.db.uow(readonly=True) as uow:
        ba = await uow.cases.ba_by_number(made.number)
        assert ba is not None and ba.id is not None
        [event] = [e for e in await uow.audit.for_ba(ba.id) if e.kind == "manual_check_cleared"]
        flags = [c.needs_manual_check for c in await uow.cases.ba_cases(ba.id)]
    assert (event.actor, event.note, flags) == ("Admin TI", "tidak ada", [False, False])
    [outcome] = await sign(desk, KADIS, made.number)
    assert outcome.result is not None and outcome.result.closed

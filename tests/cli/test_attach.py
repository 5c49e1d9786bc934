"""`case act --attachment`: the uploaded result document and the action that submits it
are one transaction (Attach + Act through ``bus.atomically``), on both databases."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from flows.errors import NotYourRole
from staffbot.app.bus import Tx
from staffbot.app.commands.cases import Act, ActResult, Who
from staffbot.app.commands.files import Attach
from tests.support import ROSTER, Desk, tiny_pdf


async def _documents(desk: Desk, number: str) -> list[tuple[str, str, int | None]]:
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        return [(d.kind, d.filename, d.created_by) for d in await uow.documents.of_case(case.id)]


async def _at_step_8(desk: Desk) -> str:
    number = (await desk.new_case()).number
    for action in ("forward", "done", "done", "approve", "approve"):
        await desk.act(number, action)
    assert await desk.step_of(number) == "entri_data"
    return number


def _submit(who: Who, number: str) -> Callable[[Tx], Awaitable[ActResult]]:
    async def submit(tx: Tx) -> ActResult:
        document_id = await tx.run(Attach(who, number, "hasil KK.pdf", tiny_pdf(number)))
        return await tx.run(Act(who, "submit_tte", ref=number, attachment_id=document_id))

    return submit


async def test_the_attachment_and_its_submission_commit_together(desk: Desk) -> None:
    number = await _at_step_8(desk)
    result = await desk.bus.atomically(_submit(Who(nip=ROSTER["operator"]), number))
    assert (result.from_step, result.to_step) == ("entri_data", "ttd_kadis")
    async with desk.db.uow(readonly=True) as uow:
        operator = await uow.staff.by_nip(ROSTER["operator"])
    assert operator is not None
    assert ("hasil", "hasil KK.pdf", operator.id) in await _documents(desk, number)


async def test_a_refused_submission_keeps_no_attachment(desk: Desk) -> None:
    number = await _at_step_8(desk)
    before = await _documents(desk, number)
    not_the_operator = Who(nip=ROSTER["kepala_bidang"])
    with pytest.raises(NotYourRole):
        await desk.bus.atomically(_submit(not_the_operator, number))
    assert await _documents(desk, number) == before
    assert await desk.step_of(number) == "entri_data"

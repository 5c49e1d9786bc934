"""Fifty simultaneous presses on one task give exactly one transition (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

from flows.errors import AlreadyDone
from staffbot.services import staff, transitions
from tests.support import ROSTER, Desk, counts


async def test_fifty_simultaneous_acts_on_one_task(desk: Desk) -> None:
    # Five operators of the same role press forward ten times each, all at once.
    nips = [ROSTER["operator_penerima_wa"]]
    for i in range(4):
        extra = await staff.add_staff(
            desk.uow(),
            desk.office,
            staff.NewStaff(
                name=f"Operator WA {i}",
                nip=f"19950101202001100{i}",
                roles=("operator_penerima_wa",),
            ),
        )
        nips.append(extra.nip)
    number = (await desk.new_case()).number
    task_id = await desk.open_task_id(number)
    before = await counts(desk.db)

    async def press(nip: str) -> str:
        try:
            await transitions.act(
                desk.uow(), desk.office, actor_nip=nip, task_id=task_id, action="forward"
            )
        except AlreadyDone:
            return "already"
        return "won"

    outcomes = await asyncio.gather(*(press(nips[i % len(nips)]) for i in range(50)))
    after = await counts(desk.db)
    assert outcomes.count("won") == 1 and outcomes.count("already") == 49
    assert after["audit_event"] - before["audit_event"] == 1
    # one transition: its task, the edits of the five cards of step 3, one card of step 4
    assert after["task"] - before["task"] == 1
    assert after["outbox"] - before["outbox"] == len(nips) + 1
    assert await desk.step_of(number) == "angkat_data"

"""Fifty simultaneous presses on one task give exactly one transition (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

from flows.errors import AlreadyDone
from staffbot.app.commands.cases import Act, Who
from staffbot.app.commands.staff import AddStaff
from staffbot.texts import error_text
from tests.support import ROSTER, Desk, counts


async def test_fifty_simultaneous_acts_on_one_task(desk: Desk) -> None:
    # Five operators of the same role press forward ten times each, all at once.
    nips = [ROSTER["operator_penerima_wa"]]
    for i in range(4):
        extra = await desk.bus.handle(
            AddStaff(
                name=f"Operator WA {i}",
                nip=f"19950101202001100{i}",
                roles=("operator_penerima_wa",),
            )
        )
        nips.append(extra.nip)
    number = (await desk.new_case()).number
    task_id = await desk.open_task_id(number)
    before = await counts(desk.db)

    async def press(nip: str) -> str:
        try:
            result = await desk.bus.handle(Act(Who(nip=nip), "forward", task_id=task_id))
        except AlreadyDone as refused:
            return error_text(refused)
        return f"won by {result.actor}"

    outcomes = await asyncio.gather(*(press(nips[i % len(nips)]) for i in range(50)))
    after = await counts(desk.db)
    [winner] = [o for o in outcomes if o.startswith("won by ")]
    # every loser is told, in the words of the chat, who was first and when
    told = f"Sudah diproses oleh {winner.removeprefix('won by ')} pada 09:00."
    assert outcomes.count(told) == 49
    assert after["audit_event"] - before["audit_event"] == 1
    # one transition: its task, the edits of the five cards of step 3, one card of step 4
    assert after["task"] - before["task"] == 1
    assert after["outbox"] - before["outbox"] == len(nips) + 1
    assert await desk.step_of(number) == "angkat_data"

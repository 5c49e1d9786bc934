"""The dispatcher is woken by the commit that wrote outbox rows: a card goes out at
once, not at the next periodic sweep. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio

from staffbot.channels.base import Channel, Delivered, Delivery
from staffbot.clock import FixedClock
from staffbot.dispatcher import OutboxDispatcher
from tests.support import Desk

#: An hour between sweeps: anything delivered within the test's patience was woken.
SWEEP = 3600.0
#: Generous, for a loaded CI machine; far below SWEEP all the same.
PATIENCE = 30.0


class Recording(Channel):
    """A web channel that takes every message and signals the one the test waits for."""

    name = "web"

    def __init__(self) -> None:
        self.sent: list[Delivery] = []
        self.wanted = ""
        self.arrived = asyncio.Event()

    async def deliver(self, delivery: Delivery) -> Delivered:
        self.sent.append(delivery)
        if self.wanted and delivery.kind == "send" and self.wanted in delivery.message.text:
            self.arrived.set()
        return Delivered(message_id=f"web-{len(self.sent)}")


class Observed(OutboxDispatcher):
    """Tells the test when a pass is over and how long the loop means to sleep after it."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.passes = 0
        self.pause = -1.0
        self.passed = asyncio.Event()

    async def run_once(self) -> float:
        pause = await super().run_once()
        self.passes, self.pause = self.passes + 1, pause
        self.passed.set()
        return pause


async def test_a_committed_transition_is_delivered_without_waiting_for_the_sweep(
    desk: Desk, clock: FixedClock
) -> None:
    number = (await desk.new_case()).number
    web = Recording()
    # what the intake queued goes out first, so the loop starts with nothing to do
    await OutboxDispatcher(desk.db, {"web": web}, clock=clock).drain()
    assert [d.kind for d in web.sent] == ["send"]  # the card of step 3
    dispatcher = Observed(desk.db, {"web": web}, clock=clock, sweep_interval=SWEEP)
    await dispatcher.start()
    try:
        await asyncio.wait_for(dispatcher.passed.wait(), timeout=PATIENCE)
        # the first pass found nothing: the loop now sleeps until the sweep, an hour away
        assert (dispatcher.passes, dispatcher.pause) == (1, SWEEP)
        web.wanted = "Langkah 4"
        await desk.act(number, "forward")  # commits the step-4 card and the edit of step 3
        await asyncio.wait_for(web.arrived.wait(), timeout=PATIENCE)
    finally:
        await dispatcher.stop()
    [card] = [d for d in web.sent if d.kind == "send" and "Langkah 4" in d.message.text]
    assert number in card.message.text
    assert dispatcher.passes >= 2
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        rows = await uow.outbox.for_case(case.id)
    [step4] = [r for r in rows if r.kind == "card" and "Langkah 4" in r.payload["text"]]
    assert step4.idempotency_key == card.idempotency_key
    assert step4.status == "sent" and step4.platform_message_id is not None

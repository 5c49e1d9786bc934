"""The signing PIN's shape and lock, on the fake unit of work: a PIN that cannot be
the office's 6-digit PIN is refused before it is compared and is not counted; the
lock's end is asked before any prompt."""

from __future__ import annotations

from datetime import timedelta

from staffbot.app.bus import MessageBus
from staffbot.app.commands.cases import SigningLock
from staffbot.clock import FixedClock
from staffbot.errors import ValidationError
from staffbot.texts import error_text
from tests.fakes import FakeDatabase
from tests.handlers.support import advance_to, open_task_id, record, sign, who
from tests.support import differences

WRONG_PIN = "654321"


async def _at_signing(bus: MessageBus, count: int) -> list[int]:
    task_ids = []
    for _ in range(count):
        number = (await record(bus)).number
        await advance_to(bus, number, "ttd_kadis")
        task_ids.append(await open_task_id(bus, number))
    return task_ids


async def test_a_pin_of_the_wrong_shape_changes_nothing_and_stops_the_batch(
    bus: MessageBus, fake_db: FakeDatabase
) -> None:
    first, second = await _at_signing(bus, 2)
    for typo in ("65432", "1234567", "12a456", ""):
        before = fake_db.snapshot()
        outcomes = await sign(bus, first, second, pin=typo)
        # one refusal for the batch: every document would be refused alike
        [(task_id, error)] = [(o.task_id, o.error) for o in outcomes]
        assert task_id == first and isinstance(error, ValidationError)
        assert error_text(error) == "PIN harus 6 digit angka."
        assert error_text(error, "en") == "The PIN must be 6 digits."
        assert differences(before, fake_db.snapshot()) == {}  # not counted either
    signed = await sign(bus, first, second)
    assert [(o.task_id, o.error) for o in signed] == [(first, None), (second, None)]


async def test_the_lock_is_known_before_any_pin_is_asked(
    bus: MessageBus, fake_db: FakeDatabase, clock: FixedClock
) -> None:
    [task_id] = await _at_signing(bus, 1)
    kadis = who("kepala_dinas")
    assert await bus.handle(SigningLock(kadis)) is None
    for _ in range(4):
        await sign(bus, task_id, pin=WRONG_PIN)
    assert await bus.handle(SigningLock(kadis)) is None  # four wrong: not locked yet
    before = fake_db.snapshot()
    await sign(bus, task_id, pin=WRONG_PIN)
    # locked 30 minutes from 09:00 office time, in PUEBI's notation
    assert await bus.handle(SigningLock(kadis)) == "09.30"
    assert "staff" in differences(before, fake_db.snapshot())
    clock.advance(timedelta(minutes=30))
    assert await bus.handle(SigningLock(kadis)) is None

"""Task digests (services/task_digest.py) on the fake unit of work: who chose a digest
gets no card per task but one digest message, updated in place where the chat can edit
and posted again at most every interval where it cannot (WhatsApp)."""

from __future__ import annotations

from datetime import timedelta

from staffbot.app.bus import MessageBus
from staffbot.app.commands.sla import TaskDigests
from staffbot.app.commands.staff import CARDS_DIGEST, ChangeStaff
from staffbot.clock import FixedClock
from tests.fakes import FakeDatabase
from tests.handlers.support import advance_to, record
from tests.support import ROSTER

KADIS = ROSTER["kepala_dinas"]
HOUR = timedelta(hours=1)


async def _kadis_rows(fake_db: FakeDatabase) -> list[tuple[str, int | None, str]]:
    async with fake_db.uow(readonly=True) as uow:
        kadis = await uow.staff.by_nip(KADIS)
        assert kadis is not None
        listed = await uow.outbox.listing(status=None, limit=10_000)
    rows = sorted((r for r in listed if r.staff_id == kadis.id), key=lambda r: r.id or 0)
    return [(r.kind, r.ref_id, str(r.payload.get("text", ""))) for r in rows]


async def _to_sign(bus: MessageBus) -> str:
    number = (await record(bus)).number
    await advance_to(bus, number, "ttd_kadis")
    return number


async def test_a_digest_instead_of_cards_updated_in_place(
    bus: MessageBus, fake_db: FakeDatabase, clock: FixedClock
) -> None:
    await bus.handle(ChangeStaff(KADIS, cards=CARDS_DIGEST))
    first = [await _to_sign(bus) for _ in range(3)]
    assert await _kadis_rows(fake_db) == []  # no card per document

    assert await bus.handle(TaskDigests(clock.now(), HOUR)) == 1
    [(kind, _, text)] = await _kadis_rows(fake_db)
    assert kind == "digest" and "3 dokumen menunggu tanda tangan" in text
    assert all(number in text for number in first)
    assert await bus.handle(TaskDigests(clock.now(), HOUR)) == 0  # nothing changed

    fourth = await _to_sign(bus)
    assert await bus.handle(TaskDigests(clock.now() + timedelta(minutes=1), HOUR)) == 1
    rows = await _kadis_rows(fake_db)
    digest_id = await _first_id(fake_db)
    assert [(kind, ref) for kind, ref, _ in rows] == [("digest", None), ("edit", digest_id)]
    assert "4 dokumen" in rows[-1][2] and fourth in rows[-1][2]


async def test_whatsapp_gets_a_new_digest_at_most_every_interval(
    bus: MessageBus, fake_db: FakeDatabase, clock: FixedClock
) -> None:
    await bus.handle(
        ChangeStaff(KADIS, cards=CARDS_DIGEST, whatsapp="081277770001", channel="whatsapp")
    )
    await _to_sign(bus)
    now = clock.now()
    assert await bus.handle(TaskDigests(now, HOUR)) == 1
    await _to_sign(bus)
    assert await bus.handle(TaskDigests(now + timedelta(minutes=30), HOUR)) == 0
    assert await bus.handle(TaskDigests(now + timedelta(minutes=61), HOUR)) == 1
    kinds = [kind for kind, _, _ in await _kadis_rows(fake_db)]
    assert kinds == ["digest", "digest"]


async def test_no_digest_while_the_office_is_closed(
    bus: MessageBus, fake_db: FakeDatabase, clock: FixedClock
) -> None:
    await bus.handle(ChangeStaff(KADIS, cards=CARDS_DIGEST))
    await _to_sign(bus)
    night = clock.now().replace(hour=22)
    assert await bus.handle(TaskDigests(night, HOUR)) == 0
    assert await _kadis_rows(fake_db) == []


async def _first_id(fake_db: FakeDatabase) -> int:
    async with fake_db.uow(readonly=True) as uow:
        kadis = await uow.staff.by_nip(KADIS)
        assert kadis is not None and kadis.id is not None
        row = await uow.outbox.latest_of_kind(kadis.id, "digest")
    assert row is not None and row.id is not None
    return row.id

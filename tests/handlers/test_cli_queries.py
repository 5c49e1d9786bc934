"""The commands the command line and the running bot use instead of reaching the
database themselves: an uploaded result document refused (Attach; stored and submitted
together: tests/cli/test_attach.py), a document's bytes (ReadDocument), the cases
waiting for a Berita Acara, role holders, a staff member by NIP, and the roster summary
behind the running bot's demo mode."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from staffbot.app.bus import MessageBus
from staffbot.app.commands.batches import WaitingForBa, WaitingPlace
from staffbot.app.commands.cases import Who
from staffbot.app.commands.files import Attach, ReadDocument
from staffbot.app.commands.staff import (
    FindStaff,
    RoleHolders,
    RosterSummary,
    SummarizeRoster,
)
from staffbot.channels.base import FileBlob
from staffbot.errors import ConfigurationError, ValidationError
from tests.fakes import FakeDatabase
from tests.handlers.support import (
    FORM,
    NAMES,
    ROSTER,
    add_colleague,
    advance_to,
    record,
    who,
)
from tests.support import tiny_pdf

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


async def _documents(db: FakeDatabase, number: str) -> list[tuple[str, str, int | None]]:
    async with db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        return [(d.kind, d.filename, d.created_by) for d in await uow.documents.of_case(case.id)]


@pytest.mark.parametrize(
    ("nip", "ref", "data"),
    [
        ("199999999999999999", None, tiny_pdf()),  # unknown staff
        (None, "PO-2026-09999", tiny_pdf()),  # unknown case
        (None, None, b"not a pdf"),  # not a document
    ],
)
async def test_an_attachment_refused_stores_nothing(
    bus: MessageBus, fake_db: FakeDatabase, nip: str | None, ref: str | None, data: bytes
) -> None:
    number = (await record(bus)).number
    before = await _documents(fake_db, number)
    actor = Who(nip=nip) if nip is not None else who("operator")
    with pytest.raises(ValidationError):
        await bus.handle(Attach(actor, ref or number, "hasil.pdf", data))
    assert await _documents(fake_db, number) == before


async def test_a_document_is_read_back_by_id(bus: MessageBus) -> None:
    number = (await record(bus)).number
    data = tiny_pdf("dibaca")
    document_id = await bus.handle(Attach(who("operator"), number, "hasil.pdf", data))
    assert await bus.handle(ReadDocument(document_id)) == FileBlob(
        "hasil.pdf", "application/pdf", data
    )
    with pytest.raises(ConfigurationError):
        await bus.handle(ReadDocument(document_id + 1000))


async def test_cases_waiting_for_a_berita_acara_per_kecamatan(bus: MessageBus) -> None:
    assert await bus.handle(WaitingForBa()) == []
    first = (await record(bus)).number
    other = (await record(bus, dataclasses.replace(FORM, kecamatan="Gisting"))).number
    for number in (first, other):
        await advance_to(bus, number, "buat_ba")
    expected = [WaitingPlace("Gisting", (other,)), WaitingPlace("Kota Agung", (first,))]
    assert await bus.handle(WaitingForBa()) == expected
    assert await bus.handle(WaitingForBa(who("kasi_inovasi"))) == expected


async def test_role_holders_and_staff_by_nip(bus: MessageBus, fake_db: FakeDatabase) -> None:
    [kadis] = await bus.handle(RoleHolders("kepala_dinas"))
    assert (kadis.nip, kadis.name) == (ROSTER["kepala_dinas"], NAMES["kepala_dinas"])
    await add_colleague(fake_db, "Lina Kartika", "199909092021012013", "operator", NOW)
    holders = await bus.handle(RoleHolders("operator"))
    assert sorted(h.nip for h in holders) == sorted([ROSTER["operator"], "199909092021012013"])
    assert await bus.handle(RoleHolders("kurir")) == []
    found = await bus.handle(FindStaff(ROSTER["kepala_bidang"]))
    assert found is not None and found.name == NAMES["kepala_bidang"]
    assert await bus.handle(FindStaff("100000000000000000")) is None


async def test_the_roster_summary_tells_a_demo_roster(
    bus: MessageBus, fake_db: FakeDatabase
) -> None:
    assert await bus.handle(SummarizeRoster()) == RosterSummary(staff=len(ROSTER), demo_only=True)
    await add_colleague(fake_db, "Lina Kartika", "199909092021012013", "operator", NOW)
    assert await bus.handle(SummarizeRoster()) == RosterSummary(
        staff=len(ROSTER) + 1, demo_only=False
    )


async def test_an_empty_roster_is_not_a_demo_roster(office: object) -> None:
    from staffbot.app.handlers import handlers, processes

    bus = MessageBus(FakeDatabase(), office, handlers(), processes())  # type: ignore[arg-type]
    assert await bus.handle(SummarizeRoster()) == RosterSummary(staff=0, demo_only=False)

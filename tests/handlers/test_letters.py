"""The letters the office makes, through the bus: numbers from the office's patterns
(assigned once, per year), the signer named from the roster, one Berita Acara per UPT."""

from __future__ import annotations

import dataclasses
import io
from datetime import datetime

import pytest
from pypdf import PdfReader

from staffbot.app.bus import MessageBus
from staffbot.app.commands.batches import WaitingForBa
from staffbot.app.commands.cases import MakeBa
from staffbot.app.commands.staff import ChangeStaff
from staffbot.app.handlers import handlers, processes
from staffbot.clock import FixedClock
from staffbot.services.context import Office
from staffbot.services.files import read_blob
from tests.conftest import WIB
from tests.fakes import FakeDatabase
from tests.handlers.support import advance_to, attach, make_ba, record, who
from tests.support import FORM, ROSTER

NUMBERS = {
    "surat": "045.2/{seq:03d}/PO-SRT/{roman_month}/{year}",
    "ba": "800/{seq}/BA-UPT/DISDUKCAPIL/{year}",
    "rekap": "470/{seq}/REKAP/DISDUKCAPIL/{year}",
}


@pytest.fixture
def office_with_patterns(office: Office) -> Office:
    reference = dataclasses.replace(
        office.reference,
        numbers=NUMBERS,
        upt={"Kota Agung Timur": "UPT Disdukcapil Kecamatan Kota Agung"},
    )
    return dataclasses.replace(office, reference=reference)


@pytest.fixture
def desk(fake_db: FakeDatabase, office_with_patterns: Office) -> MessageBus:
    return MessageBus(fake_db, office_with_patterns, handlers(), processes())  # type: ignore[arg-type]


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


async def letter(bus: MessageBus, number: str) -> tuple[str, str]:
    """The case's surat tanggapan, made at step 8: its stored number and its text."""
    document_id = await attach(bus, number)
    async with bus.db.uow(readonly=True) as uow:
        document = await uow.documents.get(document_id)
        assert document is not None
        pdf = read_blob(bus.office, document)
    return str(document.meta["number"]), text_of(pdf)


async def test_letter_numbers_follow_the_pattern_and_count_per_year(
    desk: MessageBus, clock: FixedClock
) -> None:
    bus = desk
    first = (await record(bus)).number
    second = (await record(bus)).number
    for number in (first, second):
        await advance_to(bus, number, "entri_data")

    one, text = await letter(bus, first)
    assert one == "045.2/001/PO-SRT/XI/2026"
    assert f"Nomor : {one}" in text
    two, _ = await letter(bus, second)
    assert two == "045.2/002/PO-SRT/XI/2026"
    # made again (corrected before it is signed): one letter, one number
    again, text = await letter(bus, first)
    assert again == one and f"Nomor : {one}" in text

    clock.set(datetime(2027, 1, 4, 9, 0, tzinfo=WIB))  # a new year: the sequence restarts
    third = (await record(bus)).number
    await advance_to(bus, third, "entri_data")
    new_year, _ = await letter(bus, third)
    assert new_year == "045.2/001/PO-SRT/I/2027"


async def test_the_letter_names_the_kepala_dinas_from_the_roster(desk: MessageBus) -> None:
    bus = desk
    await bus.handle(
        ChangeStaff(
            ROSTER["kepala_dinas"],
            pangkat="Pembina Utama Muda (IV/c)",
            jabatan="",  # none in the roster: the office's name makes it
        )
    )
    number = (await record(bus)).number
    await advance_to(bus, number, "entri_data")
    _, text = await letter(bus, number)
    assert (
        "Kepala Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tanggamus, "
        "Ahmad Fauzi, S.STP., M.Si. Pembina Utama Muda (IV/c) NIP. 19790303 199810 1 001"
    ) in text
    # the applicant of FORM is a woman (NIK day 45), addressed once, by the NIK
    assert "Sdri. Siti Aminah" in text and "Saudari" in text and "Saudara/i" not in text
    assert text.count("Menindaklanjuti") == 1 and text.count("Demikian") == 1
    assert "nomor pengaduan " + number in text
    assert "BSrE" not in text  # the office's own CA signs in these tests


async def test_one_berita_acara_per_upt_with_the_configured_number(desk: MessageBus) -> None:
    bus = desk
    numbers = [
        (await record(bus, dataclasses.replace(FORM, kecamatan=kecamatan))).number
        for kecamatan in ("Kota Agung Timur", "Kota Agung", "Gisting")
    ]
    for number in numbers:
        await advance_to(bus, number, "buat_ba")
    made = await make_ba(bus, *numbers)
    assert sorted((r.ba_number, r.cases) for r in made) == [
        ("800/1/BA-UPT/DISDUKCAPIL/2026", (numbers[2],)),  # Gisting
        ("800/2/BA-UPT/DISDUKCAPIL/2026", (numbers[0], numbers[1])),  # two kecamatan, one UPT
    ]
    async with bus.db.uow(readonly=True) as uow:
        ba = await uow.cases.ba_by_number("800/2/BA-UPT/DISDUKCAPIL/2026")
        assert ba is not None and ba.id is not None
        assert (ba.upt, ba.kecamatan, ba.year, ba.seq) == (
            "UPT Disdukcapil Kecamatan Kota Agung",
            "Kota Agung, Kota Agung Timur",
            2026,
            2,
        )
        [document] = await uow.documents.of_ba(ba.id)
        text = text_of(read_blob(bus.office, document))
    assert "PIHAK KEDUA (UPT Disdukcapil Kecamatan Kota Agung)" in text
    assert "(Kec. Kota Agung Timur)" in text
    # the result document's number (the letter made at step 8) is listed for the UPT
    assert "045.2/001/PO-" in text and "045.2/002/PO-" in text


async def test_buat_ba_lists_a_shared_upt_once_and_takes_all_its_cases(desk: MessageBus) -> None:
    bus = desk
    numbers = [
        (await record(bus, dataclasses.replace(FORM, kecamatan=kecamatan))).number
        for kecamatan in ("Kota Agung Timur", "Kota Agung", "Gisting")
    ]
    for number in numbers:
        await advance_to(bus, number, "buat_ba")
    waiting = await bus.handle(WaitingForBa())
    assert [(w.kecamatan, w.cases) for w in waiting] == [
        ("Gisting", (numbers[2],)),
        ("UPT Disdukcapil Kecamatan Kota Agung", (numbers[0], numbers[1])),
    ]
    # the name of either kecamatan finds the UPT's cases
    [made] = await bus.handle(MakeBa(who=who("kasi_inovasi"), kecamatan="kota agung timur"))
    assert made.cases == (numbers[0], numbers[1])

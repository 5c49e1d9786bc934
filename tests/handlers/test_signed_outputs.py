"""Signed outputs that reach people, and uploads that came signed (issue 13).

* The signed Berita Acara goes to the Kasi Inovasi who made it and to the UPT of its
  kecamatan (STAFFBOT_UPT_CONTACTS), each as an outbox row; the Kepala Dinas's card is
  edited to carry the signed PDF, for a letter and for a Berita Acara.
* A result PDF uploaded with a valid signature already (a KK printed from SIAK) is not
  stamped again: the card says so, the press confirms without a PIN, the audit trail
  says "ditandatangani di SIAK" and the applicant gets the upload byte for byte.
* An unsigned upload gets its stamp on an appended approval page.

Handler tier: commands through the bus over the fake unit of work.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
from typing import Any

import pytest
from pypdf import PdfReader

from flows.errors import PinRequired
from staffbot.app.bus import MessageBus
from staffbot.app.commands.cases import Act, ActResult, ConfirmSigned, Sign
from staffbot.app.commands.files import Attach
from staffbot.app.handlers import handlers, processes
from staffbot.services.context import Office
from staffbot.services.notify import Address
from staffbot.services.signed_outputs import upt_address
from staffbot.settings import Settings
from storage.tables import Document, Outbox
from tests.fakes import FakeDatabase
from tests.handlers.support import (
    NAMES,
    act,
    add_colleague,
    advance_to,
    make_ba,
    open_task_id,
    record,
    who,
)
from tests.support import PIN, ROSTER, SIAK_SIGNER, siak_signed_pdf, tiny_pdf

UPT_PHONE = "+6281234560001"
UPT_NIP = "198512312010011001"


@pytest.fixture(scope="module")
def siak_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return siak_signed_pdf(tmp_path_factory.mktemp("siak"))


async def _rows(db: FakeDatabase) -> list[Outbox]:
    async with db.uow(readonly=True) as uow:
        return list(reversed(await uow.outbox.listing(limit=10_000)))


async def _documents(db: FakeDatabase, number: str, kind: str) -> list[Document]:
    async with db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        found = list(await uow.documents.of_case(case.id, kind))
        if not found and case.ba_id is not None:
            found = list(await uow.documents.of_ba(case.ba_id, kind))
        return found


def _blob(office: Office, document: Document) -> bytes:
    return (office.data_dir / document.path).read_bytes()


async def _staff_id(db: FakeDatabase, role: str) -> int:
    async with db.uow(readonly=True) as uow:
        staff = await uow.staff.by_nip(ROSTER[role])
        assert staff is not None and staff.id is not None
        return staff.id


def _signer_card_edits(rows: list[Outbox], kadis_id: int) -> list[Outbox]:
    cards = {r.id for r in rows if r.kind == "card" and r.chat_id == str(kadis_id)}
    return [r for r in rows if r.kind == "edit" and r.ref_id in cards]


async def test_the_signed_ba_reaches_its_maker_the_upt_and_the_signers_card(
    office: Office, fake_db: FakeDatabase
) -> None:
    reference = dataclasses.replace(office.reference, upt_contacts={"kota agung": "0812-3456-0001"})
    office = dataclasses.replace(office, reference=reference)
    bus = MessageBus(fake_db, office, handlers(), processes())  # type: ignore[arg-type]
    number = (await record(bus)).number
    await advance_to(bus, number, "buat_ba")
    [made] = await make_ba(bus, number)
    [outcome] = await bus.handle(
        Sign(who("kepala_dinas"), PIN, task_ids=(await open_task_id(bus, number),))
    )
    assert outcome.error is None
    [signed] = await _documents(fake_db, number, "berita_acara_ttd")
    rows = [r for r in await _rows(fake_db) if r.ba_id is not None]
    sent = {(r.channel, r.chat_id): r for r in rows if r.kind == "document" and r.ba_id is not None}
    kasi = str(await _staff_id(fake_db, "kasi_inovasi"))
    assert set(sent) == {("web", kasi), ("whatsapp", UPT_PHONE)}
    for row in sent.values():
        assert row.payload["attachment"]["document_id"] == signed.id
        assert made.number in row.payload["text"] and NAMES["kepala_dinas"] in row.payload["text"]
    [edit] = _signer_card_edits(rows, await _staff_id(fake_db, "kepala_dinas"))
    assert edit.payload["attachment"]["document_id"] == signed.id
    assert edit.payload["sends_document"] is True
    assert f"Dokumen ber-TTE: {signed.filename}" in edit.payload["text"]


async def test_the_signed_letter_is_on_its_signers_card(
    bus: MessageBus, fake_db: FakeDatabase
) -> None:
    number = (await record(bus)).number
    await advance_to(bus, number, "cetak_dokumen")
    [signed] = await _documents(fake_db, number, "hasil_ttd")
    [edit] = _signer_card_edits(await _rows(fake_db), await _staff_id(fake_db, "kepala_dinas"))
    assert edit.payload["attachment"] == {"document_id": signed.id, "filename": signed.filename}
    assert "Ditandatangani oleh" in edit.payload["text"]


async def _submit_upload(bus: MessageBus, number: str, data: bytes) -> ActResult:
    """SOP step 8 with an uploaded PDF (the chat's file, `case act --attachment`)."""
    await advance_to(bus, number, "entri_data")
    operator = who("operator")
    document_id = await bus.handle(Attach(operator, number, "kk-siak.pdf", data))
    return await bus.handle(Act(operator, "submit_tte", ref=number, attachment_id=document_id))


async def test_an_upload_signed_in_siak_is_confirmed_not_signed_again(
    bus: MessageBus, fake_db: FakeDatabase, siak_pdf: bytes
) -> None:
    number = (await record(bus)).number
    await _submit_upload(bus, number, siak_pdf)
    kadis = await _staff_id(fake_db, "kepala_dinas")
    [card] = [
        r
        for r in await _rows(fake_db)
        if r.kind == "card" and r.chat_id == str(kadis) and number in r.payload["text"]
    ]
    assert (
        "sudah ditandatangani secara elektronik (SIAK) oleh " + SIAK_SIGNER in card.payload["text"]
    )
    assert "tidak dikenal bot" in card.payload["text"]  # not the office's own CA
    labels = [c["label"] for c in card.payload["choices"]]
    assert "Konfirmasi TTE SIAK" in labels and "Tanda Tangani" not in labels

    result = await bus.handle(ConfirmSigned(who("kepala_dinas"), task_id=card.task_id))
    assert (result.from_step, result.to_step) == ("ttd_kadis", "cetak_dokumen")
    await advance_to(bus, number, "buat_ba")

    [passed_on] = await _documents(fake_db, number, "hasil_ttd")
    assert _blob(bus.office, passed_on) == siak_pdf  # byte for byte: no second stamp
    assert passed_on.signer == SIAK_SIGNER
    applicant = [
        r for r in await _rows(fake_db) if r.kind == "applicant" and r.payload.get("attachment")
    ]
    assert applicant[-1].payload["attachment"]["document_id"] == passed_on.id
    async with fake_db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        events = await uow.audit.for_case(case.id)
        tasks = await uow.tasks.history_of_case(case.id)
    [signing] = [e for e in events if e.kind == "transition" and e.action == "sign"]
    assert signing.note == f"ditandatangani di SIAK ({SIAK_SIGNER})"
    assert signing.actor == NAMES["kepala_dinas"]
    [step_9] = [t for t in tasks if t.step == "ttd_kadis"]
    assert step_9.note == signing.note


async def test_signing_with_the_pin_does_not_stamp_it_either(
    bus: MessageBus, fake_db: FakeDatabase, siak_pdf: bytes
) -> None:
    number = (await record(bus)).number
    await _submit_upload(bus, number, siak_pdf)
    await act(bus, number, "sign")  # "sign all" with the PIN, say
    [passed_on] = await _documents(fake_db, number, "hasil_ttd")
    assert (
        hashlib.sha256(_blob(bus.office, passed_on)).digest() == hashlib.sha256(siak_pdf).digest()
    )


async def test_an_unsigned_upload_is_stamped_on_an_appended_page(
    bus: MessageBus, fake_db: FakeDatabase
) -> None:
    number = (await record(bus)).number
    upload = tiny_pdf(number)
    await _submit_upload(bus, number, upload)
    with pytest.raises(PinRequired):  # nothing to confirm: it needs a signature
        await bus.handle(ConfirmSigned(who("kepala_dinas"), ref=number))
    await act(bus, number, "sign")
    [signed] = await _documents(fake_db, number, "hasil_ttd")
    reader = PdfReader(io.BytesIO(_blob(bus.office, signed)))
    assert len(reader.pages) == 2
    assert "/Annots" not in reader.pages[0]  # the document's own page: nothing on it
    widgets: list[Any] = [a.get_object() for a in reader.pages[1]["/Annots"]]
    assert [w["/FT"] for w in widgets] == ["/Sig"]
    assert "LEMBAR PENGESAHAN" in reader.pages[1].extract_text()


async def test_a_upt_is_reached_by_its_staff_account_or_its_number(
    office: Office, fake_db: FakeDatabase
) -> None:
    """STAFFBOT_UPT_CONTACTS: a NIP reaches the UPT's staff account on its own channel, a
    number that is no staff member's is a WhatsApp chat, an unknown NIP reaches nobody."""
    await add_colleague(fake_db, "UPT Gisting", UPT_NIP, "upt", office.now())
    contacts = {"Gisting": UPT_NIP, "Pugung": "0812-3456-0001", "Bulok": "199901012020121099"}
    office = dataclasses.replace(
        office, reference=dataclasses.replace(office.reference, upt_contacts=contacts)
    )
    async with fake_db.uow() as uow:
        account = await uow.staff.by_nip(UPT_NIP)
        assert account is not None
        gisting = await upt_address(uow, office, "gisting")
        pugung = await upt_address(uow, office, "Pugung")
        assert await upt_address(uow, office, "Bulok") is None
        assert await upt_address(uow, office, "Semaka") is None
    assert gisting == (Address("web", str(account.id)), account)
    assert pugung == (Address("whatsapp", UPT_PHONE), None)


def test_upt_contacts_must_name_known_kecamatan() -> None:
    Settings(upt_contacts={"Kota Agung": "0812-3456-0001"}, _env_file=None)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="Kota Agungg"):
        Settings(upt_contacts={"Kota Agungg": "0812-3456-0001"}, _env_file=None)  # type: ignore[call-arg]

"""The web pages' queries on the bus (staffbot/services/web_views.py): what they return is
a view, and a download runs the access policy inside the query."""

from __future__ import annotations

import logging

import pytest

from staffbot.app.commands.cases import Who
from staffbot.app.commands.staff import DEMO_ROSTER, ChangeStaff
from staffbot.app.commands.web import (
    ChatsOfChannel,
    DocumentFile,
    DocumentRefused,
    DownloadDocument,
    DownloadSentDocument,
    HasNewMessages,
    ReadTranscript,
    Refusal,
    RolesOf,
    StaffPicker,
)
from staffbot.services.files import store_document
from tests.support import ROSTER, Desk, tiny_pdf
from tests.web.support import Web


async def _scan(desk: Desk) -> tuple[int, str]:
    """A KTP scan of a new case (at step 3): its id and its stored path."""
    number = (await desk.new_case()).number
    async with desk.uow() as uow:
        case = await uow.cases.by_number(number)
        assert case is not None
        scan = await store_document(
            uow,
            desk.office,
            data=tiny_pdf("KTP"),
            filename="ktp.pdf",
            kind="berkas",
            case_id=case.id,
        )
        await uow.commit()
    assert scan.id is not None
    return scan.id, scan.path


async def test_a_download_checks_access_inside_the_query(desk: Desk) -> None:
    scan_id, path = await _scan(desk)
    bus = desk.bus
    kadis = Who(nip=ROSTER["kepala_dinas"])
    found = await bus.handle(DownloadDocument(scan_id, kadis))
    assert found == DocumentFile(scan_id, "ktp.pdf", "application/pdf", tiny_pdf("KTP"))
    not_yet = Who(nip=ROSTER["operator_pengirim_pdf"])
    forbidden = DocumentRefused(scan_id, Refusal.FORBIDDEN)
    assert await bus.handle(DownloadDocument(scan_id, not_yet)) == forbidden
    assert await bus.handle(DownloadDocument(scan_id, Who(staff_id=99_999))) == forbidden
    absent = DocumentRefused(99_999, Refusal.ABSENT)
    assert await bus.handle(DownloadDocument(99_999, kadis)) == absent
    # an inactive head sees nothing
    await bus.handle(ChangeStaff(ROSTER["kepala_dinas"], active=False))
    assert await bus.handle(DownloadDocument(scan_id, kadis)) == forbidden
    (desk.office.data_dir / path).unlink()
    gone = DocumentRefused(scan_id, Refusal.UNREADABLE)
    assert await bus.handle(DownloadDocument(scan_id, Who(nip=ROSTER["kepala_bidang"]))) == gone


async def test_a_document_whose_file_is_gone_is_not_found(
    web: Web, desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    scan_id, path = await _scan(desk)
    (desk.office.data_dir / path).unlink()
    person = await web.person("kepala_bidang")
    with caplog.at_level(logging.WARNING, logger="staffbot.web.api"):
        response = await person.client.get(f"/documents/{scan_id}")
    assert response.status_code == 404 and response.text == "Dokumen tidak ditemukan."
    assert f"document {scan_id} is missing from the data dir" in caplog.text
    assert path not in caplog.text


async def test_the_applicant_gets_only_what_was_sent_to_them(desk: Desk) -> None:
    scan_id, _ = await _scan(desk)
    found = await desk.bus.handle(DownloadSentDocument("whatsapp", "+6281234567890", scan_id))
    assert found == DocumentRefused(scan_id, Refusal.ABSENT)


async def test_the_picker_offers_active_staff_in_the_order_of_the_flow(desk: Desk) -> None:
    bus = desk.bus
    picker = await bus.handle(StaffPicker())
    assert [e.name for e in picker][:2] == ["Rina Marlina", "Andi Saputra"]
    assert {e.name for e in picker} == {name for _, name, _, _ in DEMO_ROSTER}
    assert all(e.roles for e in picker)
    await bus.handle(ChangeStaff(ROSTER["operator"], active=False))
    assert "Yusuf Hidayat" not in {e.name for e in await bus.handle(StaffPicker())}
    kabid = next(e for e in picker if e.name == "Nurhayati, S.E.")
    await bus.handle(
        ChangeStaff(ROSTER["kepala_bidang"], roles=("kepala_dinas", "petugas_call_center"))
    )
    assert await bus.handle(RolesOf(kabid.staff_id)) == ("petugas_call_center", "kepala_dinas")


async def test_transcript_queries_read_delivered_messages_only(web: Web, desk: Desk) -> None:
    person = await web.person("petugas_call_center")
    for _ in range(3):
        await person.say("/start")
    async with desk.uow() as uow:
        staff = await uow.staff.by_nip(ROSTER["petugas_call_center"])
        assert staff is not None
    chat = str(staff.id)
    bus = desk.bus
    page = await bus.handle(ReadTranscript("web", chat, 0, 300))
    assert page.messages and not page.more and not page.awaiting_pin
    first, last = page.messages[0].id, page.messages[-1].id
    assert len(page.messages) >= 3 and first < last
    assert await bus.handle(HasNewMessages("web", chat, first))
    assert not await bus.handle(HasNewMessages("web", chat, last))
    after_first = await bus.handle(ReadTranscript("web", chat, first, 1))
    assert after_first.more and [m.id for m in after_first.messages] == [page.messages[1].id]
    # the first page is the newest rows, never "more"
    assert (await bus.handle(ReadTranscript("web", chat, 0, 1))).messages[0].id == last
    assert await bus.handle(ChatsOfChannel("whatsapp")) == ()

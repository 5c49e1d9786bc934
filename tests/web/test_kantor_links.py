"""/kantor links each case to its page (GET /kantor/kasus/<nomor>), where staff the access
policy allows see the case and open its documents; others are refused, nothing shown."""

from __future__ import annotations

import re
from datetime import timedelta

from staffbot.services.files import store_document
from tests.support import Desk, counts, tiny_pdf
from tests.web.support import Web


async def test_kantor_links_cases_to_their_page_and_documents(web: Web, desk: Desk) -> None:
    number = (await desk.new_case()).number
    desk.office.clock.advance(timedelta(days=3))  # type: ignore[attr-defined]
    async with desk.uow() as uow:
        case = await uow.cases.by_number(number)
        assert case is not None
        document = await store_document(
            uow,
            desk.office,
            data=tiny_pdf("ktp"),
            filename="ktp.pdf",
            kind="berkas",
            case_id=case.id,
        )
        await uow.commit()

    head = await web.person("kepala_dinas")
    office = (await head.client.get("/kantor")).text
    href = f'href="/kantor/kasus/{number}"'
    assert f"<a {href}>{number}</a>" in office, "the overdue case is a link"
    assert 'action="/kantor/kasus"' in office  # and any case opens by its number

    page = await head.client.get(f"/kantor/kasus/{number}")
    assert page.status_code == 200
    assert number in page.text and "3. " in page.text and "dalam proses" in page.text
    assert "1806********0001" in page.text and "1806054501900001" not in page.text
    assert f'<a href="/documents/{document.id}">ktp.pdf</a>' in page.text
    # the message to the applicant, waiting for WhatsApp: what, to whom (masked), how far
    assert "Pesan ke pemohon" in page.text and "Instruksi kirim berkas" in page.text
    assert "menunggu dikirim" in page.text and "+62 812-****-7890" in page.text
    assert "+6281234567890" not in page.text
    await _fail_instruction(desk, number)
    page = await head.client.get(f"/kantor/kasus/{number}")
    assert '<td class="failed">gagal · ' in page.text and "131026" in page.text
    opened = await head.client.get(f"/documents/{document.id}")
    assert opened.status_code == 200 and opened.content == tiny_pdf("ktp")
    # the form on /kantor goes to the same page
    by_form = await head.client.get("/kantor/kasus", params={"nomor": number.lower()})
    assert by_form.status_code == 200 and f"/documents/{document.id}" in by_form.text

    # step 3 is the WA receiver's: the PDF sender (step 13) has not been reached
    stranger = await web.person("operator_pengirim_pdf")
    before = await counts(desk.db)
    refused = await stranger.client.get(f"/kantor/kasus/{number}")
    assert refused.status_code == 403 and "belum sampai ke peran Anda" in refused.text
    assert "Siti" not in refused.text and "/documents/" not in refused.text
    assert await counts(desk.db) == before
    assert (await stranger.client.get(f"/documents/{document.id}")).status_code == 403

    unknown = await head.client.get("/kantor/kasus/PO-2026-99999")
    assert unknown.status_code == 404
    assert (await web.client().get(f"/kantor/kasus/{number}")).status_code == 303


async def test_a_berita_acara_number_keeps_its_slashes_in_the_link() -> None:
    from staffbot.web.pages import case_href

    href = case_href("470/1/BA/DISDUKCAPIL/2026")
    assert href == "/kantor/kasus/470%2F1%2FBA%2FDISDUKCAPIL%2F2026"
    assert re.fullmatch(r"/kantor/kasus/[\w.%-]+", href)


async def _fail_instruction(desk: Desk, number: str) -> None:
    """WhatsApp took the instruction, then reported it failed."""
    from storage.repos.channels import ChannelRepository

    now = desk.office.now()
    async with desk.uow() as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        [row] = [r for r in await uow.outbox.for_case(case.id) if r.kind == "applicant"]
        assert row.id is not None
        await uow.outbox.mark_sent(row.id, at=now, platform_message_id="wamid.1")
        await ChannelRepository(uow.session).set_delivery_status(
            "whatsapp", "wamid.1", "failed", now, error="131026 Message undeliverable"
        )
        await uow.commit()

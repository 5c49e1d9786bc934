"""Stored files go only to staff who may see their case (services/access.py): the holders
of a step the case has reached, whoever recorded it, acted on it or got its card, and the
section heads. Everyone else gets a clear 403; sessions, CSRF and foreign tokens are
covered in tests/web/test_auth.py and test_tokens.py."""

from __future__ import annotations

from staffbot.app.commands.reports import MakeReport
from staffbot.services import reports
from staffbot.services.files import store_document
from tests.support import ROSTER, Desk, tiny_pdf
from tests.web.support import Web


async def _status(web: Web, role: str, document_id: int) -> int:
    person = await web.person(role)
    return (await person.client.get(f"/documents/{document_id}")).status_code


async def test_a_case_file_reaches_a_role_when_the_case_does(desk: Desk, web: Web) -> None:
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
    await web.drain()
    allowed = {
        "operator_penerima_wa": 200,  # the case is at their step (3)
        "petugas_call_center": 200,  # recorded it
        "kasi_identitas_penduduk": 200,  # section head
        "kepala_dinas": 200,
        "operator_pengirim_pdf": 403,  # step 13: not yet
        "operator_cetak_berkas": 403,  # step 5: not yet
        "petugas_pemilah_berkas": 403,
    }
    assert {role: await _status(web, role, scan.id) for role in allowed} == allowed
    refused = await (await web.person("operator_pengirim_pdf")).client.get(f"/documents/{scan.id}")
    assert "bukan untuk Anda" in refused.text and "ktp" not in refused.text.lower()
    await desk.advance_to(number, "kirim_pdf")
    for role in ("operator_pengirim_pdf", "operator_cetak_berkas", "petugas_pemilah_berkas"):
        assert await _status(web, role, scan.id) == 200, role
    # a document id that does not exist is the same 404 for everyone
    assert await _status(web, "operator", 99_999) == 404


async def test_reports_go_to_their_maker_and_the_heads(desk: Desk, web: Web) -> None:
    async with desk.uow() as uow:
        kabid = await uow.staff.by_nip(ROSTER["kepala_bidang"])
        assert kabid is not None
        month = reports.month_so_far(desk.office)
        report = MakeReport("rekap", month, created_by=kabid.id)
        document_id = (await reports.make_report(report, uow, desk.office)).document_id
        await uow.commit()
    assert await _status(web, "kepala_bidang", document_id) == 200
    assert await _status(web, "kasi_inovasi", document_id) == 200
    assert await _status(web, "operator", document_id) == 403


async def test_the_public_verification_page_takes_only_codes(desk: Desk) -> None:
    """Anyone on the internet reaches /v/{code}: junk (a NUL byte PostgreSQL would choke
    on, a path, markup) is simply an unknown code."""
    import httpx
    from starlette.applications import Starlette

    from staffbot.web.verify import verification_routes

    app = Starlette(routes=verification_routes(desk.bus))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for junk in ("%00abc", "..%2f..%2fetc", "%3Cscript%3E", "a" * 80, "x'--"):
            page = await client.get(f"/v/{junk}")
            assert page.status_code == 404, junk

"""The public pages behind the QR codes: the applicant's status page (/s/<code>) at each
of the SOP's 15 steps, never showing the applicant's name, NIK or phone number; the
bukti pendaftaran's QR leading to it; the verification page's words for a BSrE
signature."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
import pypdfium2
import zxingcpp
from pypdf import PdfReader

from staffbot.app.commands.cases import Act, Who
from staffbot.app.commands.verification import Verdict
from staffbot.services.files import read_blob
from staffbot.texts.public import pt
from staffbot.web.public_page import PublicFrame
from staffbot.web.verify import verdict_page
from storage.tables import Case
from tests.documents.docsupport import web_client
from tests.support import FORM, HAPPY, ROSTER, Desk

#: The applicant's personal data in every spelling a page could carry it.
PERSONAL = (
    FORM.name,
    FORM.nik,
    "1806********0001",
    FORM.wa,
    "081234567890",
    "6281234567890",
    "0812-****-7890",
    "3456-7890",
)


async def _case(desk: Desk, number: str) -> Case:
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None
        return case


def _visible(html: str) -> str:
    """The page's text as a person reads it (tags dropped)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _no_personal_data(html: str) -> None:
    for word in PERSONAL:
        assert word not in html, word


async def test_the_status_page_tells_the_stage_at_each_of_the_15_steps(desk: Desk) -> None:
    number = (await desk.new_case()).number
    case = await _case(desk, number)
    code = case.status_code
    assert code is not None and len(code) >= 22  # 128 random bits
    flow = desk.office.flow
    seen: list[int] = []

    async def check(client: httpx.AsyncClient, step: str | None) -> str:
        page = await client.get(f"/s/{code}")
        assert page.status_code == 200, step
        text = _visible(page.text)
        _no_personal_data(page.text)
        assert number in text and "KTP-el" in text
        assert "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL" in text  # the letterhead
        assert "WhatsApp layanan online: +62 812-0000-0000" in text  # the office's contact
        if step is None:
            assert pt("stage.closed", "id", kecamatan="Kota Agung") in text
            assert "Selesai pada" in text and "Perkiraan selesai" not in text
        else:
            sop_no = flow.step(step).sop_no
            seen.append(sop_no)
            assert pt(f"stage.{step}", "id", kecamatan="Kota Agung") in text, step
            assert f"langkah {sop_no} dari 15" in text
            assert "Perkiraan selesai" in text and "dihitung dengan hari kerja" in text
        return text

    async with web_client(desk) as client:
        # Steps 1 and 2 pass in one go when the call center records the call; a case
        # standing at either (a flow may stop there) is told as well.
        for step in ("telepon", "catat"):
            async with desk.db.uow() as uow:
                row = await uow.cases.by_number(number)
                assert row is not None
                await uow.cases.set_fields(row, step=step)
                await uow.commit()
            await check(client, step)
        async with desk.db.uow() as uow:
            row = await uow.cases.by_number(number)
            assert row is not None
            await uow.cases.set_fields(row, step="terima_wa")
            await uow.commit()
        while (step := await desk.step_of(number)) in HAPPY:
            await check(client, step)
            await desk.act(number, HAPPY[step])
        assert await desk.step_of(number) == "buat_ba"
        await check(client, "buat_ba")
        await desk.make_ba(number)
        await check(client, "ttd_ba")
        await desk.act(number, "sign", role="kepala_dinas")
        await check(client, None)
    assert seen == list(range(1, 16))


async def test_the_bukti_pendaftaran_qr_opens_the_status_page(desk: Desk) -> None:
    number = (await desk.new_case()).number
    await desk.advance_to(number, "verifikasi_kasi")  # registered at step 6
    case = await _case(desk, number)
    async with desk.db.uow(readonly=True) as uow:
        [bukti] = await uow.documents.of_case(case.id or 0, "bukti_pendaftaran")
    pdf = await asyncio.to_thread(read_blob, desk.office, bukti)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Periksa status permohonan" in text and "memindai kode QR" in text
    [target] = await asyncio.to_thread(_qr_codes, pdf)
    assert target == f"{desk.office.reference.public_url}/s/{case.status_code}"
    assert target in text  # printed under the QR too
    async with web_client(desk) as client:
        page = await client.get(urlsplit(target).path)
        assert page.status_code == 200
        assert pt("stage.verifikasi_kasi", "id") in _visible(page.text)
        assert "REG-2026-00001" in page.text
        _no_personal_data(page.text)
        # the page links to the paper's own verification page
        assert f'href="/v/{bukti.verify_code}"' in page.text
        own = await client.get(f"/v/{bukti.verify_code}")
        assert own.status_code == 200
        assert "Dokumen terdaftar, tanpa tanda tangan elektronik" in own.text


def _qr_codes(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    try:
        found: list[str] = []
        for index in range(len(document)):
            image = document[index].render(scale=200 / 72).to_pil()
            found += [result.text for result in zxingcpp.read_barcodes(image)]
        return found
    finally:
        document.close()


async def test_files_asked_back_stop_the_finish_date(desk: Desk) -> None:
    number = (await desk.new_case()).number
    await desk.bus.handle(
        Act(Who(nip=ROSTER["operator_penerima_wa"]), "reject", ref=number, note="KK buram")
    )
    case = await _case(desk, number)
    async with web_client(desk) as client:
        page = await client.get(f"/s/{case.status_code}")
    text = _visible(page.text)
    assert page.status_code == 200
    assert pt("stage.paused", "id") in text
    assert "dihitung kembali setelah berkas Anda lengkap" in text
    assert "KK buram" not in text  # the reason is for the applicant's WhatsApp, not here
    _no_personal_data(page.text)


async def test_an_unknown_status_code_is_not_found(desk: Desk) -> None:
    async with web_client(desk) as client:
        for junk in ("tidakAdaKodeIni", "%00abc", "..%2f..%2fetc", "%3Cscript%3E", "a" * 80):
            page = await client.get(f"/s/{junk}")
            assert page.status_code == 404, junk
            if "%2f" not in junk:  # a path is no route at all
                assert "Kode status tidak dikenal" in page.text, junk


def test_a_bsre_signature_is_named_as_bsre(desk: Desk) -> None:
    at = datetime(2026, 11, 25, 3, 15, tzinfo=UTC)
    verdict = Verdict(
        known=True,
        kind="Dokumen Hasil Layanan (TTE)",
        number="PO-2026-00001",
        issued_at=at,
        sha256="ab" * 32,
        signed=True,
        signer="Ahmad Fauzi, S.STP., M.Si.",
        signed_at=at,
        signature_ok=True,
        status="signed",
        version=1,
        issuer="bsre",
    )
    frame = PublicFrame(desk.office.documents.letterhead)
    page = verdict_page(verdict, desk.office, frame)
    body = bytes(page.body).decode()
    assert page.status_code == 200
    assert "✔ Dokumen sah dan sudah ditandatangani" in body
    assert "Ahmad Fauzi, S.STP., M.Si. pada Rabu, 25 November 2026 10:15 WIB" in body
    assert "diterbitkan oleh Balai Sertifikasi Elektronik (BSrE), BSSN" in body
    assert "sertifikat internal" not in body

"""The document register's lifecycle, as the public verification page tells it.

A rejected Berita Acara is cancelled (410), an unsigned draft letter is "not signed",
a letter made again replaces the first (which links to the new one), a signed letter's
QR code, decoded from its rendered page, leads to the record naming its signer, and a
rejection of the signed letter cancels it. Each page is checked by its text and its
HTTP status (docs/decisions/0011-document-lifecycle.md).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from docsupport import qr_targets, web_client

from staffbot.app.commands.cases import Act, Who
from staffbot.bootstrap import build_calendar, build_office, signing_dir
from staffbot.clock import FixedClock
from staffbot.errors import ValidationError
from staffbot.services.files import read_blob
from staffbot.settings import Settings
from storage.tables import Document
from tests.support import ROSTER, Desk

REASON = "Nomor BA tidak sesuai agenda kantor"


async def _documents(desk: Desk, number: str, kind: str) -> list[Document]:
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        return list(await uow.documents.of_case(case.id, kind))


async def _ba_documents(desk: Desk, ba_number: str) -> list[Document]:
    async with desk.db.uow(readonly=True) as uow:
        ba = await uow.cases.ba_by_number(ba_number)
        assert ba is not None and ba.id is not None
        return list(await uow.documents.of_ba(ba.id))


async def test_a_rejected_berita_acara_verifies_as_cancelled(desk: Desk) -> None:
    number = (await desk.new_case()).number
    await desk.advance_to(number, "buat_ba")
    [made] = await desk.make_ba(number)
    assert made.ba_number is not None
    await desk.act(number, "reject", role="kepala_dinas", note=REASON)

    [draft] = await _ba_documents(desk, made.ba_number)
    assert (draft.kind, draft.status, draft.version) == ("berita_acara", "void", 1)
    assert draft.status_at is not None
    async with web_client(desk) as client:
        page = await client.get(f"/v/{draft.verify_code}")
    assert page.status_code == 410
    assert page.headers["x-document-status"] == "void"
    assert "✖ Dokumen dibatalkan" in page.text
    assert "dibatalkan/ditolak pada 25 November 2026" in page.text
    assert REASON not in page.text  # never why
    assert "Dokumen sah" not in page.text and "Ditandatangani oleh" not in page.text
    assert "PEMERINTAH DAERAH KABUPATEN TANGGAMUS" in page.text  # the letterhead


async def test_an_unsigned_draft_letter_verifies_as_not_signed(desk: Desk) -> None:
    number = (await desk.new_case()).number
    await desk.advance_to(number, "ttd_kadis")  # the letter waits for the Kepala Dinas
    [draft] = await _documents(desk, number, "hasil")
    assert (draft.status, draft.version, draft.signed) == ("draft", 1, False)
    async with web_client(desk) as client:
        page = await client.get(f"/v/{draft.verify_code}")
    assert page.status_code == 200
    assert page.headers["x-document-status"] == "draft"
    assert "⚠ Belum ditandatangani" in page.text
    assert "belum ditandatangani Kepala Dinas" in page.text
    assert "draf, belum ditandatangani" in page.text
    assert "Dokumen sah" not in page.text and "Ditandatangani oleh" not in page.text


async def test_a_letter_made_again_supersedes_the_first(desk: Desk) -> None:
    number = (await desk.new_case()).number
    await desk.advance_to(number, "entri_data")
    first_id = await desk.attach(number)
    second_id = await desk.attach(number)  # "Buat Surat Tanggapan" pressed again
    async with desk.db.uow(readonly=True) as uow:
        first, second = await uow.documents.get(first_id), await uow.documents.get(second_id)
    assert first is not None and second is not None
    assert (first.status, first.version, first.superseded_by_id) == ("superseded", 1, second_id)
    assert (second.status, second.version, second.supersedes_id) == ("draft", 2, first_id)

    async with web_client(desk) as client:
        old = await client.get(f"/v/{first.verify_code}")
        new = await client.get(f"/v/{second.verify_code}")
    assert old.status_code == 200
    assert old.headers["x-document-status"] == "superseded"
    assert "⚠ Versi lama, sudah diganti" in old.text
    assert f'href="/v/{second.verify_code}"' in old.text
    assert "Dokumen sah" not in old.text
    assert new.status_code == 200 and "⚠ Belum ditandatangani" in new.text

    # the replaced letter cannot be submitted for signature any more
    with pytest.raises(ValidationError):
        await desk.bus.handle(
            Act(Who(nip=ROSTER["operator"]), "submit_tte", ref=number, attachment_id=first_id)
        )


async def test_the_signed_letters_qr_leads_to_the_record_of_its_signer(desk: Desk) -> None:
    number = (await desk.new_case()).number
    await desk.advance_to(number, "cetak_dokumen")  # signed at step 9
    [draft] = await _documents(desk, number, "hasil")
    [signed] = await _documents(desk, number, "hasil_ttd")
    assert (draft.status, signed.status) == ("superseded", "signed")
    assert signed.supersedes_id == draft.id and signed.version == draft.version == 1
    assert signed.issuer == "local" and signed.signer == "Ahmad Fauzi, S.STP., M.Si."

    pdf = await asyncio.to_thread(read_blob, desk.office, signed)
    [target] = set(await asyncio.to_thread(qr_targets, pdf))
    path = urlsplit(target).path
    assert path == f"/v/{signed.verify_code}"
    async with web_client(desk) as client:
        page = await client.get(path)
        draft_page = await client.get(f"/v/{draft.verify_code}")
    assert page.status_code == 200 and page.headers["x-document-status"] == "signed"
    assert "✔ Dokumen sah dan sudah ditandatangani" in page.text
    assert "Ditandatangani oleh" in page.text and "Ahmad Fauzi, S.STP., M.Si." in page.text
    assert "sertifikat internal Disdukcapil Kabupaten Tanggamus, bukan dari BSrE" in page.text
    assert "Balai Sertifikasi Elektronik" not in page.text
    # the unsigned draft, checked by its own code, points at its signed copy
    assert "Ini draf yang belum ditandatangani" in draft_page.text
    assert f'href="/v/{signed.verify_code}"' in draft_page.text


async def test_rejections_cancel_the_letter_and_the_next_one_is_a_new_version(
    desk: Desk,
) -> None:
    number = (await desk.new_case()).number
    await desk.advance_to(number, "ttd_kadis")
    await desk.act(number, "reject", note="Perihal surat keliru")  # the Kepala Dinas
    [first] = await _documents(desk, number, "hasil")
    assert first.status == "void"
    # back at step 8: a rejected letter cannot be submitted again
    with pytest.raises(ValidationError):
        await desk.bus.handle(
            Act(Who(nip=ROSTER["operator"]), "submit_tte", ref=number, attachment_id=first.id)
        )
    await desk.advance_to(number, "paraf_kabid")  # a new letter, signed
    await desk.act(number, "reject", note="Lampiran kurang")  # the Kepala Bidang
    first_again, second = await _documents(desk, number, "hasil")
    [signed] = await _documents(desk, number, "hasil_ttd")
    assert (first_again.status, first_again.version) == ("void", 1)
    assert (second.status, second.version) == ("superseded", 2)
    assert (signed.status, signed.version) == ("void", 2)
    async with web_client(desk) as client:
        page = await client.get(f"/v/{signed.verify_code}")
    assert page.status_code == 410 and "✖ Dokumen dibatalkan" in page.text
    assert "Lampiran kurang" not in page.text


async def test_every_qr_follows_the_web_port_when_no_public_url_is_set(
    desk: Desk, tmp_path: Path, demo_pki: Path
) -> None:
    """STAFFBOT_PUBLIC_URL left unset: the links follow STAFFBOT_WEB_HOST and _PORT."""
    settings = Settings(
        database_url="sqlite+aiosqlite:///unused.db",
        data_dir=tmp_path / "port-data",
        web_port=9123,
        _env_file=None,  # type: ignore[call-arg]
    )
    assert settings.public_url == "http://127.0.0.1:9123"
    import shutil

    shutil.copytree(demo_pki, signing_dir(settings))
    clock = FixedClock(desk.office.now())
    office = build_office(settings, clock, build_calendar(settings, clock.now(), {}, set()))
    assert office.reference.public_url == "http://127.0.0.1:9123"
    moved = Desk(desk.db, office)
    number = (await moved.new_case()).number
    await moved.advance_to(number, "cetak_dokumen")  # dossier, bukti, letter, signed copy
    async with moved.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        documents = [d for d in await uow.documents.of_case(case.id) if d.kind != "hasil"]
    assert {d.kind for d in documents} == {"berkas_cetak", "bukti_pendaftaran", "hasil_ttd"}
    for document in documents:
        pdf = await asyncio.to_thread(read_blob, office, document)
        targets = await asyncio.to_thread(qr_targets, pdf)
        assert targets, document.kind
        assert all(t.startswith("http://127.0.0.1:9123/") for t in targets), targets

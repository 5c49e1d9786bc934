"""`pdf verify FILE` on the command line with *signed* PDFs of a full flow (the signed
letter and the signed Berita Acara): the intact file is valid (exit 0); the same file
with one byte changed inside its signed content is reported as changed (exit 1); the
unsigned draft the letter was signed from is an old version (exit 1)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from typer.testing import CliRunner

from staffbot.cli.root import app
from staffbot.services.files import read_blob
from staffbot.settings import Settings
from tests.support import Desk


def pdf_verify(env: dict[str, str], path: Path) -> tuple[int, str]:
    """Exit code and output, its lines joined (rich wraps long lines)."""
    result = CliRunner().invoke(app, ["pdf", "verify", str(path)], env=env, catch_exceptions=False)
    return result.exit_code, " ".join(result.output.split())


def one_byte_changed(pdf: bytes, *, last: bool = False) -> bytes:
    """Flip one byte in the middle of the first (or the last) stream: the file still
    parses and its signature is still there, but it no longer covers what the file
    says. The last stream is in the revision the signature added (its stamp)."""
    starts = list(re.finditer(rb"(?<!end)stream\r?\n", pdf))
    start = starts[-1 if last else 0]
    end = pdf.index(b"endstream", start.end())
    at = (start.end() + end) // 2
    changed = bytearray(pdf)
    changed[at] ^= 0x01
    return bytes(changed)


async def test_pdf_verify_tells_an_intact_signed_pdf_from_a_changed_one(
    desk: Desk, db_url: str, settings: Settings, tmp_path: Path
) -> None:
    number = (await desk.new_case()).number
    await desk.advance_to(number, "buat_ba")
    [ba] = await desk.make_ba(number)
    await desk.act(number, "sign", role="kepala_dinas")
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None and case.ba_id is not None
        signed = [
            *await uow.documents.of_case(case.id, "hasil_ttd"),
            *await uow.documents.of_ba(case.ba_id, "berita_acara_ttd"),
        ]
        [draft] = await uow.documents.of_case(case.id, "hasil")
    assert [d.signed for d in signed] == [True, True]
    # The command's office trusts the same root: the PKI under the same data dir.
    env = {"STAFFBOT_DATABASE_URL": db_url, "STAFFBOT_DATA_DIR": str(settings.data_dir)}

    for document, reference in zip(signed, (number, ba.number), strict=True):
        pdf = read_blob(desk.office, document)
        intact = tmp_path / document.filename
        intact.write_bytes(pdf)
        code, said = await asyncio.to_thread(pdf_verify, env, intact)
        assert code == 0, said
        assert said.startswith("✔ sah:") and reference in said
        assert "ditandatangani Ahmad Fauzi" in said

        for last in (False, True):
            changed = tmp_path / f"ubah-{last}-{document.filename}"
            changed.write_bytes(one_byte_changed(pdf, last=last))
            code, said = await asyncio.to_thread(pdf_verify, env, changed)
            assert code == 1, said
            assert said == (
                "✖ BERUBAH: berkas tidak sama dengan yang diterbitkan "
                "(isi dokumen berubah setelah ditandatangani)"
            )

    unsigned = tmp_path / draft.filename
    unsigned.write_bytes(read_blob(desk.office, draft))
    code, said = await asyncio.to_thread(pdf_verify, env, unsigned)
    assert code == 1, said
    assert said.startswith("✖ VERSI LAMA: Dokumen Hasil Layanan") and number in said

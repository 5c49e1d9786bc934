"""The document engine's worker processes: real subprocesses, real fpdf2 and pyHanko.

What `run` relies on: jobs render and sign in another process and come back intact;
refusals keep their type and params across the pipe; a worker that dies fails only
the job in hand and is started again; workers are recycled after ``max_jobs``; and
the bot process itself never imports fpdf2 or pyHanko.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from docsupport import KADIS, NOW, PASSPHRASE

from staffbot.documents.engine import ProcessEngine
from staffbot.documents.errors import DocumentError, PassphraseWrong
from staffbot.documents.local_signer import LocalPadesSigner
from staffbot.documents.model import (
    BaCase,
    BeritaAcaraInput,
    BuktiPendaftaranInput,
    Letterhead,
    Official,
    SignRequest,
    SuratTanggapanInput,
)
from staffbot.documents.pki import PkiPaths

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[ProcessEngine]:
    engine = ProcessEngine(tmp_path / "fonts", workers=1, max_jobs=50)
    try:
        yield engine
    finally:
        await engine.aclose()


def sign_request(placement: object, secret: str = PASSPHRASE) -> SignRequest:
    return SignRequest(
        signer_name=KADIS.name,
        nip=KADIS.nip or "",
        secret=secret,
        placement=placement,  # type: ignore[arg-type]
        verification_url="http://127.0.0.1:8080/v/8F3K2Q9X",
        reason="Menyetujui Surat Tanggapan Pengaduan",
    )


async def test_render_sign_and_validate_in_a_worker_process(
    engine: ProcessEngine,
    pki: PkiPaths,
    surat_input: SuratTanggapanInput,
    letterhead: Letterhead,
) -> None:
    rendered = await engine.render(
        "surat_tanggapan", surat_input, letterhead=letterhead, language="id", generated_at=NOW
    )
    assert rendered.pdf.startswith(b"%PDF") and rendered.signature_placement is not None
    [pid] = engine.pids
    assert pid != os.getpid()

    signer = LocalPadesSigner(pki.pkcs12, now=lambda: NOW, engine=engine)
    signed = await signer.sign(rendered.pdf, sign_request(rendered.signature_placement))
    assert signed.backend == "local" and signed.signed_at == NOW
    assert KADIS.name in signed.certificate_subject

    report = await engine.validate(signed.pdf, pki.ca_cert)
    assert report.ok and report.signatures[0].trusted
    untrusted = await engine.validate(signed.pdf, None)
    assert not untrusted.ok
    changed = bytearray(signed.pdf)
    changed[len(changed) // 3] ^= 0x01
    assert not (await engine.validate(bytes(changed), pki.ca_cert)).ok
    assert engine.pids == [pid]  # one worker did all of it


async def test_refusals_cross_the_pipe_with_their_type_and_params(
    engine: ProcessEngine, pki: PkiPaths, bukti_input: BuktiPendaftaranInput, letterhead: Letterhead
) -> None:
    rendered = await engine.render(
        "bukti_pendaftaran", bukti_input, letterhead=letterhead, language="id", generated_at=NOW
    )
    placement = await engine.placement(rendered.pdf)
    signer = LocalPadesSigner(pki.pkcs12, now=lambda: NOW, engine=engine)
    with pytest.raises(PassphraseWrong) as wrong:
        await signer.sign(rendered.pdf, sign_request(placement, secret="bukan-passphrase"))
    assert wrong.value.params == {"signer": "local"}
    with pytest.raises(DocumentError, match="unknown document kind"):
        await engine.render(
            "akta", bukti_input, letterhead=letterhead, language="id", generated_at=NOW
        )
    with pytest.raises(DocumentError, match="not a readable PDF"):
        await engine.placement(b"%PDF-1.7 not really")
    # the worker survived every refusal
    assert len(engine.pids) == 1


def big_ba(rows: int) -> BeritaAcaraInput:
    return BeritaAcaraInput(
        number="470/1/BA/DISDUKCAPIL/2026",
        held_at=NOW,
        kecamatan="Kota Agung",
        upt_name="UPT Disdukcapil Kecamatan Kota Agung",
        cases=[BaCase(f"PO-2026-{i:05d}", f"Pemohon {i}", "KTP-el", NOW) for i in range(rows)],
        handed_over_by=KADIS,
        received_by=Official(name="...", position="Kepala UPT"),
        verification_url="http://127.0.0.1:8080/v/BA",
    )


async def test_a_worker_that_dies_fails_the_job_in_hand_and_is_started_again(
    engine: ProcessEngine, bukti_input: BuktiPendaftaranInput, letterhead: Letterhead
) -> None:
    await engine.start()
    [first] = engine.pids
    job = asyncio.create_task(
        engine.render(
            "berita_acara", big_ba(3000), letterhead=letterhead, language="id", generated_at=NOW
        )
    )
    await asyncio.sleep(0.2)  # the worker is rendering 3,000 rows
    os.kill(first, signal.SIGKILL)
    with pytest.raises(DocumentError, match="document worker stopped"):
        await job
    again = await engine.render(
        "bukti_pendaftaran", bukti_input, letterhead=letterhead, language="id", generated_at=NOW
    )
    assert again.pdf.startswith(b"%PDF")
    [second] = engine.pids
    assert second != first


async def test_workers_are_recycled_after_max_jobs(
    tmp_path: Path, bukti_input: BuktiPendaftaranInput, letterhead: Letterhead
) -> None:
    engine = ProcessEngine(tmp_path / "fonts", workers=2, max_jobs=2)
    try:
        seen: set[int] = set()
        for _ in range(6):
            await engine.render(
                "bukti_pendaftaran",
                bukti_input,
                letterhead=letterhead,
                language="id",
                generated_at=NOW,
            )
            seen.update(engine.pids)
        # 6 jobs over 2 workers with 2 jobs each: at least 3 processes in turn
        assert len(seen) >= 3
    finally:
        await engine.aclose()
    assert engine.pids == []


def test_the_running_bot_does_not_import_fpdf_or_pyhanko(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import asyncio, sys
        from staffbot.runner import BotApp
        from staffbot.settings import Settings

        async def go():
            bot = BotApp(Settings(_env_file=None))
            await bot.start()
            await bot._warm_up
            heavy = sorted(m for m in ("fpdf", "pyhanko", "fontTools", "pypdf", "PIL")
                           if m in sys.modules)
            workers = bot.engine.pids
            await bot.stop()
            print("HEAVY", heavy, "WORKERS", len(workers))

        asyncio.run(go())
        """
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("STAFFBOT_")},
        "STAFFBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "STAFFBOT_DATA_DIR": str(tmp_path / "data"),
        "STAFFBOT_WEB_PORT": "0",
        "PYTHONPATH": str(ROOT),
    }
    # once to migrate and seed (the first start signs up the demo PKI), then as usual
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
    assert "HEAVY [] WORKERS 1" in done.stdout, done.stdout + done.stderr[-2000:]

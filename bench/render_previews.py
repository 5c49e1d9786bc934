"""Regenerate the README's document previews: docs/img/<document>.png (page 1, 60 dpi).

    .venv/bin/python bench/render_previews.py [--out docs/img] [--dpi 60]

Needs ``pdftoppm`` (Debian: ``apt-get install poppler-utils``). The letter is shown
signed with the local PAdES signer (a throwaway office PKI), so the TTE stamp shows.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from documents import (
    KADIS,
    LETTERHEAD,
    NOW,
    PASSPHRASE,
    URL,
    renderers,
    sample_surat,
)

from staffbot.documents.fonts import default_fonts
from staffbot.documents.model import SignRequest


async def _signed_surat(tmp: Path) -> bytes:
    from staffbot.documents.local_signer import LocalPadesSigner
    from staffbot.documents.pki import init_office_pki
    from staffbot.documents.surat import surat_tanggapan

    pki = init_office_pki(
        tmp / "pki",
        office_name="Disdukcapil Kabupaten Tanggamus",
        kadis_name=KADIS.name,
        kadis_nip=KADIS.nip or "",
        passphrase=PASSPHRASE,
        now=NOW,
    )
    rendered = surat_tanggapan(sample_surat(), letterhead=LETTERHEAD, generated_at=NOW)
    assert rendered.signature_placement is not None
    request = SignRequest(
        signer_name=KADIS.name,
        nip=KADIS.nip or "",
        secret=PASSPHRASE,
        placement=rendered.signature_placement,
        verification_url=URL,
    )
    signed = await LocalPadesSigner(pki.pkcs12, now=lambda: NOW).sign(rendered.pdf, request)
    return signed.pdf


def _png(pdf: Path, target: Path, dpi: int) -> None:
    # pdftoppm appends ".png" to the prefix it is given.
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(target.with_suffix("")),
        ],
        check=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    parser.add_argument("--dpi", type=int, default=60)
    args = parser.parse_args()
    if shutil.which("pdftoppm") is None:
        sys.exit("pdftoppm not found: apt-get install -y poppler-utils")
    args.out.mkdir(parents=True, exist_ok=True)
    fonts = default_fonts()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        pdfs: dict[str, bytes] = {}
        for name, make in renderers().items():
            if name == "berita_acara_500":
                continue
            pdfs[name] = make(fonts).pdf
        pdfs["surat_tanggapan"] = asyncio.run(_signed_surat(tmp))
        for name, data in pdfs.items():
            pdf = tmp / f"{name}.pdf"
            pdf.write_bytes(data)
            target = args.out / f"{name}.png"
            _png(pdf, target, args.dpi)
            print(target)


if __name__ == "__main__":
    main()

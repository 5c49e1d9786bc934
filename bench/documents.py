"""Benchmark of the document layer: render, sign, validate; subset vs full font.

    .venv/bin/python bench/documents.py [--runs N] [--out bench/results/documents.json]

Prints a table and writes the figures as JSON. Goals (issue 6): a rendered and
signed A4 letter under 60 ms with an EC key; the Berita Acara with 500 rows under 1 s.
The sample inputs here are also what bench/render_previews.py draws for the README.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from staffbot.documents.fonts import FontSet, full_fonts, subset_fonts
from staffbot.documents.model import (
    Attachment,
    BaCase,
    BeritaAcaraInput,
    BerkasCetakInput,
    BuktiPendaftaranInput,
    Letterhead,
    Official,
    RenderedPdf,
    SignRequest,
    SuratTanggapanInput,
)
from staffbot.documents.report_model import (
    MutuBakuInput,
    MutuBakuRow,
    RekapCount,
    RekapInput,
    SopChartInput,
    SopRow,
)
from staffbot.settings import KECAMATAN_TANGGAMUS

NOW = datetime(2026, 11, 25, 3, 15, tzinfo=UTC)  # Rabu, 25 November 2026 10.15 WIB
PASSPHRASE = "rahasia-kadis-2026"
URL = "http://127.0.0.1:8080/v/8F3K2Q9X"
LETTERHEAD = Letterhead(
    contact="Telepon (0722) 21000 · Pos-el disdukcapil@tanggamus.go.id · "
    "disdukcapil.tanggamus.go.id"
)
KADIS = Official(
    name="MARADONA, S.STP.,M.Si",
    position="Kepala Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tanggamus",
    nip="19790903 199810 1 001",
    rank="Pembina Utama Muda (IV/c)",
)
UPT = Official(
    name="HENDRA SAPUTRA, S.E.",
    position="Kepala UPT Disdukcapil Kecamatan Kota Agung",
    nip="19840512 201001 1 003",
)
KECAMATAN = list(KECAMATAN_TANGGAMUS)
LAYANAN = ["KTP-el", "Kartu Keluarga", "Akta Kelahiran", "Akta Kematian", "KIA"]
NAMES = [
    "Siti Nurhaliza",
    "Ahmad Fauzi",
    "Dewi Lestari",
    "Rudi Hartono",
    "Putu Ayu Wulandari",
    "Muhammad Rizky Pratama",
    "Nyoman Sudarsana",
    "Yohana Simanjuntak",
    "Sri Wahyuni",
]
ROLES = [
    "Pemohon/ Masyarakat",
    "Petugas Call Center",
    "Operator Penerima WA",
    "Operator Pengangkat Data",
    "Operator Cetak Berkas",
    "Petugas Loket Pendaftaran",
    "Kasi Identitas Penduduk",
    "Operator",
    "Kepala Dinas",
    "Kepala Bidang",
    "Petugas Pemilah Berkas",
    "Operator Pengirim PDF",
    "Kasi Inovasi",
    "Kurir",
    "UPT",
    "Petugas Loket Pengambilan",
    "Petugas Registrasi dan Pengarsipan",
]
STEPS = [
    ("1", "Pelapor menelepon nomor Call Center Disdukcapil", 0, "", "", ""),
    (
        "2",
        "Petugas Call Center menerima telepon, mencatat, dan memberi petunjuk agar berkas "
        "dikirim ke nomor WhatsApp pelayanan online",
        1,
        "",
        "",
        "",
    ),
    (
        "3",
        "Operator Penerima WA menerima permohonan dan meneruskannya ke Operator Pengangkat Data",
        2,
        "Bukti Berkas WA",
        "",
        "",
    ),
    ("4", "Data pemohon diterima dan diangkat oleh Operator Pengangkat Data", 3, "", "", ""),
    ("5", "Berkas permohonan dicetak oleh Operator Cetak", 4, "", "", ""),
    (
        "6",
        "Berkas tercetak dicatat di buku registrasi Loket Pendaftaran, diverifikasi, dan "
        "nomor WA pemohon dicatat",
        5,
        "",
        "1 hari",
        "File berkas yang sudah tercetak",
    ),
    ("7", "Kasi memverifikasi berkas dan menyetujui untuk diproses", 6, "", "", ""),
    (
        "8",
        "Pengentrian data dan pengajuan tanda tangan elektronik kepada Kepala Dinas",
        7,
        "",
        "",
        "",
    ),
    ("9", "Kepala Dinas menandatangani dokumen secara elektronik", 8, "", "", ""),
    (
        "10",
        "Dokumen ber-TTE dicetak lalu diserahkan bersama berkas kepada Kepala Bidang",
        7,
        "",
        "",
        "",
    ),
    ("11", "Kepala Bidang memverifikasi ulang dan memberi paraf", 9, "", "", ""),
    ("12", "Berkas dipilah per kecamatan dan dihitung untuk laporan", 10, "", "", ""),
    (
        "13",
        "Operator Pengirim PDF mengirim dokumen jadi dalam bentuk PDF kepada pemohon",
        11,
        "",
        "",
        "",
    ),
    ("14", "Kasi Inovasi membuat Berita Acara Pengiriman Berkas ke UPT", 12, "", "", ""),
    ("15", "Kepala Dinas menandatangani Berita Acara", 8, "", "1 hari", "Dokumen"),
]


def sample_bukti() -> BuktiPendaftaranInput:
    return BuktiPendaftaranInput(
        registration_number="REG/2026/11/0042",
        case_number="PGD-2026-000123",
        applicant_name="Siti Nurhaliza",
        nik="1806123456780001",
        layanan="Perbaikan Data KTP-el",
        kecamatan="Kota Agung",
        registered_at=NOW,
        verification_url=URL,
        whatsapp="081234567890",
    )


def _picture(size: tuple[int, int], title: str, kind: str) -> bytes:
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", size, (244, 246, 250))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((12, 12, size[0] - 12, size[1] - 12), outline=(40, 70, 140), width=6)
    draw.rectangle((40, 40, size[0] // 3, size[1] // 2), fill=(200, 210, 230))
    for i in range(6):
        y = 60 + i * (size[1] - 120) // 6
        draw.line((size[0] // 3 + 40, y, size[0] - 60, y), fill=(120, 130, 150), width=5)
    draw.text((50, size[1] - 60), title, fill=(20, 20, 20))
    out = io.BytesIO()
    picture.save(out, format=kind, quality=85)
    return out.getvalue()


def _letter_pdf(title: str, pages: int) -> bytes:
    from fpdf import FPDF

    doc = FPDF()
    doc.set_font("helvetica", size=13)
    for i in range(pages):
        doc.add_page()
        doc.cell(0, 10, f"{title} - halaman {i + 1}", new_x="LMARGIN", new_y="NEXT")
        doc.set_font_size(10)
        doc.multi_cell(0, 6, "Salinan dokumen yang dikirim pemohon melalui WhatsApp. " * 12)
        doc.set_font_size(13)
    return bytes(doc.output())


def sample_berkas() -> BerkasCetakInput:
    return BerkasCetakInput(
        case_number="PGD-2026-000123",
        registration_number="REG/2026/11/0042",
        applicant_name="Siti Nurhaliza",
        nik="1806123456780001",
        layanan="Perbaikan Data KTP-el",
        kecamatan="Kota Agung",
        received_at=NOW - timedelta(hours=3),
        verification_url=URL,
        attachments=(
            Attachment("ktp-el-lama.jpg", _picture((1280, 810), "KTP-el", "JPEG")),
            Attachment("kartu-keluarga.pdf", _letter_pdf("Kartu Keluarga", 1)),
            Attachment("akta-kelahiran.png", _picture((700, 1000), "Akta Kelahiran", "PNG")),
        ),
    )


def sample_surat() -> SuratTanggapanInput:
    return SuratTanggapanInput(
        nomor="470/1123/DISDUKCAPIL/XI/2026",
        perihal="Tanggapan atas Pengaduan Perbaikan Data KTP-el",
        case_number="PGD-2026-000123",
        applicant_name="Siti Nurhaliza",
        applicant_address="Pekon Kampung Baru, Kecamatan Kota Agung",
        nik="1806123456780001",
        kecamatan="Kota Agung",
        layanan="Perbaikan Data KTP-el",
        complaint=(
            "Nama pada KTP-el saya tertulis “Siti Nurhalisa”, seharusnya “Siti Nurhaliza” "
            "sesuai akta kelahiran. Mohon dibantu perbaikannya."
        ),
        complaint_received_at=NOW - timedelta(days=2),
        response=(
            "Data kependudukan Saudari telah kami periksa dan kami perbaiki sesuai dengan "
            "Kutipan Akta Kelahiran yang Saudari lampirkan. KTP-el dengan nama yang benar telah "
            "dicetak ulang dan dapat diambil di UPT Disdukcapil Kecamatan Kota Agung, atau "
            "dikirim melalui kurir ke alamat Saudari.\n\n"
            "Dokumen elektronik hasil perbaikan — Kartu Keluarga dan biodata — kami kirimkan "
            "dalam bentuk PDF melalui WhatsApp ke nomor yang terdaftar."
        ),
        letter_date=date(2026, 11, 25),
        signatory=KADIS,
        tembusan=("Bupati Tanggamus (sebagai laporan)", "Arsip"),
    )


def sample_ba(rows: int) -> BeritaAcaraInput:
    rnd = random.Random(rows)
    cases = tuple(
        BaCase(
            case_number=f"PGD-2026-{i:06d}",
            applicant_name=rnd.choice(NAMES),
            layanan=rnd.choice(LAYANAN),
            sent_at=NOW - timedelta(days=rnd.randint(0, 20)),
        )
        for i in range(1, rows + 1)
    )
    return BeritaAcaraInput(
        number="470/12/BA/DISDUKCAPIL/2026",
        held_at=NOW,
        kecamatan="Kota Agung",
        upt_name="UPT Disdukcapil Kecamatan Kota Agung",
        cases=cases,
        handed_over_by=KADIS,
        received_by=UPT,
        verification_url="http://127.0.0.1:8080/v/BA12",
    )


def sample_rekap() -> RekapInput:
    rnd = random.Random(11)
    return RekapInput(
        date_from=date(2026, 11, 1),
        date_to=date(2026, 11, 30),
        kecamatan=KECAMATAN,
        layanan=LAYANAN,
        counts=[RekapCount(k, lay, rnd.randint(0, 25)) for k in KECAMATAN for lay in LAYANAN],
        verification_url="http://127.0.0.1:8080/v/RK2611",
    )


def sample_mutu() -> MutuBakuInput:
    rnd = random.Random(7)

    def hours(low: float, high: float) -> timedelta:
        return timedelta(hours=rnd.uniform(low, high))

    by_step = [
        MutuBakuRow(
            label=text,
            no=no,
            role=ROLES[role],
            waktu=waktu or "1 hari",
            count=rnd.randint(60, 140),
            within_share=rnd.uniform(0.62, 1.0),
            median=hours(0.3, 6),
            worst=hours(8, 60),
        )
        for no, text, role, _, waktu, _ in STEPS[1:]
    ]
    by_role = [
        MutuBakuRow(
            label=role,
            count=rnd.randint(60, 260),
            within_share=rnd.uniform(0.65, 1.0),
            median=hours(0.3, 6),
            worst=hours(8, 60),
        )
        for role in ROLES[1:13]
    ]
    return MutuBakuInput(
        date_from=date(2026, 11, 1),
        date_to=date(2026, 11, 30),
        by_step=by_step,
        by_role=by_role,
        verification_url="http://127.0.0.1:8080/v/MB2611",
    )


def sample_sop() -> SopChartInput:
    return SopChartInput(
        title="SOP PENGADUAN ONLINE",
        roles=ROLES,
        rows=[
            SopRow(no, text, ROLES[role], kelengkapan=kel, waktu=waktu, output=output)
            for no, text, role, kel, waktu, output in STEPS
        ],
        verification_url="http://127.0.0.1:8080/v/SOP1",
    )


def renderers() -> dict[str, Callable[[FontSet], RenderedPdf]]:
    from staffbot.documents import render

    kw: dict[str, Any] = {"letterhead": LETTERHEAD, "generated_at": NOW}
    bukti, berkas, surat = sample_bukti(), sample_berkas(), sample_surat()
    ba12, ba500 = sample_ba(12), sample_ba(500)
    rekap, mutu, sop = sample_rekap(), sample_mutu(), sample_sop()
    return {
        "bukti_pendaftaran": lambda f: render.bukti_pendaftaran(bukti, fonts=f, **kw),
        "berkas_cetak": lambda f: render.berkas_cetak(berkas, fonts=f, **kw),
        "surat_tanggapan": lambda f: render.surat_tanggapan(surat, fonts=f, **kw),
        "berita_acara": lambda f: render.berita_acara(ba12, fonts=f, **kw),
        "berita_acara_500": lambda f: render.berita_acara(ba500, fonts=f, **kw),
        "rekap_kecamatan": lambda f: render.rekap_kecamatan(rekap, fonts=f, **kw),
        "mutu_baku": lambda f: render.mutu_baku(mutu, fonts=f, **kw),
        "sop_chart": lambda f: render.sop_chart(sop, fonts=f, **kw),
    }


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


async def amedian_ms(fn: Callable[[], Any], runs: int) -> float:
    await fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


async def bench(runs: int) -> dict[str, Any]:
    from staffbot.documents.local_signer import LocalPadesSigner
    from staffbot.documents.pki import init_office_pki
    from staffbot.documents.verify import load_trust_roots, validate_signed_pdf

    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        subset = subset_fonts(Path(tmp) / "fonts")
        first_subset_ms = (time.perf_counter() - start) * 1000
        full = full_fonts()
        documents: dict[str, Any] = {}
        for name, make in renderers().items():
            n = max(3, runs // 4) if name in ("berita_acara_500", "berkas_cetak") else runs
            rendered = make(subset)
            documents[name] = {
                "pages": rendered.page_count,
                "bytes": rendered.size,
                "ms_subset_font": round(median_ms(lambda m=make: m(subset), n), 1),
                "ms_full_font": round(median_ms(lambda m=make: m(full), n), 1),
            }

        pki = init_office_pki(
            Path(tmp) / "pki",
            office_name="Disdukcapil Kabupaten Tanggamus",
            kadis_name=KADIS.name,
            kadis_nip=KADIS.nip or "",
            passphrase=PASSPHRASE,
            now=NOW,
        )
        signer = LocalPadesSigner(pki.pkcs12)
        roots = load_trust_roots(pki.ca_cert)
        surat = sample_surat()

        def render_surat() -> RenderedPdf:
            from staffbot.documents.surat import surat_tanggapan

            return surat_tanggapan(surat, letterhead=LETTERHEAD, generated_at=NOW, fonts=subset)

        rendered = render_surat()
        assert rendered.signature_placement is not None
        req = SignRequest(
            signer_name=KADIS.name,
            nip=KADIS.nip or "",
            secret=PASSPHRASE,
            placement=rendered.signature_placement,
            verification_url=URL,
        )

        async def render_and_sign() -> bytes:
            doc = await asyncio.to_thread(render_surat)
            return (await signer.sign(doc.pdf, req)).pdf

        async def sign_only() -> bytes:
            return (await signer.sign(rendered.pdf, req)).pdf

        signed = await render_and_sign()
        report = await validate_signed_pdf(signed, roots)
        assert report.ok, report

        async def validate() -> None:
            await validate_signed_pdf(signed, roots)

        signing = {
            "sign_ms": round(await amedian_ms(sign_only, runs), 1),
            "render_and_sign_ms": round(await amedian_ms(render_and_sign, runs), 1),
            "validate_ms": round(await amedian_ms(validate, runs), 1),
            "signed_bytes": len(signed),
        }
        ba500 = documents["berita_acara_500"]["ms_subset_font"]
        return {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"python": platform.python_version(), "platform": platform.platform()},
            "runs": runs,
            "font_subset_once_ms": round(first_subset_ms, 1),
            "documents": documents,
            "signing_ec_p256": signing,
            "goals": {
                "render_and_sign_a4_under_60ms": signing["render_and_sign_ms"] < 60,
                "berita_acara_500_rows_under_1s": ba500 < 1000,
            },
        }


def print_table(result: dict[str, Any]) -> None:
    print(f"{'document':<20} {'pages':>5} {'KB':>8} {'subset ms':>10} {'full ms':>9}")
    for name, doc in result["documents"].items():
        print(
            f"{name:<20} {doc['pages']:>5} {doc['bytes'] / 1024:>8.1f} "
            f"{doc['ms_subset_font']:>10.1f} {doc['ms_full_font']:>9.1f}"
        )
    s = result["signing_ec_p256"]
    print()
    print(f"font subset, once per process     {result['font_subset_once_ms']:>8.1f} ms")
    print(f"sign (local PAdES, EC P-256)      {s['sign_ms']:>8.1f} ms")
    print(f"render + sign surat (goal < 60)   {s['render_and_sign_ms']:>8.1f} ms")
    print(f"validate signed surat             {s['validate_ms']:>8.1f} ms")
    print(f"signed surat size                 {s['signed_bytes'] / 1024:>8.1f} KB")
    ba = result["documents"]["berita_acara_500"]
    print(f"berita acara, 500 rows (goal < 1s){ba['ms_subset_font']:>8.1f} ms")
    print("goals:", ", ".join(f"{k}={'ok' if v else 'MISSED'}" for k, v in result["goals"].items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "documents.json"
    )
    args = parser.parse_args()
    result = asyncio.run(bench(args.runs))
    print_table(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()

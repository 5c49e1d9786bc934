"""Every renderer, read back with pypdf."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docsupport import KADIS, KECAMATAN, NOW, ba_input, text_of
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from staffbot.documents.berita_acara import berita_acara
from staffbot.documents.bukti import bukti_pendaftaran
from staffbot.documents.errors import DocumentError
from staffbot.documents.fonts import SUBSET_CODEPOINTS, full_fonts, subset_fonts
from staffbot.documents.model import BuktiPendaftaranInput, Letterhead, SuratTanggapanInput
from staffbot.documents.report_model import (
    MutuBakuInput,
    MutuBakuRow,
    RekapCount,
    RekapInput,
    SopChartInput,
    SopRow,
)
from staffbot.documents.reports import mutu_baku, rekap_kecamatan
from staffbot.documents.sop_chart import sop_chart
from staffbot.documents.surat import surat_tanggapan

LETTERHEAD_LINES = (
    "PEMERINTAH DAERAH KABUPATEN TANGGAMUS",
    "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL",
)


def test_bukti_pendaftaran_masks_the_nik(
    bukti_input: BuktiPendaftaranInput, letterhead: Letterhead
) -> None:
    rendered = bukti_pendaftaran(bukti_input, letterhead=letterhead, generated_at=NOW)
    (page,) = text_of(rendered.pdf)
    assert rendered.page_count == 1
    for line in LETTERHEAD_LINES:
        assert line in page
    assert "BUKTI PENDAFTARAN" in page
    # one number: the nomor pengaduan; the registration book's number is not printed
    assert "Nomor Pengaduan : PGD-2026-000123" in page
    assert "REG/2026/11/0042" not in page
    assert "Siti Nurhaliza" in page
    assert "1806********0001" in page
    assert "1806123456780001" not in page
    assert "0812-****-7890" in page  # as people write it, not +628******7890
    assert "+62" not in page
    assert "Kota Agung" in page and "Perbaikan Data KTP-el" in page
    assert "25 November 2026 10.15 WIB" in page
    assert "Halaman 1 dari 1" in page


def test_documents_tell_the_time_of_the_office_zone(
    bukti_input: BuktiPendaftaranInput, letterhead: Letterhead
) -> None:
    """STAFFBOT_TIMEZONE=Asia/Makassar: the office's clock and its name, WITA."""
    makassar = replace(letterhead, tz=ZoneInfo("Asia/Makassar"))
    (page,) = text_of(bukti_pendaftaran(bukti_input, letterhead=makassar, generated_at=NOW).pdf)
    assert "25 November 2026 11.15 WITA" in page  # registered at 03.15 UTC
    assert "Dibuat secara elektronik 25 November 2026 11.15 WITA" in page  # the footer
    assert "WIB" not in page

    late = NOW.replace(hour=17)  # 01.15 WITA on the 26th, still the 25th in UTC
    ba = berita_acara(replace(ba_input(2), held_at=late), letterhead=makassar, generated_at=late)
    first = text_of(ba.pdf)[0]
    assert "dua puluh enam bulan November" in first and "(26-11-2026)" in first
    assert "WITA" in first and "WIB" not in first


def test_bukti_in_english(bukti_input: BuktiPendaftaranInput, letterhead: Letterhead) -> None:
    rendered = bukti_pendaftaran(
        bukti_input, letterhead=letterhead, language="en", generated_at=NOW
    )
    (page,) = text_of(rendered.pdf)
    assert "PROOF OF REGISTRATION" in page
    assert "Page 1 of 1" in page
    assert "1806********0001" in page


def test_naive_datetimes_are_refused(letterhead: Letterhead) -> None:
    with pytest.raises(ValueError):
        BuktiPendaftaranInput(
            registration_number="R",
            case_number="C",
            applicant_name="A",
            nik="1806123456780001",
            layanan="L",
            kecamatan="K",
            registered_at=NOW.replace(tzinfo=None),
            verification_url="u",
        )


def test_surat_tanggapan(surat_input: SuratTanggapanInput, letterhead: Letterhead) -> None:
    rendered = surat_tanggapan(surat_input, letterhead=letterhead, generated_at=NOW)
    pages = text_of(rendered.pdf)
    text = " ".join(pages)
    assert rendered.page_count == len(pages) == 1
    assert "470/1123/DISDUKCAPIL/XI/2026" in text
    assert "Kota Agung, 25 November 2026" in text
    assert "Sdri. Siti Nurhaliza" in text and "Sdr./Sdri." not in text
    assert "1806********0001" in text
    assert "“Nama pada KTP-el saya tertulis “Siti Nurhalisa”" in text
    assert "UPT Kecamatan Kota Agung — atau dikirim melalui kurir…" in text
    assert "MARADONA, S.STP.,M.Si" in text and "NIP. 19790903 199810 1 001" in text
    assert "Tembusan" in text and "Bupati Tanggamus" in text
    assert "ditandatangani secara elektronik" in text
    placement = rendered.signature_placement
    assert placement is not None and placement.page_index == 0
    # The stamp box sits in the right half, above the name, inside the page.
    box = placement.box
    reader = PdfReader(io.BytesIO(rendered.pdf))
    width = float(reader.pages[0].mediabox.width)
    assert width / 2 < box.x + box.width / 2 < width
    assert box.y > 0 and box.y + box.height < float(reader.pages[0].mediabox.height) / 2 + 200
    assert box.width >= 150 and box.height >= 55


def test_surat_with_a_long_answer_keeps_the_signature_together(
    surat_input: SuratTanggapanInput, letterhead: Letterhead
) -> None:
    long = SuratTanggapanInput(
        **{
            **surat_input.__dict__,
            "response": "\n\n".join(
                ["Kalimat tanggapan yang panjang untuk mengisi halaman surat ini. " * 6] * 6
            ),
        }
    )
    rendered = surat_tanggapan(long, letterhead=letterhead, generated_at=NOW)
    pages = text_of(rendered.pdf)
    assert rendered.page_count == len(pages) == 2
    assert "Halaman 1 dari 2" in pages[0] and "Halaman 2 dari 2" in pages[1]
    placement = rendered.signature_placement
    assert placement is not None
    assert "MARADONA" in pages[placement.page_index]


def test_berita_acara(letterhead: Letterhead) -> None:
    rendered = berita_acara(ba_input(12), letterhead=letterhead, generated_at=NOW)
    text = " ".join(text_of(rendered.pdf))
    assert "BERITA ACARA" in text and "PENGIRIMAN BERKAS KE UPT" in text
    assert "Nomor: 470/12/BA/DISDUKCAPIL/2026" in text
    assert (
        "Pada hari ini, Rabu tanggal dua puluh lima bulan November tahun dua ribu dua puluh "
        "enam (25-11-2026)" in text
    )
    assert "Kecamatan Kota Agung sebanyak 12 (dua belas) berkas" in text
    assert "PGD-2026-000001" in text and "PGD-2026-000012" in text
    assert "Jumlah: 12 berkas" in text
    assert "Yang Menerima" in text and "Yang Menyerahkan" in text
    assert "PIHAK PERTAMA" in text and "PIHAK KEDUA" in text
    assert "HENDRA SAPUTRA, S.E." in text and KADIS.name in text
    assert rendered.signature_placement is not None
    assert rendered.signature_placement.page_index == rendered.page_count - 1


def test_berita_acara_with_500_rows_repeats_the_header(letterhead: Letterhead) -> None:
    rendered = berita_acara(ba_input(500), letterhead=letterhead, generated_at=NOW)
    pages = text_of(rendered.pdf)
    assert rendered.page_count == len(pages) > 5
    header = "No Nomor Pengaduan Nama Pemohon NIK Layanan No. Dokumen Desa/Pekon Paraf Penerima"
    assert all(header in page for page in pages[:-1])
    assert "Halaman 1 dari" in pages[0]
    assert f"Halaman {len(pages)} dari {len(pages)}" in pages[-1]
    rows = sum(page.count("PGD-2026-") for page in pages)
    assert rows == 500
    text = " ".join(pages)
    assert "sebanyak 500 (lima ratus) berkas" in text
    assert "Jumlah: 500 berkas" in text
    assert "Yang Menerima" in pages[-1]


def test_rekap_kecamatan_counts_and_totals(letterhead: Letterhead) -> None:
    layanan = ["KTP-el", "Kartu Keluarga", "Akta Kelahiran"]
    counts = [RekapCount(k, lay, i % 4) for i, k in enumerate(KECAMATAN) for lay in layanan]
    counts.append(RekapCount("Kota Agung", "KTP-el", 10))  # added to the same cell
    data = RekapInput(
        date_from=date(2026, 11, 1),
        date_to=date(2026, 11, 30),
        kecamatan=KECAMATAN,
        layanan=layanan,
        counts=counts,
    )
    rendered = rekap_kecamatan(data, letterhead=letterhead, generated_at=NOW)
    text = " ".join(text_of(rendered.pdf))
    assert "REKAPITULASI DOKUMEN PER KECAMATAN" in text
    assert "Periode 1 November 2026 s.d. 30 November 2026" in text
    for kec in KECAMATAN:
        assert kec in text
    # Kota Agung (18.06.01) is row 1: 0 per layanan (i % 4 == 0), plus 10 for KTP-el.
    assert "1 Kota Agung 10 0 0 10" in text
    total = sum(c.count for c in counts)
    assert f"Jumlah {total}" in text


def test_rekap_goes_landscape_with_many_layanan(letterhead: Letterhead) -> None:
    layanan = [f"Layanan {i}" for i in range(1, 10)]
    data = RekapInput(
        date_from=date(2026, 11, 1),
        date_to=date(2026, 11, 30),
        kecamatan=KECAMATAN[:3],
        layanan=layanan,
        counts=[RekapCount("Semaka", "Layanan 9", 7)],
    )
    rendered = rekap_kecamatan(data, letterhead=letterhead, generated_at=NOW)
    page = PdfReader(io.BytesIO(rendered.pdf)).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)


def test_mutu_baku(letterhead: Letterhead) -> None:
    steps = [
        MutuBakuRow(
            label="Loket mencatat dan memverifikasi",
            no="6",
            role="Petugas Loket",
            waktu="1 hari",
            count=120,
            within_share=0.925,
            median=timedelta(hours=3),
            worst=timedelta(hours=30),
        ),
        MutuBakuRow(
            label="Kepala Dinas menandatangani",
            no="9",
            role="Kepala Dinas",
            waktu="1 hari",
            count=80,
            within_share=0.5,
            median=timedelta(minutes=40),
            worst=timedelta(days=3),
        ),
        MutuBakuRow(
            label="Kirim PDF",
            no="13",
            role="Operator Pengirim PDF",
            count=75,
            within_share=None,
            median=None,
            worst=None,
        ),
    ]
    roles = [
        MutuBakuRow(
            label="Kepala Dinas",
            count=160,
            within_share=0.75,
            median=timedelta(hours=2),
            worst=timedelta(days=3),
        )
    ]
    data = MutuBakuInput(
        date_from=date(2026, 11, 1), date_to=date(2026, 11, 30), by_step=steps, by_role=roles
    )
    rendered = mutu_baku(data, letterhead=letterhead, generated_at=NOW)
    text = " ".join(text_of(rendered.pdf))
    assert "LAPORAN CAPAIAN MUTU BAKU" in text
    assert "92,5%" in text and "50,0%" in text and "75,0%" in text
    assert "3,0 jam" in text and "40 mnt" in text and "3,0 hari" in text
    assert "Persentase selesai dalam batas Waktu per langkah" in text
    assert "6. Petugas Loket" in text  # the chart's label


def test_sop_chart(letterhead: Letterhead) -> None:
    roles = ["Pemohon/ Masyarakat", "Petugas Call Center", "Kepala Dinas"]
    rows = [
        SopRow("1", "Pelapor telepon ke nomor Call Center Disdukcapil", roles[0]),
        SopRow(
            "2",
            "Petugas Call Center menerima telepon dan mencatat",
            roles[1],
            kelengkapan="Bukti Berkas WA",
        ),
        SopRow(
            "3",
            "Kepala Dinas menandatangani dokumen secara elektronik",
            roles[2],
            waktu="1 hari",
            output="Dokumen",
        ),
    ]
    data = SopChartInput(title="SOP PENGADUAN ONLINE", roles=roles, rows=rows)
    rendered = sop_chart(data, letterhead=letterhead, generated_at=NOW)
    text = " ".join(text_of(rendered.pdf))
    page = PdfReader(io.BytesIO(rendered.pdf)).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)
    for word in (
        "SOP PENGADUAN ONLINE",
        "Uraian Prosedur",
        "Pelaksana",
        "Mutu Baku",
        "Kelengkapan",
        "Waktu",
        "Output",
        "Ket",
        "Bukti Berkas WA",
        "1 hari",
        "Kepala Dinas",
    ):
        assert word in text


def test_sop_chart_refuses_unknown_roles(letterhead: Letterhead) -> None:
    data = SopChartInput(title="SOP", roles=["A"], rows=[SopRow("1", "x", "B")])
    with pytest.raises(DocumentError):
        sop_chart(data, letterhead=letterhead, generated_at=NOW)


def test_subset_font_covers_the_punctuation_and_is_cached(tmp_path: Path) -> None:
    cache = tmp_path / "fonts"
    first = subset_fonts(cache)
    assert subset_fonts(cache) is first  # made once per process and directory
    font = TTFont(str(first.regular))
    cmap = font.getBestCmap()
    for ch in "—–“”‘’•…№":
        assert ord(ch) in cmap and ord(ch) in SUBSET_CODEPOINTS
    assert first.regular.stat().st_size < full_fonts().regular.stat().st_size / 3


def test_full_and_subset_fonts_render_the_same_text(
    bukti_input: BuktiPendaftaranInput, letterhead: Letterhead
) -> None:
    a = bukti_pendaftaran(bukti_input, letterhead=letterhead, generated_at=NOW)
    b = bukti_pendaftaran(bukti_input, letterhead=letterhead, generated_at=NOW, fonts=full_fonts())
    assert text_of(a.pdf) == text_of(b.pdf)


def test_letters_outside_the_font_fall_back_to_their_base_letter(
    bukti_input: BuktiPendaftaranInput, letterhead: Letterhead
) -> None:
    data = BuktiPendaftaranInput(**{**bukti_input.__dict__, "applicant_name": "Nguyễn Thị Ánh"})
    (page,) = text_of(bukti_pendaftaran(data, letterhead=letterhead, generated_at=NOW).pdf)
    assert "Nguyen Thi Ánh" in page  # ễ and ị are not in the subset, Á is

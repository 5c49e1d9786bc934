"""Shared inputs for the document tests; one office PKI per session."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

# `tests.doubles` is imported by package path; pytest's default rootdir handling does
# not put the repository root on sys.path for this directory.
_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from docsupport import KADIS, NOW, PASSPHRASE  # noqa: E402

from staffbot.documents.model import (  # noqa: E402
    BuktiPendaftaranInput,
    Letterhead,
    SuratTanggapanInput,
)
from staffbot.documents.pki import PkiPaths, init_office_pki  # noqa: E402


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiPaths:
    return init_office_pki(
        tmp_path_factory.mktemp("pki"),
        office_name="Disdukcapil Kabupaten Tanggamus",
        kadis_name=KADIS.name,
        kadis_nip=KADIS.nip or "",
        passphrase=PASSPHRASE,
        now=NOW,
    )


@pytest.fixture
def letterhead() -> Letterhead:
    return Letterhead(contact="Telepon (0722) 21000 · disdukcapil.tanggamus.go.id")


@pytest.fixture
def bukti_input() -> BuktiPendaftaranInput:
    return BuktiPendaftaranInput(
        registration_number="REG/2026/11/0042",
        case_number="PGD-2026-000123",
        applicant_name="Siti Nurhaliza",
        nik="1806123456780001",
        layanan="Perbaikan Data KTP-el",
        kecamatan="Kota Agung",
        registered_at=NOW,
        verification_url="http://127.0.0.1:8080/v/8F3K2Q9X",
        whatsapp="081234567890",
    )


@pytest.fixture
def surat_input() -> SuratTanggapanInput:
    return SuratTanggapanInput(
        nomor="470/1123/DISDUKCAPIL/XI/2026",
        perihal="Tanggapan atas Pengaduan Perbaikan Data KTP-el",
        case_number="PGD-2026-000123",
        applicant_name="Siti Nurhaliza",
        applicant_address="Pekon Kampung Baru, Kecamatan Kota Agung",
        nik="1806125507900001",  # born on the 15th (55 = 15 + 40): a woman
        kecamatan="Kota Agung",
        layanan="Perbaikan Data KTP-el",
        complaint="Nama pada KTP-el saya tertulis “Siti Nurhalisa”, seharusnya “Siti Nurhaliza”.",
        complaint_received_at=NOW - timedelta(days=2),
        response=(
            "Data kependudukan Saudari telah kami perbaiki sesuai Kutipan Akta Kelahiran.\n\n"
            "KTP-el dengan nama yang benar dapat diambil di UPT Kecamatan Kota Agung — atau "
            "dikirim melalui kurir…"
        ),
        letter_date=date(2026, 11, 25),
        signatory=KADIS,
        tembusan=("Bupati Tanggamus (sebagai laporan)", "Arsip"),
    )

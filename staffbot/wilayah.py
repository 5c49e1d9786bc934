"""Reference data of Kabupaten Tanggamus (Kemendagri 18.06): its kecamatan and codes.

The codes are those of Kepmendagri No. 300.2.2-2138 Tahun 2025 (Pemberian dan
Pemutakhiran Kode, Data Wilayah Administrasi Pemerintahan, dan Pulau), unchanged for
Tanggamus since Kepmendagri No. 100.1.1-6117 Tahun 2022; read from the compilation
github.com/cahyadsn/wilayah, db/wilayah.sql. The numbers have gaps: the kecamatan that
went to Kabupaten Pringsewu in 2008 took theirs along. The code's last two digits are
also digits 5-6 of a NIK recorded in that kecamatan.

Reports list kecamatan in the order of these codes, as the Kemendagri tables do (BPS
numbers them differently). Stdlib only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["KECAMATAN_KODE", "by_code", "upt_name"]

#: (Kemendagri code, name), in code order.
KECAMATAN_KODE: tuple[tuple[str, str], ...] = (
    ("18.06.01", "Kota Agung"),
    ("18.06.02", "Talang Padang"),
    ("18.06.03", "Wonosobo"),
    ("18.06.04", "Pulau Panggung"),
    ("18.06.09", "Cukuh Balak"),
    ("18.06.11", "Pugung"),
    ("18.06.12", "Semaka"),
    ("18.06.13", "Sumberejo"),
    ("18.06.15", "Ulu Belu"),
    ("18.06.16", "Pematang Sawa"),
    ("18.06.17", "Kelumbayan"),
    ("18.06.18", "Kota Agung Barat"),
    ("18.06.19", "Kota Agung Timur"),
    ("18.06.20", "Gisting"),
    ("18.06.21", "Gunung Alip"),
    ("18.06.24", "Limau"),
    ("18.06.25", "Bandar Negeri Semuong"),
    ("18.06.26", "Air Naningan"),
    ("18.06.27", "Bulok"),
    ("18.06.28", "Kelumbayan Barat"),
)


def by_code(names: Iterable[str], codes: Mapping[str, str]) -> list[str]:
    """``names`` in the order of their codes; names without a code keep their order,
    after the others."""
    listed = list(dict.fromkeys(names))
    known = sorted((n for n in listed if n in codes), key=lambda n: _code_key(codes[n]))
    return known + [n for n in listed if n not in codes]


def _code_key(code: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in code.split("."))


def upt_name(kecamatan: str, upt: Mapping[str, str]) -> str:
    """The UPT that receives the files of ``kecamatan``: the office's mapping, else the
    kecamatan's own UPT."""
    return upt.get(kecamatan) or f"UPT Disdukcapil Kecamatan {kecamatan}"

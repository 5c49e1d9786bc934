"""Typed inputs of the reports: the rekap per kecamatan, the Mutu Baku report and the
SOP chart. Stdlib only, like :mod:`staffbot.documents.model`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from staffbot.documents.model import Official

__all__ = [
    "MutuBakuInput",
    "MutuBakuRow",
    "RekapCount",
    "RekapInput",
    "SopChartInput",
    "SopIdentity",
    "SopRow",
]


@dataclass(frozen=True)
class RekapCount:
    kecamatan: str
    layanan: str
    count: int


@dataclass(frozen=True)
class RekapInput:
    """Step 12's counts: documents per kecamatan and per layanan over a date range."""

    date_from: date
    date_to: date
    kecamatan: Sequence[str]
    """Row order (all kecamatan of the regency, also those with no case)."""
    layanan: Sequence[str]
    """Column order."""
    counts: Sequence[RekapCount]
    verification_url: str | None = None
    kecamatan_codes: Mapping[str, str] = field(default_factory=dict)
    """Kemendagri code per kecamatan: rows follow the codes and show them."""
    number: str | None = None
    """The report's number (STAFFBOT_NUMBER_REKAP), printed under the title."""
    made_on: date | None = None
    """The date of the place/date line above the signature."""
    signatory: Official | None = None
    """Who signs the report (the Kepala Dinas): a signature block closes it."""


@dataclass(frozen=True)
class MutuBakuRow:
    """Precomputed performance of one step or one role against the SOP's Waktu."""

    label: str
    count: int
    within_share: float | None
    """Share (0..1) finished within the Waktu; None when the step has no Waktu."""
    median: timedelta | None
    worst: timedelta | None
    no: str = ""
    """SOP step number, empty for a role row."""
    role: str = ""
    waktu: str = ""
    """The Mutu Baku's Waktu as the SOP writes it ("1 hari"), or empty."""


@dataclass(frozen=True)
class MutuBakuInput:
    date_from: date
    date_to: date
    by_step: Sequence[MutuBakuRow]
    by_role: Sequence[MutuBakuRow]
    verification_url: str | None = None


@dataclass(frozen=True)
class SopRow:
    """One step of the flow as a row of the SOP table."""

    no: str
    uraian: str
    role: str
    """One of :attr:`SopChartInput.roles`; the row gets its mark in that column."""
    kelengkapan: str = ""
    waktu: str = ""
    output: str = ""
    ket: str = ""
    decision: bool = False
    """The step decides (Setujui/Tolak): drawn as a diamond, not a box."""
    back_to: str = ""
    """Where a "no" sends the case back (a step number), drawn beside the diamond."""


@dataclass(frozen=True)
class SopIdentity:
    """The identity block of a printed SOP (Permenpan RB 35/2012): number, dates, who
    approved it, legal basis, qualification, related SOPs, equipment, warning, records.
    An empty field prints as "-"."""

    nomor: str = ""
    tanggal_pembuatan: str = ""
    tanggal_revisi: str = ""
    tanggal_efektif: str = ""
    disahkan_jabatan: str = ""
    disahkan_nama: str = ""
    disahkan_nip: str = ""
    dasar_hukum: Sequence[str] = ()
    kualifikasi: Sequence[str] = ()
    keterkaitan: Sequence[str] = ()
    peralatan: Sequence[str] = ()
    peringatan: Sequence[str] = ()
    pencatatan: Sequence[str] = ()


@dataclass(frozen=True)
class SopChartInput:
    title: str
    """E.g. "SOP PENGADUAN ONLINE"."""
    roles: Sequence[str]
    """Column order of the Pelaksana."""
    rows: Sequence[SopRow]
    verification_url: str | None = None
    identity: SopIdentity | None = None
    """Printed on the first page, before the table."""

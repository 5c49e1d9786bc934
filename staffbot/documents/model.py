"""Plain typed inputs and outputs of the document and signing layer.

Stdlib only, so the core can import these types without loading fpdf or pyHanko.
Every datetime must be timezone-aware; renderers show them on the office's clock
(:attr:`Letterhead.tz`), named as Indonesians do (WIB, WITA, WIT).
Coordinates of stamp boxes are PDF points (1/72 inch) with the origin at the
bottom-left corner of the page, which is what both pyHanko and BSrE expect.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Final, Literal
from zoneinfo import ZoneInfo

__all__ = [
    "OFFICE_ZONE",
    "Attachment",
    "BaCase",
    "BeritaAcaraInput",
    "BerkasCetakInput",
    "Box",
    "BuktiPendaftaranInput",
    "Language",
    "Letterhead",
    "NikMode",
    "Official",
    "RenderedPdf",
    "SecretKind",
    "SignRequest",
    "SignedPdf",
    "SignerBackend",
    "StampPlacement",
    "SuratTanggapanInput",
    "mask_nik",
]

Language = Literal["id", "en"]
SecretKind = Literal["passphrase", "totp"]
SignerBackend = Literal["local", "bsre"]
NikMode = Literal["masked", "full", "none"]

#: The office's time zone when none is given (STAFFBOT_TIMEZONE's default).
OFFICE_ZONE: Final[tzinfo] = ZoneInfo("Asia/Jakarta")


def mask_nik(nik: str) -> str:
    """Keep the first and last four digits: ``1806********0001`` (UU 27/2022, PDP)."""
    digits = "".join(ch for ch in nik if not ch.isspace())
    if len(digits) <= 8:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def _aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


# --------------------------------------------------------------------------- office


@dataclass(frozen=True)
class Letterhead:
    """The office's letterhead (kop surat); every document starts with it."""

    government: str = "PEMERINTAH DAERAH KABUPATEN TANGGAMUS"
    office: str = "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL"
    address: str = "Kompleks Perkantoran Pemerintah Kabupaten Tanggamus, Kota Agung, Lampung"
    contact: str | None = None
    """A second, smaller line: telephone, e-mail, website."""
    logo_path: Path | None = None
    """PNG or JPEG of the regency's emblem, printed left of the text."""
    city: str = "Kota Agung"
    """Place of the place/date line above signatures."""
    tz: tzinfo = OFFICE_ZONE
    """The office's time zone (STAFFBOT_TIMEZONE): every time a document prints is on
    this clock, named WIB / WITA / WIT (or its UTC offset elsewhere)."""


@dataclass(frozen=True)
class Official:
    """A person in a signature block."""

    name: str
    position: str
    """Jabatan, e.g. "Kepala Dinas Kependudukan dan Pencatatan Sipil"."""
    nip: str | None = None
    """As stored (18 digits); documents print it grouped (``format_nip``)."""
    rank: str | None = None
    """Pangkat/golongan, e.g. "Pembina Utama Muda (IV/c)"."""


# ---------------------------------------------------------------------- documents


@dataclass(frozen=True)
class BuktiPendaftaranInput:
    """Step 6: proof of registration handed to the applicant."""

    registration_number: str
    """The registration book's number: kept for the record, not printed (the applicant
    quotes one number, the nomor pengaduan)."""
    case_number: str
    applicant_name: str
    nik: str
    """The full NIK; the document prints it masked."""
    layanan: str
    kecamatan: str
    registered_at: datetime
    verification_url: str
    """This paper's own verification page (/v/<code>)."""
    whatsapp: str | None = None
    """The applicant's WhatsApp number; printed masked."""
    status_url: str | None = None
    """The application's public status page (/s/<code>): the QR the applicant scans.
    Without it the QR is the verification page's, and the text says so."""

    def __post_init__(self) -> None:
        _aware(self.registered_at, "registered_at")


@dataclass(frozen=True)
class Attachment:
    """One file the applicant sent: JPEG, PNG or PDF (detected from the bytes)."""

    filename: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class BerkasCetakInput:
    """Step 5: the printable dossier: a cover sheet and the applicant's files."""

    case_number: str
    applicant_name: str
    layanan: str
    kecamatan: str
    received_at: datetime
    verification_url: str
    attachments: Sequence[Attachment] = ()
    registration_number: str | None = None
    nik: str | None = None
    """Printed masked when given."""

    def __post_init__(self) -> None:
        _aware(self.received_at, "received_at")


@dataclass(frozen=True)
class SuratTanggapanInput:
    """Step 8: the standard reply letter to a complaint, signed at step 9."""

    nomor: str
    perihal: str
    case_number: str
    applicant_name: str
    kecamatan: str
    layanan: str
    complaint: str
    """The applicant's complaint (keluhan), quoted in the letter."""
    complaint_received_at: datetime
    response: str
    """The office's answer; paragraphs separated by blank lines."""
    letter_date: date
    signatory: Official
    applicant_address: str | None = None
    nik: str | None = None
    sifat: str = "Biasa"
    lampiran: str = "-"
    tembusan: Sequence[str] = ()
    signer_backend: SignerBackend = "local"
    """Who issues the signing certificate: "bsre" (BSrE, BSSN) or "local" (the office's
    own CA, `signing init`); the footer says which, truthfully."""

    def __post_init__(self) -> None:
        _aware(self.complaint_received_at, "complaint_received_at")


@dataclass(frozen=True)
class BaCase:
    """One row of the Berita Acara's table."""

    case_number: str
    applicant_name: str
    layanan: str
    sent_at: datetime
    nik: str | None = None
    """Printed as :attr:`BeritaAcaraInput.nik_mode` says (masked by default)."""
    document_number: str | None = None
    """The number of the document handed over, when it has one; else "-"."""
    desa: str | None = None
    """Desa/pekon when known; else "-"."""
    kecamatan: str | None = None
    """Shown beside the desa when the BA covers several kecamatan (one UPT)."""

    def __post_init__(self) -> None:
        _aware(self.sent_at, "sent_at")


@dataclass(frozen=True)
class BeritaAcaraInput:
    """Step 14: *Berita Acara Pengiriman Berkas ke UPT*, one per UPT/kecamatan."""

    number: str
    """Already formatted, see :func:`staffbot.documents.text.format_ba_number`."""
    held_at: datetime
    """The day the BA is made; its day name and date are written out in words."""
    kecamatan: str
    upt_name: str
    cases: Sequence[BaCase]
    handed_over_by: Official
    """The Kepala Dinas (PIHAK PERTAMA, yang menyerahkan); signs electronically."""
    received_by: Official
    """The head of the UPT (PIHAK KEDUA, yang menerima); signs on paper, no NIP line."""
    verification_url: str | None = None
    """Kept for callers; not printed: the TTE stamp carries the verification QR."""
    nik_mode: NikMode = "masked"
    """The NIK column: "masked" (1806********0001), "full", or "none" (left out)."""
    signer_backend: SignerBackend = "local"

    def __post_init__(self) -> None:
        _aware(self.held_at, "held_at")


# ------------------------------------------------------------------------ outputs


@dataclass(frozen=True)
class Box:
    """A rectangle in PDF points, origin at the page's bottom-left corner."""

    x: float
    y: float
    width: float
    height: float

    def corners(self) -> tuple[int, int, int, int]:
        """``(x1, y1, x2, y2)`` rounded to whole points, as pyHanko's field spec wants."""
        return (
            round(self.x),
            round(self.y),
            round(self.x + self.width),
            round(self.y + self.height),
        )


@dataclass(frozen=True)
class StampPlacement:
    """Where the visible signature stamp goes."""

    page_index: int
    """0-based page index (BSrE counts from 1; the BSrE client converts)."""
    box: Box


@dataclass(frozen=True)
class RenderedPdf:
    """A rendered document."""

    pdf: bytes = field(repr=False)
    page_count: int
    signature_placement: StampPlacement | None = None
    """For documents meant to be signed: the free space in the signature block."""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()

    @property
    def size(self) -> int:
        return len(self.pdf)


@dataclass(frozen=True)
class SignRequest:
    """What a signer needs to sign one PDF.

    The secret (PIN, passphrase or TOTP) is never part of the repr; keep the request
    object short-lived and never persist it.
    """

    signer_name: str
    nip: str
    secret: str = field(repr=False)
    placement: StampPlacement
    verification_url: str
    reason: str = "Menyetujui isi dokumen"
    location: str = "Kota Agung"
    nik: str | None = field(default=None, repr=False)
    """For BSrE (either nik or email identifies the signer there)."""
    email: str | None = None
    secret_kind: SecretKind = "passphrase"  # noqa: S105 - the kind, not a secret
    position: str | None = None
    """Printed in the stamp under the name (useful when the PDF has no signature block)."""
    identity_below: bool = False
    """The document's signature block already prints the signer's name, pangkat and NIP
    under the stamp's place: the stamp shows only its heading, the QR and the time, so
    the name and NIP appear once."""

    def __repr__(self) -> str:
        nik = mask_nik(self.nik) if self.nik else None
        return (
            f"SignRequest(signer_name={self.signer_name!r}, nip={self.nip!r}, "
            f"nik={nik!r}, email={self.email!r}, secret_kind={self.secret_kind!r}, "
            f"placement={self.placement!r}, reason={self.reason!r})"
        )


@dataclass(frozen=True)
class SignedPdf:
    pdf: bytes = field(repr=False)
    signed_at: datetime
    signer: str
    """The signer's name as requested."""
    certificate_subject: str
    """Subject of the certificate found in the new signature."""
    sha256: str
    backend: str
    """"local" or "bsre"."""

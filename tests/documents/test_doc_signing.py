"""Local PAdES signing with the office PKI, and validation."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docsupport import KADIS, NOW, PASSPHRASE, text_of
from pypdf import PdfReader

from staffbot.documents.errors import (
    DocumentError,
    PassphraseWrong,
    PkiExists,
    SigningKeyMissing,
    WeakPassphrase,
)
from staffbot.documents.local_signer import LocalPadesSigner
from staffbot.documents.model import (
    Box,
    Letterhead,
    SignRequest,
    StampPlacement,
    SuratTanggapanInput,
)
from staffbot.documents.pki import PkiPaths, init_office_pki
from staffbot.documents.signing import last_page_placement
from staffbot.documents.surat import surat_tanggapan
from staffbot.documents.verify import load_trust_roots, sha256_hex, validate_signed_pdf
from staffbot.errors import SignerRefused

SIGNED_AT = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # 11.00 WIB


def stamp_text(pdf: bytes) -> str:
    """The text drawn in the signature widgets' appearance streams (and their XObjects)."""
    reader = PdfReader(io.BytesIO(pdf))
    chunks: list[bytes] = []

    def walk(stream: object) -> None:
        obj = stream.get_object()  # type: ignore[attr-defined]
        chunks.append(obj.get_data())
        xobjects = obj.get("/Resources", {}).get("/XObject", {})
        for ref in xobjects.values():
            if ref.get_object().get("/Subtype") == "/Form":
                walk(ref)

    for page in reader.pages:
        for annot in page.get("/Annots", []):
            appearance = annot.get_object().get("/AP")
            if appearance is not None:
                walk(appearance["/N"])
    raw = b"".join(chunks)
    # PDF literal strings escape punctuation as octal: "\\056" is ".".
    return re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), raw).decode("latin-1")


def request(placement: StampPlacement, secret: str = PASSPHRASE) -> SignRequest:
    return SignRequest(
        signer_name=KADIS.name,
        nip=KADIS.nip or "",
        secret=secret,
        placement=placement,
        verification_url="http://127.0.0.1:8080/v/8F3K2Q9X",
        nik="1806123456780001",
        reason="Menyetujui Surat Tanggapan Pengaduan",
    )


@pytest.fixture
def surat(surat_input: SuratTanggapanInput, letterhead: Letterhead) -> tuple[bytes, StampPlacement]:
    rendered = surat_tanggapan(surat_input, letterhead=letterhead, generated_at=NOW)
    assert rendered.signature_placement is not None
    return rendered.pdf, rendered.signature_placement


async def test_signed_pdf_validates_against_the_office_root(
    pki: PkiPaths, surat: tuple[bytes, StampPlacement]
) -> None:
    pdf, placement = surat
    signer = LocalPadesSigner(pki.pkcs12, now=lambda: SIGNED_AT)
    signed = await signer.sign(pdf, request(placement))

    assert signed.pdf.startswith(pdf)  # an incremental update: the original bytes stay
    assert signed.sha256 == sha256_hex(signed.pdf)
    assert signed.signed_at == SIGNED_AT and signed.backend == "local"
    assert "MARADONA" in signed.certificate_subject

    report = await validate_signed_pdf(signed.pdf, load_trust_roots(pki.ca_cert))
    assert report.ok
    assert report.intact and report.valid and report.trusted and report.covers_whole_document
    assert report.signer_subject is not None and "MARADONA" in report.signer_subject
    assert report.signing_time == SIGNED_AT
    assert report.sha256 == signed.sha256

    # The stamp (the signature field's appearance) says who and when, in WIB.
    stamp = stamp_text(signed.pdf)
    assert "Ditandatangani secara elektronik" in stamp
    assert "NIP. 19790903 199810 1 001" in stamp
    assert "25 November 2026 11.00 WIB" in stamp
    assert "MARADONA" in text_of(signed.pdf)[0]


async def test_the_stamp_tells_the_time_of_the_office_zone(
    pki: PkiPaths, surat: tuple[bytes, StampPlacement]
) -> None:
    pdf, placement = surat
    makassar = LocalPadesSigner(pki.pkcs12, now=lambda: SIGNED_AT, tz=ZoneInfo("Asia/Makassar"))
    stamp = stamp_text((await makassar.sign(pdf, request(placement))).pdf)
    assert "25 November 2026 12.00 WITA" in stamp
    assert "WIB" not in stamp


async def test_a_changed_byte_is_reported(
    pki: PkiPaths, surat: tuple[bytes, StampPlacement]
) -> None:
    pdf, placement = surat
    signed = await LocalPadesSigner(pki.pkcs12).sign(pdf, request(placement))
    roots = load_trust_roots(pki.ca_cert)
    for offset in (len(pdf) // 2, 200, len(pdf) - 50):
        tampered = bytearray(signed.pdf)
        tampered[offset] ^= 0x01
        report = await validate_signed_pdf(bytes(tampered), roots)
        assert not report.ok
        assert not report.intact and not report.valid
        assert report.sha256 != signed.sha256


async def test_untrusted_root_is_not_trusted(
    pki: PkiPaths, surat: tuple[bytes, StampPlacement], tmp_path: Path
) -> None:
    other = init_office_pki(
        tmp_path,
        office_name="Kantor Lain",
        kadis_name="X",
        kadis_nip="1",
        passphrase="another-passphrase",
        now=NOW,
    )
    pdf, placement = surat
    signed = await LocalPadesSigner(pki.pkcs12).sign(pdf, request(placement))
    report = await validate_signed_pdf(signed.pdf, load_trust_roots(other.ca_cert))
    assert report.intact and report.valid and not report.trusted and not report.ok


async def test_unsigned_and_unreadable_pdfs(
    pki: PkiPaths, surat: tuple[bytes, StampPlacement]
) -> None:
    roots = load_trust_roots(pki.ca_cert)
    unsigned = await validate_signed_pdf(surat[0], roots)
    assert not unsigned.signed and not unsigned.ok
    garbage = await validate_signed_pdf(b"not a pdf at all", roots)
    assert not garbage.ok and garbage.problem is not None


async def test_wrong_passphrase_is_refused(
    pki: PkiPaths, surat: tuple[bytes, StampPlacement]
) -> None:
    pdf, placement = surat
    with pytest.raises(PassphraseWrong) as caught:
        await LocalPadesSigner(pki.pkcs12).sign(pdf, request(placement, secret="salah-sekali"))
    assert isinstance(caught.value, SignerRefused)
    assert caught.value.code == "sign_passphrase_wrong"
    assert "salah-sekali" not in repr(caught.value) and "salah-sekali" not in str(caught.value)


async def test_missing_key_file(tmp_path: Path, surat: tuple[bytes, StampPlacement]) -> None:
    pdf, placement = surat
    with pytest.raises(SigningKeyMissing):
        await LocalPadesSigner(tmp_path / "none.p12").sign(pdf, request(placement))


async def test_stamp_page_must_exist(pki: PkiPaths, surat: tuple[bytes, StampPlacement]) -> None:
    pdf, placement = surat
    wrong = StampPlacement(page_index=5, box=placement.box)
    with pytest.raises(DocumentError):
        await LocalPadesSigner(pki.pkcs12).sign(pdf, request(wrong))


async def test_second_signature_and_uploaded_pdf(
    pki: PkiPaths, surat: tuple[bytes, StampPlacement]
) -> None:
    pdf, placement = surat
    signer = LocalPadesSigner(pki.pkcs12)
    once = await signer.sign(pdf, request(placement))
    bottom = last_page_placement(once.pdf)
    twice = await signer.sign(once.pdf, request(bottom))
    report = await validate_signed_pdf(twice.pdf, load_trust_roots(pki.ca_cert))
    assert len(report.signatures) == 2
    assert report.ok
    assert not report.signatures[0].covers_whole_document  # the second one came after
    assert len(PdfReader(io.BytesIO(twice.pdf)).pages) == 1


def test_request_repr_hides_the_secret_and_masks_the_nik() -> None:
    req = request(StampPlacement(0, Box(1, 2, 3, 4)), secret="PIN-123456")
    assert "PIN-123456" not in repr(req) and "PIN-123456" not in str(req)
    assert "1806123456780001" not in repr(req)
    assert "1806********0001" in repr(req)


def test_init_refuses_to_overwrite_and_weak_passphrases(pki: PkiPaths, tmp_path: Path) -> None:
    with pytest.raises(PkiExists):
        init_office_pki(
            pki.ca_cert.parent,
            office_name="x",
            kadis_name="y",
            kadis_nip="1",
            passphrase="long-enough-pass",
            now=NOW,
        )
    with pytest.raises(WeakPassphrase):
        init_office_pki(
            tmp_path / "weak",
            office_name="x",
            kadis_name="y",
            kadis_nip="1",
            passphrase="12345",
            now=NOW,
        )
    assert not (tmp_path / "weak" / "kepala-dinas.p12").exists()
    assert oct(pki.pkcs12.stat().st_mode & 0o777) == "0o600"

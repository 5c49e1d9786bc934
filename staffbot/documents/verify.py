"""Checking a signed PDF: hash, PAdES signatures, trust in the office root.

Used by `pdf verify FILE` and the public verification page. Validation never goes
to the network (no OCSP/CRL fetching): trust is decided by the roots passed in.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

__all__ = [
    "SignatureInfo",
    "SignatureReport",
    "load_trust_roots",
    "sha256_hex",
    "validate_signed_pdf",
]

log = logging.getLogger(__name__)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_trust_roots(*sources: Path | bytes) -> list[x509.Certificate]:
    """Certificates from PEM (or DER) files or bytes; a PEM may hold several."""
    roots: list[x509.Certificate] = []
    for source in sources:
        data = source.read_bytes() if isinstance(source, Path) else source
        if b"-----BEGIN CERTIFICATE-----" in data:
            roots.extend(x509.load_pem_x509_certificates(data))
        else:
            roots.append(x509.load_der_x509_certificate(data))
    return roots


@dataclass(frozen=True)
class SignatureInfo:
    field_name: str
    intact: bool
    """The signed bytes hash to the value in the signature."""
    valid: bool
    """Intact and the cryptographic signature over it checks out."""
    trusted: bool
    """The signer's certificate chains up to one of the trust roots."""
    covers_whole_document: bool
    """Nothing was appended after this signature."""
    signer_subject: str | None
    signer_common_name: str | None
    signing_time: datetime | None
    summary: str


@dataclass(frozen=True)
class SignatureReport:
    sha256: str
    signatures: tuple[SignatureInfo, ...]
    problem: str | None = None
    """Why the file could not be checked at all (unreadable PDF ...)."""

    @property
    def signed(self) -> bool:
        return bool(self.signatures)

    @property
    def intact(self) -> bool:
        return self.signed and all(s.intact for s in self.signatures)

    @property
    def valid(self) -> bool:
        return self.signed and all(s.valid for s in self.signatures)

    @property
    def trusted(self) -> bool:
        return self.signed and all(s.trusted for s in self.signatures)

    @property
    def covers_whole_document(self) -> bool:
        return self.signed and self.signatures[-1].covers_whole_document

    @property
    def signer_subject(self) -> str | None:
        return self.signatures[-1].signer_subject if self.signed else None

    @property
    def signing_time(self) -> datetime | None:
        return self.signatures[-1].signing_time if self.signed else None

    @property
    def ok(self) -> bool:
        """Signed, unaltered, cryptographically valid, trusted, nothing appended."""
        return self.intact and self.valid and self.trusted and self.covers_whole_document


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


async def validate_signed_pdf(
    pdf: bytes, trust_roots: Iterable[x509.Certificate]
) -> SignatureReport:
    """Validate every signature in ``pdf`` against ``trust_roots``.

    Never raises for a bad document: a changed, truncated or unsigned file comes
    back as a report that is not ``ok`` (with ``problem`` set when unreadable).
    CPU-bound for a few milliseconds per signature.
    """
    digest = sha256_hex(pdf)
    roots = [_asn1(c) for c in trust_roots]
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        return SignatureReport(sha256=digest, signatures=(), problem=f"unreadable PDF: {exc}")
    infos: list[SignatureInfo] = []
    for sig in embedded:
        infos.append(await _validate_one(sig, roots))
    return SignatureReport(sha256=digest, signatures=tuple(infos))


async def _validate_one(
    sig: EmbeddedPdfSignature, roots: Sequence[asn1_x509.Certificate]
) -> SignatureInfo:
    name = str(getattr(sig, "field_name", "?"))
    context = ValidationContext(trust_roots=list(roots), allow_fetching=False)
    try:
        status = await async_validate_pdf_signature(sig, context)
    except (SignatureValidationError, PdfError, ValueError, KeyError, TypeError) as exc:
        # A byte flipped inside the signature container or the structures around it.
        return SignatureInfo(
            field_name=name,
            intact=False,
            valid=False,
            trusted=False,
            covers_whole_document=False,
            signer_subject=None,
            signer_common_name=None,
            signing_time=None,
            summary=f"INVALID: {exc}",
        )
    cert = status.signing_cert
    subject = cert.subject if cert is not None else None
    common_name = subject.native.get("common_name") if subject is not None else None
    intact = bool(status.intact)
    return SignatureInfo(
        field_name=name,
        intact=intact,
        valid=intact and bool(status.valid),
        trusted=intact and bool(status.valid) and bool(status.trusted),
        covers_whole_document=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        signer_subject=subject.human_friendly if subject is not None else None,
        signer_common_name=str(common_name) if common_name is not None else None,
        signing_time=status.signer_reported_dt,
        summary=str(status.summary()),
    )

"""The local PAdES signature, as a document job: pyHanko and the office PKCS#12.

:func:`sign_with_pkcs12` is what :class:`~staffbot.documents.local_signer.LocalPadesSigner`
(the light signer the bot holds, behind the :class:`~staffbot.documents.kit.Signer` port)
has the document engine run, in a worker process under `run`; the key is the Kepala
Dinas's EC P-256 key in the passphrase-protected PKCS#12 made by
:func:`~staffbot.documents.pki.init_office_pki`. The BSrE client
(:class:`~staffbot.documents.bsre.BsreSigner`) is the port's other implementation.

Both add a PAdES signature as an incremental update with a visible stamp (name, NIP,
time in the office's zone, QR to the verification URL) in the requested box. Neither
ever retries a signature on its own. This module imports nothing of the signer side,
so the engine's jobs can reach it without an import cycle.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys  # type: ignore[import-untyped]
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.font.basic import SimpleFontEngineFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as HankoSigningError
from pyhanko.sign.signers.pdf_signer import PdfSigner
from pyhanko.stamp import QRStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from staffbot.documents.errors import DocumentError, PassphraseWrong, SigningKeyMissing
from staffbot.documents.model import (
    OFFICE_ZONE,
    Box,
    Language,
    SignedPdf,
    SignRequest,
    StampPlacement,
)
from staffbot.documents.stamp import stamp_lines, winansi

__all__ = ["last_page_placement", "sign_with_pkcs12"]


def last_page_placement(
    pdf: bytes, *, width: float = 181.0, height: float = 62.0, margin: float = 56.0
) -> StampPlacement:
    """A stamp box at the bottom right of the last page, for PDFs we did not render
    (an operator's upload); sizes in points."""
    try:
        reader = PdfReader(io.BytesIO(pdf))
        index = len(reader.pages) - 1
        page_box = reader.pages[index].mediabox
        right, bottom = float(page_box.right), float(page_box.bottom)
    except (PyPdfError, ValueError, KeyError, IndexError) as exc:
        raise DocumentError(problem=f"not a readable PDF: {exc}") from exc
    return StampPlacement(
        page_index=index,
        box=Box(x=right - margin - width, y=bottom + margin + 24, width=width, height=height),
    )


@dataclass(frozen=True)
class _Unlocked:
    signer: Any  # pyhanko SimpleSigner
    subject: str
    reserve: int
    """Bytes to reserve for the CMS container."""


class _ClockedPdfSigner(PdfSigner):
    """A PdfSigner whose signing time comes from our clock, not the system's.

    pyHanko takes the time for the CMS signingTime attribute, the signature
    dictionary's /M and the stamp from the signing session; we set it there.
    """

    def __init__(self, *args: Any, signing_time: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time

    def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> Any:
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self._signing_time
        return session


def _stamp_style() -> Any:
    return QRStampStyle(
        stamp_text="%(lines)s",
        border_width=0,
        innsep=2,
        text_box_style=TextBoxStyle(
            font=SimpleFontEngineFactory("Helvetica", 0.46),
            font_size=10,
            leading=12,
        ),
    )


def _unlock(path: Path, secret: str) -> _Unlocked:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise SigningKeyMissing(path=str(path)) from exc
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, secret.encode("utf-8"))
    except ValueError as exc:
        # cryptography says "Invalid password or PKCS12 data"; a damaged file and a
        # wrong passphrase look the same, and the passphrase is far more likely.
        raise PassphraseWrong(signer="local") from exc
    if key is None or cert is None:
        raise SigningKeyMissing(path=str(path))
    der = serialization.Encoding.DER
    signing_cert = asn1_x509.Certificate.load(cert.public_bytes(der))
    chain = [asn1_x509.Certificate.load(c.public_bytes(der)) for c in extra]
    signing_key = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    simple = signers.SimpleSigner(
        signing_cert=signing_cert,
        signing_key=signing_key,
        cert_registry=SimpleCertificateStore.from_certs(chain),  # type: ignore[no-untyped-call]
    )
    # Reserving room for the signature ourselves spares pyHanko a dummy signature
    # (its size estimate costs as much as the signature). The container holds the
    # certificates, an ECDSA signature (~72 bytes) and ~1 KB of signed attributes;
    # pyHanko counts the hex digits, two per byte.
    reserve = 2 * (2048 + sum(len(c.dump()) for c in (signing_cert, *chain)))
    return _Unlocked(signer=simple, subject=signing_cert.subject.human_friendly, reserve=reserve)


def sign_with_pkcs12(
    pkcs12_path: Path,
    pdf: bytes,
    request: SignRequest,
    *,
    signed_at: datetime,
    language: Language = "id",
    tz: tzinfo = OFFICE_ZONE,
) -> SignedPdf:
    """PAdES-sign ``pdf`` with the key in the office PKCS#12, synchronously (about 20 ms
    of CPU for an A4 letter): a job for the document engine, never the event loop.

    The passphrase in the request *is* the PKCS#12 passphrase: the file is opened for
    this signature and nothing of the key or the passphrase is kept afterwards. A wrong
    passphrase raises :class:`PassphraseWrong` (a ``SignerRefused``).
    """
    unlocked = _unlock(pkcs12_path, request.secret)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        pages = int(writer.root["/Pages"]["/Count"])
    except (PdfError, KeyError, ValueError, TypeError) as exc:
        raise DocumentError(problem=f"not a readable PDF: {exc}") from exc
    placement = request.placement
    if not 0 <= placement.page_index < pages:
        raise DocumentError(problem=f"stamp page {placement.page_index} outside 0..{pages - 1}")
    field_name = f"TTE{len(writer.prev.embedded_signatures) + 1}"
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=request.reason,
        location=request.location,
        name=request.signer_name,
    )
    pdf_signer = _ClockedPdfSigner(
        meta,
        unlocked.signer,
        signing_time=signed_at,
        stamp_style=_stamp_style(),
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=field_name,
            on_page=placement.page_index,
            box=placement.box.corners(),
        ),
    )
    lines = stamp_lines(request, signed_at, language, tz)
    try:
        out = pdf_signer.sign_pdf(
            writer,
            bytes_reserved=unlocked.reserve,
            appearance_text_params={
                "url": request.verification_url,
                "lines": winansi("\n".join(lines)),
            },
        )
    except HankoSigningError as exc:
        raise DocumentError(problem=f"pyHanko refused to sign: {exc}") from exc
    signed = out.getvalue()
    return SignedPdf(
        pdf=signed,
        signed_at=signed_at,
        signer=request.signer_name,
        certificate_subject=unlocked.subject,
        sha256=hashlib.sha256(signed).hexdigest(),
        backend="local",
    )

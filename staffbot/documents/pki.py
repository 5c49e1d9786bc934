"""The office's own small PKI for installations without BSrE (`signing init`).

One self-signed root CA (EC P-256) and the Kepala Dinas's signing certificate
issued by it. The root certificate is written as PEM: it is the trust root that
`pdf verify` and the verification page use. The Kepala Dinas's key and certificate
chain go into a PKCS#12 file encrypted with his passphrase, so the key cannot be used
without it. The root's private key is not kept: once the signing certificate is
issued it has no further use here, and a key that does not exist cannot leak. A
new Kepala Dinas gets a new PKI in a new directory; keep the old root in the trust
list so documents signed before stay verifiable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from staffbot.documents.errors import PkiExists, WeakPassphrase

__all__ = ["CA_FILE", "PKCS12_FILE", "PkiPaths", "init_office_pki", "pkcs12_encryption"]

CA_FILE = "office-root-ca.pem"
PKCS12_FILE = "kepala-dinas.p12"
MIN_PASSPHRASE = 6


@dataclass(frozen=True)
class PkiPaths:
    ca_cert: Path
    """PEM of the office root CA: the trust root for verification."""
    pkcs12: Path
    """The Kepala Dinas's key and certificate chain, encrypted with his passphrase."""


def pkcs12_encryption(passphrase: bytes) -> serialization.KeySerializationEncryption:
    # PBES2/AES-256 with PBKDF2-SHA256. cryptography protects the PKCS#12 MAC with
    # 2048 iterations whatever the rounds below say, and a guess can be checked against
    # the MAC alone; more rounds would only slow every signature down (the file is
    # opened for each one, the passphrase is never kept) without slowing an attacker.
    # What protects the key offline is the passphrase's length and the file's mode.
    return (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(2048)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(passphrase)
    )


def _name(common_name: str, office_name: str, serial: str | None = None) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, office_name),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if serial:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial))
    return x509.Name(attributes)


def _key_usage(*, signer: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signer,
        content_commitment=signer,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signer,
        crl_sign=not signer,
        encipher_only=False,
        decipher_only=False,
    )


def init_office_pki(
    data_dir: Path,
    *,
    office_name: str,
    kadis_name: str,
    kadis_nip: str,
    passphrase: str,
    now: datetime,
    signer_years: int = 5,
    min_passphrase: int = MIN_PASSPHRASE,
) -> PkiPaths:
    """Create the office root CA and the Kepala Dinas's signing certificate.

    Writes ``<data_dir>/office-root-ca.pem`` and ``<data_dir>/kepala-dinas.p12``
    (mode 0600). Refuses (``PkiExists``) when either file is already there.
    Blocking (key generation, file I/O): call it from a worker thread in async code.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    if len(passphrase) < min_passphrase:
        raise WeakPassphrase(minimum=min_passphrase)
    paths = PkiPaths(ca_cert=data_dir / CA_FILE, pkcs12=data_dir / PKCS12_FILE)
    for path in (paths.ca_cert, paths.pkcs12):
        if path.exists():
            raise PkiExists(path=str(path))
    data_dir.mkdir(parents=True, exist_ok=True)

    start = now.astimezone(UTC) - timedelta(hours=1)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"Root CA {office_name}", office_name)
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365 * 20))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signer=False), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )

    key = ec.generate_private_key(ec.SECP256R1())
    nip_digits = "".join(ch for ch in kadis_nip if ch.isdigit()) or kadis_nip
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(kadis_name, office_name, serial=nip_digits))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365 * signer_years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signer=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )

    bundle = pkcs12.serialize_key_and_certificates(
        name=kadis_name.encode("utf-8"),
        key=key,
        cert=cert,
        cas=[ca_cert],
        encryption_algorithm=pkcs12_encryption(passphrase.encode("utf-8")),
    )
    _write_new(paths.pkcs12, bundle, mode=0o600)
    _write_new(paths.ca_cert, ca_cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
    return paths


def _write_new(path: Path, data: bytes, *, mode: int) -> None:
    """Create the file; never replace one that appeared meanwhile."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError as exc:
        raise PkiExists(path=str(path)) from exc
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)

"""Errors of the document and signing layer.

Every error here belongs to the one hierarchy rooted at ``StaffbotError``. Each has
a stable ``code``; the chat layer looks the user-facing text up by that code.
:data:`ERROR_TEXTS` carries the Indonesian and English wording for the codes
defined here, for the text catalogue to take over.
"""

from __future__ import annotations

from staffbot.errors import SignerRefused, SigningError, SignOutcomeUnknown, StaffbotError

__all__ = [
    "ERROR_TEXTS",
    "BrokenAttachment",
    "DocumentError",
    "PassphraseWrong",
    "PkiExists",
    "SignOutcomeUnknown",
    "SignerNotRegistered",
    "SignerRejected",
    "SignerUnreachable",
    "SigningKeyMissing",
    "WeakPassphrase",
]


class DocumentError(StaffbotError):
    """A document could not be rendered from the given input."""

    code = "document"
    template = "document: {problem}"


class BrokenAttachment(DocumentError):
    """An applicant's file (PDF or image) cannot be read."""

    code = "document_broken_file"
    template = "file {filename!r} cannot be read: {problem}"


class PkiExists(SigningError):
    """``init_office_pki`` refuses to overwrite an existing key or certificate."""

    code = "pki_exists"
    template = "refusing to overwrite {path}"


class WeakPassphrase(SigningError):
    code = "pki_weak_passphrase"
    template = "the passphrase must have at least {minimum} characters"


class SigningKeyMissing(SigningError):
    code = "signing_key_missing"
    template = "no signing key at {path}: run `signing init` first"


class SignerUnreachable(SigningError):
    """The request never reached the signer: nothing was signed, trying again is safe."""

    code = "sign_unreachable"
    template = "signer unreachable: {problem}"


class PassphraseWrong(SignerRefused):
    code = "sign_passphrase_wrong"
    template = "wrong signing passphrase"


class SignerNotRegistered(SignerRefused):
    code = "sign_not_registered"
    template = "signer {who} is not registered with the signing service"


class SignerRejected(SignerRefused):
    """Any other refusal the signer explained (bad request, certificate revoked ...)."""

    code = "sign_rejected"
    template = "signer refused: {problem}"


ERROR_TEXTS: dict[str, dict[str, str]] = {
    "document": {
        "id": "Dokumen tidak dapat dibuat: {problem}",
        "en": "The document could not be produced: {problem}",
    },
    "document_broken_file": {
        "id": "Berkas {filename} rusak atau tidak dapat dibaca.",
        "en": "The file {filename} is damaged or cannot be read.",
    },
    "pki_exists": {
        "id": "Kunci tanda tangan sudah ada ({path}); tidak ditimpa.",
        "en": "A signing key already exists ({path}); it was not overwritten.",
    },
    "pki_weak_passphrase": {
        "id": "Passphrase minimal {minimum} karakter.",
        "en": "The passphrase needs at least {minimum} characters.",
    },
    "signing_key_missing": {
        "id": "Kunci tanda tangan elektronik belum dibuat. Jalankan `signing init`.",
        "en": "No signing key yet. Run `signing init`.",
    },
    "sign_unreachable": {
        "id": "Layanan tanda tangan elektronik tidak dapat dihubungi. Dokumen belum "
        "ditandatangani; silakan coba lagi.",
        "en": "The signing service cannot be reached. Nothing was signed; please try again.",
    },
    "sign_passphrase_wrong": {
        "id": "Passphrase TTE salah. Dokumen tidak ditandatangani.",
        "en": "Wrong signing passphrase. The document was not signed.",
    },
    "sign_not_registered": {
        "id": "Penanda tangan belum terdaftar atau sertifikat elektroniknya tidak aktif "
        "di BSrE. Hubungi koordinator TTE.",
        "en": "The signer is not registered, or the certificate is not active, at BSrE. "
        "Contact the e-signature coordinator.",
    },
    "sign_rejected": {
        "id": "Permintaan tanda tangan ditolak: {problem}",
        "en": "The signing request was refused: {problem}",
    },
    "sign_unknown": {
        "id": "Hasil tanda tangan tidak diketahui (koneksi terputus setelah permintaan "
        "terkirim). Dokumen ditandai untuk diperiksa manual; jangan ditandatangani ulang "
        "sebelum diperiksa.",
        "en": "The signing outcome is unknown (the connection dropped after the request "
        "was sent). The document is marked for a manual check; do not sign it again "
        "before checking.",
    },
}

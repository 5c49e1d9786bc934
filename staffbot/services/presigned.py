"""Uploaded results that are already signed: checked once, never stamped a second time.

A KK or an akta printed from SIAK carries the Kepala Dinas's TTE already. When the
operator uploads such a PDF at SOP step 8, the bot validates the signature it carries
(pyHanko, in the document engine) and notes it on the document (``meta["signature"]``):

* the Kepala Dinas's card at step 9 says who signed it and when, and its signing button
  reads "Konfirmasi TTE SIAK": pressing it records the step as *ditandatangani di SIAK*
  without a PIN and without signing (:mod:`staffbot.services.confirm_signed`); signing
  it with the PIN (one by one or "sign all") records the same and signs nothing either;
* the PDF passed on at steps 10-13 is the upload itself, byte for byte.

A signature counts when it is intact, cryptographically valid and covers the whole file.
Whether its certificate chains to a root the bot trusts is shown on the card, not
required: SIAK's certificates come from BSrE, which an office running its own CA does
not list. The Kepala Dinas confirming is what makes it the office's act.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from flows.model import Step
from staffbot.cards import action_label
from staffbot.messages import Choice, OutgoingMessage
from staffbot.richtext import esc
from staffbot.services.context import Office
from staffbot.texts import t
from staffbot.timefmt import long_time
from storage.tables import Document
from storage.uow import UnitOfWork

PDF = "application/pdf"
#: The key of Document.meta holding the signature an upload came with.
META_KEY = "signature"


@dataclass(frozen=True)
class ExistingSignature:
    """The signature an uploaded PDF already carried (its last one)."""

    signer: str
    signed_at: datetime | None
    #: Its certificate chains to a root the bot trusts (the office's own CA).
    trusted: bool


async def note_existing_signature(
    uow: UnitOfWork, office: Office, document: Document, data: bytes
) -> ExistingSignature | None:
    """Validate the signature an uploaded result PDF carries; note it on the document."""
    if document.mime_type != PDF:
        return None
    report = await office.documents.engine.validate(data, office.trust_anchor)
    if not (report.intact and report.valid and report.covers_whole_document):
        return None
    last = report.signatures[-1]
    found = ExistingSignature(
        signer=last.signer_common_name or last.signer_subject or "?",
        signed_at=last.signing_time,
        trusted=report.trusted,
    )
    document.meta = {**(document.meta or {}), META_KEY: _to_meta(found)}
    uow.session.add(document)
    await uow.session.flush()
    return found


def existing_signature(document: Document | None) -> ExistingSignature | None:
    """The signature the document came with, as noted at upload (None: not signed)."""
    raw = (document.meta or {}).get(META_KEY) if document is not None else None
    if not isinstance(raw, dict):
        return None
    at = raw.get("signed_at")
    return ExistingSignature(
        signer=str(raw.get("signer") or "?"),
        signed_at=datetime.fromisoformat(at) if isinstance(at, str) else None,
        trusted=bool(raw.get("trusted")),
    )


def _to_meta(found: ExistingSignature) -> dict[str, Any]:
    return {
        "signer": found.signer,
        "signed_at": found.signed_at.isoformat() if found.signed_at else None,
        "trusted": found.trusted,
    }


def note(existing: ExistingSignature, office: Office) -> str:
    """What the step's history and the audit trail say: ditandatangani di SIAK."""
    return t("presigned.note", office.language, signer=existing.signer)


def on_card(
    message: OutgoingMessage, step: Step, existing: ExistingSignature, office: Office, lang: str
) -> OutgoingMessage:
    """The signing card of an already-signed document: it says so, and its signing
    button confirms (the press is handled as a confirmation, see the module's doc)."""
    signing = {action_label(a, lang) for a in step.actions if a.requires_pin}
    confirm = t("presigned.button", lang)
    choices = tuple(Choice(confirm, c.token) if c.label in signing else c for c in message.choices)
    at = long_time(existing.signed_at, office.tz, lang) if existing.signed_at else "?"
    trust = t("presigned.trusted" if existing.trusted else "presigned.untrusted", lang)
    line = t("presigned.card", lang, signer=existing.signer, at=at, trust=trust, button=confirm)
    return replace(message, text=message.text + "\n" + esc(line), choices=choices)

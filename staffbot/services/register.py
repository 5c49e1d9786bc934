"""The document register: where each stored file is in its lifecycle.

* **received**: a file someone sent in (the applicant's berkas); the office keeps it
  but never issued it, so it has no verification page.
* **draft**: made by the office (rendered, or an operator's upload to be signed) and not
  signed. A draft of a kind that is never signed (the bukti pendaftaran, the printable
  dossier, the reports) stays a draft for good; the verification page says it plainly.
* **signed**: carries the Kepala Dinas's signature; names the issuer of his certificate.
* **superseded**: a newer version of the same document of the case or Berita Acara
  exists: it was made again, or this draft was signed (the signed copy replaces it).
* **void**: rejected (the Kepala Dinas refused to sign, the Kepala Bidang sent the
  signed document back, a Berita Acara was rejected).

"The same document" is its kind without the ``_ttd`` of the signed copy, of one case or
one Berita Acara: ``hasil`` and ``hasil_ttd`` of case 12 are versions of one document.
See docs/decisions/0011-document-lifecycle.md.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING

from flows.model import Flow
from staffbot.services.context import Office
from storage.tables import (
    DOC_DRAFT,
    DOC_RECEIVED,
    DOC_SIGNED,
    DOC_SUPERSEDED,
    DOC_VOID,
    Document,
)
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from staffbot.services.effects import EffectContext

#: Kinds that are files someone sent in, not documents the office issued.
RECEIVED_KINDS = frozenset({"berkas"})
#: Statuses of the one version in force (at most one per document of an item).
CURRENT = frozenset({DOC_DRAFT, DOC_SIGNED})


def new_verify_code() -> str:
    """A document's verification code (/v/<code>): 64 random bits, URL-safe."""
    return secrets.token_urlsafe(8)


def family(kind: str) -> str:
    """The document a row is a version of: its kind without the signed copy's suffix."""
    return kind.removesuffix("_ttd")


def first_status(kind: str, *, signed: bool) -> str:
    if signed:
        return DOC_SIGNED
    return DOC_RECEIVED if kind in RECEIVED_KINDS else DOC_DRAFT


def signed_kinds(flow: Flow) -> frozenset[str]:
    """Kinds the flow has the Kepala Dinas sign (the documents of its signing steps): a
    draft of one of these is not valid yet; a draft of any other kind is final."""
    return frozenset(
        step.card_document
        for step in flow.steps
        if step.card_document is not None
        and any(e.startswith("sign:") for a in step.actions for e in a.effects)
    )


async def _versions(uow: UnitOfWork, document: Document) -> list[Document]:
    """The other rows of the same document of the same case or Berita Acara, oldest first."""
    if document.ba_id is not None:
        rows = await uow.documents.of_ba(document.ba_id)
    elif document.case_id is not None:
        rows = await uow.documents.of_case(document.case_id)
    else:
        return []  # a report: each one stands alone
    own = family(document.kind)
    return [d for d in rows if family(d.kind) == own and d.id != document.id]


async def enter(
    uow: UnitOfWork, office: Office, document: Document, *, supersedes: Document | None = None
) -> None:
    """Put a newly stored row (it has its id) into its document's lineage.

    ``supersedes``: the draft this row is the signed copy of (same version). Otherwise
    the row is the next version, and the versions in force before it are superseded.
    """
    if document.status == DOC_RECEIVED:
        return
    if supersedes is not None:
        document.version = supersedes.version
        replaced = [supersedes]
    else:
        versions = await _versions(uow, document)
        document.version = max((d.version for d in versions), default=0) + 1
        replaced = [d for d in versions if d.status in CURRENT]
    now = office.now()
    for old in replaced:
        old.status = DOC_SUPERSEDED
        old.superseded_by_id = document.id
        old.status_at = now
        uow.session.add(old)
    if replaced:
        document.supersedes_id = replaced[-1].id
    uow.session.add(document)
    await uow.session.flush()


async def void(uow: UnitOfWork, office: Office, documents: Sequence[Document]) -> list[Document]:
    """Mark the versions in force among ``documents`` void (a rejection)."""
    now = office.now()
    voided = []
    for document in documents:
        if document.status in CURRENT:
            document.status = DOC_VOID
            document.status_at = now
            uow.session.add(document)
            voided.append(document)
    if voided:
        await uow.session.flush()
    return voided


async def void_rejected(uow: UnitOfWork, office: Office, ctx: EffectContext) -> None:
    """The flow's effect "document:void", on a rejection at a step that shows a document
    (the one to sign, the signed one to initial): that document is void from now on."""
    kind = office.flow.step(ctx.transition.from_step).card_document
    if kind is not None:
        await void(uow, office, await ctx.item.documents(uow, kind))


async def current_of(uow: UnitOfWork, document: Document) -> Document:
    """The version that replaced ``document`` last (itself when nothing did)."""
    seen = {document.id}
    while document.superseded_by_id is not None:
        newer = await uow.documents.get(document.superseded_by_id)
        if newer is None or newer.id in seen:
            break
        seen.add(newer.id)
        document = newer
    return document


__all__ = [
    "CURRENT",
    "RECEIVED_KINDS",
    "current_of",
    "enter",
    "family",
    "first_status",
    "new_verify_code",
    "signed_kinds",
    "void",
    "void_rejected",
]

"""The SOP's documents as effects and generators: rendered, stored, verifiable.

Every generated or signed PDF gets a row in `document` (sha256, case or BA, kind,
signer, time, its place in the register: staffbot.services.register) and a
verification code; its QR points to `/v/<code>`. A signed copy takes over the code of
the draft it was signed from, so every QR printed on it leads to the signed record.
Rendering runs in the document engine (a worker process under `run`) so a PDF never
stalls other staff's buttons.
"""

from __future__ import annotations

import asyncio
from typing import Any

from staffbot.app.commands.cases import PreparedSignature
from staffbot.documents.model import (
    Attachment,
    BerkasCetakInput,
    BuktiPendaftaranInput,
    RenderedPdf,
)
from staffbot.errors import ConfigurationError
from staffbot.messages import Attachment as MessageAttachment
from staffbot.messages import OutgoingMessage
from staffbot.richtext import esc
from staffbot.services import notify, register
from staffbot.services.context import EffectHandler, Office
from staffbot.services.effects import CARD_DOCUMENT, EffectContext
from staffbot.services.files import read_blob, store_document
from staffbot.texts import t
from storage.tables import Case, Document, Staff
from storage.uow import UnitOfWork

PDF = "application/pdf"


new_verify_code = register.new_verify_code


def verify_url(office: Office, code: str) -> str:
    return f"{office.reference.public_url.rstrip('/')}/v/{code}"


def status_url(office: Office, code: str) -> str:
    """The applicant's public status page (the bukti pendaftaran's QR)."""
    return f"{office.reference.public_url.rstrip('/')}/s/{code}"


async def render(office: Office, kind: str, data: Any) -> RenderedPdf:
    """Render the document ``kind`` (a renderer of staffbot.documents.render) from ``data``."""
    documents = office.documents
    return await documents.engine.render(
        kind,
        data,
        letterhead=documents.letterhead,
        language="en" if office.language == "en" else "id",
        generated_at=office.now(),
    )


def _placement_meta(rendered: RenderedPdf) -> dict[str, Any]:
    meta: dict[str, Any] = {"pages": rendered.page_count}
    placement = rendered.signature_placement
    if placement is not None:
        box = placement.box
        meta["stamp"] = {
            "page": placement.page_index,
            "x": box.x,
            "y": box.y,
            "width": box.width,
            "height": box.height,
        }
    return meta


async def store_rendered(
    uow: UnitOfWork,
    office: Office,
    rendered: RenderedPdf,
    *,
    kind: str,
    filename: str,
    code: str,
    case_id: int | None = None,
    ba_id: int | None = None,
    created_by: int | None = None,
    meta: dict[str, Any] | None = None,
) -> Document:
    """Store a rendered PDF with its verification code; ``meta`` adds facts to keep
    (the document's number ...) to the rendering's own (pages, where the stamp goes)."""
    document = await store_document(
        uow,
        office,
        data=rendered.pdf,
        filename=filename,
        kind=kind,
        case_id=case_id,
        ba_id=ba_id,
        created_by=created_by,
        mime=PDF,
        verify_code=code,
        checked=True,
    )
    document.meta = {**_placement_meta(rendered), **(meta or {})}
    uow.session.add(document)
    await uow.session.flush()
    return document


# -- effects -------------------------------------------------------------------------------


async def berkas_cetak(uow: UnitOfWork, office: Office, ctx: EffectContext) -> None:
    """SOP step 5: cover sheet plus every file the applicant sent, ready to print."""
    case = _case(ctx)
    files = await uow.documents.of_case(case.id or 0, "berkas")
    blobs = await asyncio.gather(*(asyncio.to_thread(read_blob, office, f) for f in files))
    code = new_verify_code()
    rendered = await render(
        office,
        "berkas_cetak",
        BerkasCetakInput(
            case_number=case.number,
            applicant_name=case.applicant_name,
            layanan=case.layanan,
            kecamatan=case.kecamatan,
            received_at=case.created_at,
            verification_url=verify_url(office, code),
            attachments=[
                Attachment(f.filename, blob) for f, blob in zip(files, blobs, strict=True)
            ],
            registration_number=case.registration_no,
            nik=case.nik,
        ),
    )
    await store_rendered(
        uow,
        office,
        rendered,
        kind="berkas_cetak",
        code=code,
        filename=f"berkas-{case.number}.pdf",
        case_id=case.id,
        created_by=ctx.actor.id,
    )


async def bukti_pendaftaran(uow: UnitOfWork, office: Office, ctx: EffectContext) -> None:
    """SOP step 6: the proof of registration, sent to the applicant over WhatsApp."""
    case = _case(ctx)
    if not case.registration_no:
        raise ConfigurationError(problem="bukti pendaftaran needs the registration number first")
    if await uow.documents.of_case(case.id or 0, "bukti_pendaftaran"):
        # Approved again after a step back: the number and its proof stay the same.
        return
    code = new_verify_code()
    rendered = await render(
        office,
        "bukti_pendaftaran",
        BuktiPendaftaranInput(
            registration_number=case.registration_no,
            case_number=case.number,
            applicant_name=case.applicant_name,
            nik=case.nik,
            layanan=case.layanan,
            kecamatan=case.kecamatan,
            registered_at=ctx.now,
            verification_url=verify_url(office, code),
            whatsapp=case.wa_number,
            status_url=status_url(office, case.status_code) if case.status_code else None,
        ),
    )
    document = await store_rendered(
        uow,
        office,
        rendered,
        kind="bukti_pendaftaran",
        code=code,
        filename=f"bukti-pendaftaran-{case.number}.pdf",
        case_id=case.id,
        created_by=ctx.actor.id,
    )
    assert document.id is not None and case.id is not None
    text = t(
        "applicant.terdaftar",
        office.language,
        name=case.applicant_name,
        number=case.number,
        registration=case.registration_no,
    )
    if case.status_code:  # a link to tap: nobody scans a QR shown on their own phone
        text += t(
            "applicant.status_link", office.language, url=status_url(office, case.status_code)
        )
    await notify.notify_applicant(
        uow,
        office,
        case_id=case.id,
        phone=case.wa_number,
        message=OutgoingMessage(
            text=esc(text), attachment=MessageAttachment(document.id, document.filename)
        ),
        key=f"applicant:{case.id}:terdaftar",
        task_id=ctx.task.id,
    )


def _signed_effect(kind: str) -> EffectHandler:
    async def handler(uow: UnitOfWork, office: Office, ctx: EffectContext) -> None:
        prepared = ctx.prepared.get(kind)
        if not isinstance(prepared, PreparedSignature):
            raise ConfigurationError(
                problem="a signature must be made through the signing "
                "service (staffbot.services.signing)"
            )
        source = await uow.documents.get(prepared.source_document_id)
        assert source is not None
        if source.verify_code == prepared.verify_code:
            # The signed copy carries the draft's QR codes (printed and stamped): the code
            # now names the signed copy; the draft keeps a code of its own.
            source.verify_code = new_verify_code()
            uow.session.add(source)
            await uow.session.flush()
        ctx.made[CARD_DOCUMENT] = await store_document(
            uow,
            office,
            data=prepared.pdf,
            filename=_signed_name(source.filename),
            kind=f"{source.kind}_ttd",
            case_id=source.case_id,
            ba_id=source.ba_id,
            created_by=ctx.actor.id,
            mime=PDF,
            verify_code=prepared.verify_code,
            signed=True,
            signer=prepared.signer,
            signed_at=prepared.signed_at,
            issuer=prepared.issuer,
            supersedes=source,
            checked=True,
        )

    return handler


def _signed_name(filename: str) -> str:
    stem = filename.rsplit(".", 1)[0]
    return f"{stem}-ttd.pdf"


def _case(ctx: EffectContext) -> Case:
    if ctx.case is None or ctx.case.id is None:
        raise ConfigurationError(problem="this effect needs a case")
    return ctx.case


def document_effects() -> dict[str, EffectHandler]:
    return {
        "document:berkas_cetak": berkas_cetak,
        "document:bukti_pendaftaran": bukti_pendaftaran,
        "sign:dokumen": _signed_effect("sign:dokumen"),
        "sign:berita_acara": _signed_effect("sign:berita_acara"),
        "document:void": register.void_rejected,
    }


__all__ = [
    "PreparedSignature",
    "Staff",
    "document_effects",
    "new_verify_code",
    "status_url",
    "verify_url",
]

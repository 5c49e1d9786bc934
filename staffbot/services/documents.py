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
from datetime import datetime
from typing import Any

from staffbot.app.commands.cases import PreparedSignature
from staffbot.documents.model import (
    Attachment,
    BaCase,
    BeritaAcaraInput,
    BerkasCetakInput,
    BuktiPendaftaranInput,
    Official,
    RenderedPdf,
    SuratTanggapanInput,
)
from staffbot.errors import ConfigurationError
from staffbot.messages import Attachment as MessageAttachment
from staffbot.messages import OutgoingMessage
from staffbot.richtext import esc
from staffbot.services import notify, register
from staffbot.services.context import DocumentGenerator, EffectHandler, Office
from staffbot.services.effects import EffectContext
from staffbot.services.files import read_blob, store_document
from staffbot.texts import t
from storage.tables import Case, Document, Staff, Task
from storage.uow import UnitOfWork

PDF = "application/pdf"
KADIS_POSITION = "Kepala Dinas Kependudukan dan Pencatatan Sipil"


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
) -> Document:
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
    document.meta = _placement_meta(rendered)
    uow.session.add(document)
    await uow.session.flush()
    return document


async def kepala_dinas(uow: UnitOfWork) -> Official:
    holders = [s for s in await uow.staff.holders("kepala_dinas") if not s.on_leave]
    holders = holders or list(await uow.staff.holders("kepala_dinas"))
    if not holders:
        return Official(name="..............................", position=KADIS_POSITION)
    return Official(name=holders[0].name, position=KADIS_POSITION, nip=holders[0].nip)


def _slug(number: str) -> str:
    return number.replace("/", "-")


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
    )


async def berita_acara(uow: UnitOfWork, office: Office, ctx: EffectContext) -> None:
    """SOP step 14: one Berita Acara listing every case handed over to one UPT."""
    ba = ctx.ba
    assert ba is not None and ba.id is not None
    rows = []
    for case in ctx.cases:
        sent_at = await _sent_at(uow, case) or ctx.now
        rows.append(
            BaCase(
                case_number=case.number,
                applicant_name=case.applicant_name,
                layanan=case.layanan,
                sent_at=sent_at,
            )
        )
    code = new_verify_code()
    rendered = await render(
        office,
        "berita_acara",
        BeritaAcaraInput(
            number=ba.number,
            held_at=ctx.now,
            kecamatan=ba.kecamatan,
            upt_name=f"UPT Disdukcapil Kecamatan {ba.kecamatan}",
            cases=rows,
            handed_over_by=await kepala_dinas(uow),
            received_by=Official(
                name="..............................",
                position=f"Kepala UPT Disdukcapil Kecamatan {ba.kecamatan}",
            ),
            verification_url=verify_url(office, code),
        ),
    )
    await store_rendered(
        uow,
        office,
        rendered,
        kind="berita_acara",
        code=code,
        filename=f"berita-acara-{_slug(ba.number)}.pdf",
        ba_id=ba.id,
        created_by=ctx.actor.id,
    )


async def _sent_at(uow: UnitOfWork, case: Case) -> datetime | None:
    """When the finished PDF went to the applicant (step 13), for the BA's table."""
    for task in reversed(await uow.tasks.history_of_case(case.id or 0)):
        if task.action == "send_pdf" and task.done_at is not None:
            return task.done_at
    return None


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
        await store_document(
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
        "document:berita_acara": berita_acara,
        "sign:dokumen": _signed_effect("sign:dokumen"),
        "sign:berita_acara": _signed_effect("sign:berita_acara"),
        "document:void": register.void_rejected,
    }


# -- generators -------------------------------------------------------------------------------


async def surat_tanggapan(uow: UnitOfWork, office: Office, task: Task) -> int:
    """SOP step 8: the standard *Surat Tanggapan Pengaduan* from the case's data."""
    case = await uow.cases.get(task.case_id or 0)
    if case is None or case.id is None:
        raise ConfigurationError(problem="surat tanggapan needs a case")
    local = office.local(office.now())
    seq = await uow.counters.next(f"surat:{local.year}")
    code = new_verify_code()
    keluhan = case.keluhan or f"Permohonan layanan {case.layanan}"
    response = (
        f"Menindaklanjuti pengaduan Saudara/i yang kami terima melalui layanan pengaduan "
        f"online dengan nomor {case.number}, bersama ini kami sampaikan bahwa permohonan "
        f"layanan {case.layanan} telah kami verifikasi dan proses sesuai ketentuan.\n\n"
        f"Dokumen hasil layanan dikirimkan dalam bentuk PDF melalui WhatsApp yang terdaftar "
        f"dan dapat diambil di UPT Disdukcapil Kecamatan {case.kecamatan}.\n\n"
        f"Demikian kami sampaikan, atas perhatian Saudara/i kami ucapkan terima kasih."
    )
    rendered = await render(
        office,
        "surat_tanggapan",
        SuratTanggapanInput(
            nomor=f"470/{seq}/SRT/DISDUKCAPIL/{local.year}",
            perihal="Tanggapan Pengaduan",
            case_number=case.number,
            applicant_name=case.applicant_name,
            kecamatan=case.kecamatan,
            layanan=case.layanan,
            complaint=keluhan,
            complaint_received_at=case.created_at,
            response=response,
            letter_date=local.date(),
            signatory=await kepala_dinas(uow),
            nik=case.nik,
        ),
    )
    document = await store_rendered(
        uow,
        office,
        rendered,
        kind="hasil",
        code=code,
        filename=f"surat-tanggapan-{case.number}.pdf",
        case_id=case.id,
    )
    assert document.id is not None
    return document.id


def document_generators() -> dict[str, DocumentGenerator]:
    return {"surat_tanggapan": surat_tanggapan}


__all__ = [
    "PreparedSignature",
    "Staff",
    "document_effects",
    "document_generators",
    "new_verify_code",
    "status_url",
    "verify_url",
]

"""The letters the Kepala Dinas signs: the *Surat Tanggapan Pengaduan* (step 8) and the
*Berita Acara Pengiriman Berkas ke UPT* (step 14), as Tata Naskah Dinas wants them.

Each gets its number from the office's pattern inside the transaction that makes it
(:mod:`staffbot.services.numbering`), names its signer with jabatan, pangkat and NIP
from the roster (:mod:`staffbot.services.officials`), and says truthfully which
certificate signs it (BSrE or the office's own CA).
"""

from __future__ import annotations

from datetime import datetime

from staffbot.documents.model import BaCase, BeritaAcaraInput, NikMode, SuratTanggapanInput
from staffbot.documents.text import salutation
from staffbot.errors import ConfigurationError
from staffbot.services.context import DocumentGenerator, EffectHandler, Office
from staffbot.services.documents import new_verify_code, render, store_rendered, verify_url
from staffbot.services.effects import EffectContext
from staffbot.services.numbering import take_number
from staffbot.services.officials import kepala_dinas, signer_backend, upt_head
from storage.tables import Case, Task
from storage.uow import UnitOfWork

#: meta["letter"] of a stored surat tanggapan: its number is kept when it is made again.
SURAT = "surat_tanggapan"
#: Document kinds whose number the Berita Acara lists for a case, newest first.
RESULT_KINDS = ("hasil_ttd", "hasil")
_NIK_MODES: dict[str, NikMode] = {"masked": "masked", "full": "full", "none": "none"}


async def surat_tanggapan(uow: UnitOfWork, office: Office, task: Task) -> int:
    """SOP step 8: the standard *Surat Tanggapan Pengaduan* from the case's data."""
    case = await uow.cases.get(task.case_id or 0)
    if case is None or case.id is None:
        raise ConfigurationError(problem="surat tanggapan needs a case")
    now = office.now()
    number = await _letter_number(uow, office, case, now)
    sal = salutation(case.nik, "en" if office.language == "en" else "id")
    upt = office.reference.upt_of(case.kecamatan)
    # The opening ("Menindaklanjuti ...") and the closing ("Demikian ...") are the
    # letter's own: the response is only what the office answers.
    response = (
        f"Permohonan layanan {case.layanan} {sal.long} telah kami verifikasi dan kami "
        f"proses sesuai ketentuan.\n\n"
        f"Dokumen hasil layanan kami kirimkan dalam bentuk PDF melalui nomor WhatsApp "
        f"yang terdaftar, dan dokumen cetaknya dapat diambil di {upt}."
    )
    rendered = await render(
        office,
        "surat_tanggapan",
        SuratTanggapanInput(
            nomor=number,
            perihal="Tanggapan Pengaduan",
            case_number=case.number,
            applicant_name=case.applicant_name,
            kecamatan=case.kecamatan,
            layanan=case.layanan,
            complaint=case.keluhan or f"Permohonan layanan {case.layanan}",
            complaint_received_at=case.created_at,
            response=response,
            letter_date=office.local(now).date(),
            signatory=await kepala_dinas(uow, office),
            nik=case.nik,
            signer_backend=signer_backend(office),
        ),
    )
    document = await store_rendered(
        uow,
        office,
        rendered,
        kind="hasil",
        code=new_verify_code(),
        filename=f"surat-tanggapan-{case.number}.pdf",
        case_id=case.id,
        meta={"letter": SURAT, "number": number},
    )
    assert document.id is not None
    return document.id


async def _letter_number(uow: UnitOfWork, office: Office, case: Case, now: datetime) -> str:
    """A letter made again (after a correction or a rejection at step 9) keeps the
    number it was given: one letter, one number."""
    for earlier in reversed(await uow.documents.of_case(case.id or 0, "hasil")):
        meta = earlier.meta or {}
        if meta.get("letter") == SURAT and meta.get("number"):
            return str(meta["number"])
    return (await take_number(uow, office, "surat", now)).number


async def berita_acara(uow: UnitOfWork, office: Office, ctx: EffectContext) -> None:
    """SOP step 14: one Berita Acara listing every case handed over to one UPT."""
    ba = ctx.ba
    assert ba is not None and ba.id is not None
    several = len({c.kecamatan for c in ctx.cases}) > 1
    rows = [
        BaCase(
            case_number=case.number,
            applicant_name=case.applicant_name,
            layanan=case.layanan,
            sent_at=await _sent_at(uow, case) or ctx.now,
            nik=case.nik,
            document_number=await _document_number(uow, case),
            desa=case.desa,
            kecamatan=case.kecamatan if several else None,
        )
        for case in ctx.cases
    ]
    upt = ba.upt or office.reference.upt_of(ba.kecamatan)
    nik_mode = _NIK_MODES.get(office.reference.ba_nik, "masked")
    code = new_verify_code()
    rendered = await render(
        office,
        "berita_acara",
        BeritaAcaraInput(
            number=ba.number,
            held_at=ctx.now,
            kecamatan=ba.kecamatan,
            upt_name=upt,
            cases=rows,
            handed_over_by=await kepala_dinas(uow, office),
            received_by=upt_head(upt),
            verification_url=verify_url(office, code),
            nik_mode=nik_mode,
            signer_backend=signer_backend(office),
        ),
    )
    await store_rendered(
        uow,
        office,
        rendered,
        kind="berita_acara",
        code=code,
        filename=f"berita-acara-{ba.number.replace('/', '-')}.pdf",
        ba_id=ba.id,
        created_by=ctx.actor.id,
        meta={"number": ba.number},
    )


async def _sent_at(uow: UnitOfWork, case: Case) -> datetime | None:
    """When the finished PDF went to the applicant (step 13)."""
    for task in reversed(await uow.tasks.history_of_case(case.id or 0)):
        if task.action == "send_pdf" and task.done_at is not None:
            return task.done_at
    return None


async def _document_number(uow: UnitOfWork, case: Case) -> str | None:
    """The number of the case's result document, when it has one (the surat
    tanggapan has; an uploaded KK or akta carries its own, unknown here)."""
    for kind in RESULT_KINDS:
        for document in reversed(await uow.documents.of_case(case.id or 0, kind)):
            number = (document.meta or {}).get("number")
            if number:
                return str(number)
    return None


def letter_effects() -> dict[str, EffectHandler]:
    return {"document:berita_acara": berita_acara}


def letter_generators() -> dict[str, DocumentGenerator]:
    return {"surat_tanggapan": surat_tanggapan}

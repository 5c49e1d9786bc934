"""Checking a document: the public page behind the QR code and `pdf verify FILE`.

The verdict tells what the register says (received, draft, signed, superseded, void;
staffbot.services.register) and, for a signed document, whether its signature still
validates against the office's trust anchor."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from staffbot.app.bus import Command, Handler
from staffbot.app.commands.verification import CheckFile, Verdict, VerifyCode
from staffbot.services import register
from staffbot.services.context import Office
from staffbot.services.files import read_blob
from staffbot.services.locate import of_document
from storage.tables import DOC_SUPERSEDED, Document
from storage.uow import UnitOfWork

KIND_LABELS = {
    "bukti_pendaftaran": "Bukti Pendaftaran",
    "berkas_cetak": "Berkas Cetak Permohonan",
    "hasil": "Dokumen Hasil Layanan",
    "hasil_ttd": "Dokumen Hasil Layanan (TTE)",
    "berita_acara": "Berita Acara Pengiriman Berkas ke UPT",
    "berita_acara_ttd": "Berita Acara Pengiriman Berkas ke UPT (TTE)",
    "rekap": "Rekap per Kecamatan",
    "mutu_baku": "Laporan Mutu Baku",
    "sop": "Bagan SOP",
}


async def _number(uow: UnitOfWork, document: Document) -> str:
    item = await of_document(uow, document)
    return item.number if item is not None else ""


async def _signature(office: Office, data: bytes) -> tuple[bool, str | None]:
    report = await office.documents.engine.validate(data, office.trust_anchor)
    if report.ok:
        return True, None
    if not report.signed:
        return False, report.problem or "tidak bertanda tangan"
    if not report.intact or not report.covers_whole_document:
        return False, "isi dokumen berubah setelah ditandatangani"
    if not report.trusted:
        return False, "sertifikat penanda tangan tidak dipercaya"
    return False, report.problem or "tanda tangan tidak sah"


async def verdict_for(
    uow: UnitOfWork, office: Office, document: Document | None, *, data: bytes | None = None
) -> Verdict:
    if document is None:
        return Verdict(known=False)
    purged = not document.path
    if data is None and purged:
        ok, problem = None, None  # nothing left to re-check; the hash still identifies it
    else:
        stored = data if data is not None else read_blob(office, document)
        ok, problem = (await _signature(office, stored)) if document.signed else (None, None)
    current_code, signed_copy = None, False
    if document.status == DOC_SUPERSEDED:
        current = await register.current_of(uow, document)
        if current.id != document.id:
            current_code = current.verify_code
            signed_copy = current.supersedes_id == document.id and current.signed
    return Verdict(
        known=True,
        kind=KIND_LABELS.get(document.kind, document.kind),
        number=await _number(uow, document),
        issued_at=document.created_at,
        sha256=document.sha256,
        signed=document.signed,
        signer=document.signer,
        signed_at=document.signed_at,
        signature_ok=ok,
        signature_problem=problem,
        purged=purged,
        status=document.status,
        version=document.version,
        issuer=document.issuer,
        status_at=document.status_at,
        needs_signature=register.family(document.kind) in register.signed_kinds(office.flow),
        current_code=current_code,
        current_is_signed_copy=signed_copy,
    )


async def by_code(cmd: VerifyCode, uow: UnitOfWork, office: Office) -> Verdict:
    document = await uow.documents.by_verify_code(cmd.code) if cmd.code else None
    return await verdict_for(uow, office, document)


async def check_file(cmd: CheckFile, uow: UnitOfWork, office: Office) -> Verdict:
    data = cmd.data
    digest = hashlib.sha256(data).hexdigest()
    matches = await uow.documents.by_sha256(digest)
    if matches:
        # the same bytes stored twice: the row in force speaks for them
        current = [d for d in matches if d.status in register.CURRENT] or list(matches)
        verdict = await verdict_for(uow, office, current[-1], data=data)
        return dataclasses.replace(verdict, matches_record=True)
    ok, problem = await _signature(office, data)
    return Verdict(
        known=False,
        sha256=digest,
        signed=problem != "tidak bertanda tangan",
        signature_ok=ok,
        signature_problem=problem,
        matches_record=False,
    )


HANDLERS: dict[type[Command[Any]], Handler] = {CheckFile: check_file, VerifyCode: by_code}

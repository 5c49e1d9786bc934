"""Storing files: applicant uploads, attachments and generated PDFs.

Files live under ``<data_dir>/files`` with random names, outside any web root;
only their metadata (kind, original name sanitised, sha256, size) is in the database.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import secrets
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any

from staffbot.app.bus import Command, Handler
from staffbot.app.commands.files import Attach, ReadDocument
from staffbot.channels.base import FileBlob
from staffbot.errors import ConfigurationError, ValidationError
from staffbot.limits import MAX_UPLOAD_BYTES
from staffbot.services import register
from staffbot.services.actors import find_staff
from staffbot.services.context import Office
from staffbot.services.locate import find
from staffbot.services.presigned import note_existing_signature
from storage.tables import DOC_RECEIVED, Document
from storage.uow import UnitOfWork

#: A scan at 600 dpi of an A3 page is about 70 megapixels; bigger is a decompression bomb.
MAX_IMAGE_PIXELS = 80_000_000
ALLOWED = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
}


def sniff_mime(data: bytes) -> str | None:
    """The type the bytes really are (not what the sender claims)."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def safe_filename(name: str, mime: str) -> str:
    """A display name with no path, no control characters and the right extension."""
    base = unicodedata.normalize("NFKC", name or "").replace("\\", "/").split("/")[-1]
    base = re.sub(r"[^\w.\- ()]+", "_", base)
    base = re.sub(r"\.{2,}", ".", base).strip(" ._") or "berkas"  # no ".." even as text
    stem = base.rsplit(".", 1)[0][:80] if "." in base else base[:80]
    return stem + ALLOWED[mime]


def check_size(size: int | None) -> None:
    """Refuse a file the platform announces as too big, before downloading it."""
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(field="file", problem="size", max=MAX_UPLOAD_BYTES // (1024 * 1024))


def check_upload(data: bytes, filename: str) -> tuple[str, str]:
    """The file's real type and a safe display name; anything else is refused.

    Only PDF, JPEG, PNG and WebP, judged by their bytes (not the name or the claimed
    type), and only when they open: a PDF must parse with at least one page, an image
    must decode. A broken, truncated, encrypted or disguised file is refused here, not
    at the printer of SOP step 5.
    """
    if len(data) == 0:
        raise ValidationError(field="file", problem="empty")
    check_size(len(data))
    mime = sniff_mime(data)
    if mime is None:
        raise ValidationError(field="file", problem="type")
    if mime == "application/pdf":
        if not _pdf_opens(data):
            raise ValidationError(field="file", problem="broken_pdf")
    elif not _image_opens(data):
        raise ValidationError(field="file", problem="broken_image")
    return mime, safe_filename(filename, mime)


def _pdf_opens(data: bytes) -> bool:
    # pypdf repairs what it can, so a file cut short would still "open": insist on the
    # end-of-file marker every complete PDF carries, then on readable pages.
    if b"%%EOF" not in data[-2048:]:
        return False
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return False
        pages = reader.pages
        if len(pages) == 0:
            return False
        for page in pages:
            _ = page.mediabox
            page.get_contents()
    except Exception:  # pypdf raises many kinds on bad input; all mean "broken"
        return False
    return True


def _image_opens(data: bytes) -> bool:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                return False
            image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            image.load()  # decodes every scan: a truncated photo fails here
    except Exception:  # Pillow raises many kinds on bad input; all mean "broken"
        return False
    return True


def write_blob(office: Office, data: bytes, suffix: str) -> str:
    """Write bytes under a random name; returns the path relative to the data dir."""
    now = office.local(office.now())
    relative = Path("files") / f"{now:%Y}" / f"{now:%m}" / (secrets.token_hex(16) + suffix)
    target = office.data_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    return relative.as_posix()


def read_blob(office: Office, document: Document) -> bytes:
    path = (office.data_dir / document.path).resolve()
    root = office.data_dir.resolve()
    if root not in path.parents:
        raise ValidationError(field="file", problem="path")
    return path.read_bytes()


async def store_document(
    uow: UnitOfWork,
    office: Office,
    *,
    data: bytes,
    filename: str,
    kind: str,
    case_id: int | None = None,
    ba_id: int | None = None,
    created_by: int | None = None,
    mime: str | None = None,
    verify_code: str | None = None,
    signed: bool = False,
    signer: str | None = None,
    signed_at: datetime | None = None,
    issuer: str | None = None,
    supersedes: Document | None = None,
    checked: bool = False,
) -> Document:
    """Store a file and record it in the register (inside the caller's transaction).

    Untrusted input (``checked=False``) is sniffed, size-limited and renamed;
    files the bot generated itself pass ``checked=True`` with their mime type.
    Every document but a received file gets a verification code (``verify_code``, or a
    new one) and becomes the next version of its document (:mod:`register`), or the
    signed copy of ``supersedes``.
    """
    if checked and mime is not None:
        clean_name = filename
    else:
        mime, clean_name = check_upload(data, filename)
    status = register.first_status(kind, signed=signed)
    if verify_code is None and status != DOC_RECEIVED:
        verify_code = register.new_verify_code()
    relative = write_blob(office, data, ALLOWED.get(mime, ".bin"))
    document = Document(
        case_id=case_id,
        ba_id=ba_id,
        kind=kind,
        filename=clean_name,
        mime_type=mime,
        path=relative,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        verify_code=verify_code,
        signed=signed,
        signer=signer,
        signed_at=(signed_at or office.now()) if signed else None,
        issuer=issuer if signed else None,
        status=status,
        created_by=created_by,
        created_at=office.now(),
    )
    await uow.documents.add(document)
    await register.enter(uow, office, document, supersedes=supersedes)
    return document


async def attach(cmd: Attach, uow: UnitOfWork, office: Office) -> int:
    """Recorded on the item whose task is at work (a case inside a Berita Acara waiting
    for its signature: the Berita Acara), the one :class:`Act` checks it against."""
    staff = await find_staff(uow, nip=cmd.who.nip, staff_id=cmd.who.staff_id)
    item, _task = await (await find(uow, cmd.ref)).at_work(uow)
    ids = item.ids
    document = await store_document(
        uow,
        office,
        data=cmd.data,
        filename=cmd.filename,
        kind=cmd.kind,
        case_id=ids.case_id,
        ba_id=ids.ba_id,
        created_by=staff.id,
    )
    if cmd.kind == "hasil":
        await note_existing_signature(uow, office, document, cmd.data)
    assert document.id is not None
    return document.id


async def read_document(cmd: ReadDocument, uow: UnitOfWork, office: Office) -> FileBlob:
    document = await uow.documents.get(cmd.document_id)
    if document is None:
        raise ConfigurationError(problem=f"document {cmd.document_id} is missing")
    data = await asyncio.to_thread(read_blob, office, document)
    return FileBlob(document.filename, document.mime_type, data)


HANDLERS: dict[type[Command[Any]], Handler] = {Attach: attach, ReadDocument: read_document}

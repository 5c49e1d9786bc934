"""Uploaded files: only real images and PDFs, size-limited (before downloading when the
platform says how big), names sanitised, broken files refused, stored outside any web
root under random names. Each refusal is a clear sentence and stores nothing."""

from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from staffbot.channels.base import FileReceived
from staffbot.errors import ValidationError
from staffbot.services.files import (
    ALLOWED,
    MAX_UPLOAD_BYTES,
    check_upload,
    safe_filename,
    store_document,
)
from staffbot.texts import error_text
from tests.chat.test_chat_service import AT, Chats, record_case
from tests.support import Desk, counts, tiny_pdf
from tests.web.support import Web


def jpeg(size: tuple[int, int] = (40, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(buf, format="JPEG")
    return buf.getvalue()


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 99, 0)).save(buf, format="PNG")
    return buf.getvalue()


def png_bomb() -> bytes:
    """A valid PNG header claiming 60000 x 60000 pixels (3.6 gigapixels) in 100 bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 60000, 60000, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b""))


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(tiny_pdf())))
    writer.encrypt("rahasia")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


GOOD = {
    "a.pdf": (tiny_pdf(), "application/pdf"),
    "a.jpg": (jpeg(), "image/jpeg"),
    "a.png": (png(), "image/png"),
}
BAD = {
    "empty": (b"", "empty"),
    "exe": (b"MZ\x90\x00" + b"\x00" * 200, "type"),
    "zip": (b"PK\x03\x04" + b"\x00" * 200, "type"),
    "html": (b"<html><script>alert(1)</script></html>", "type"),
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>', "type"),
    "pdf cut in half": (tiny_pdf()[: len(tiny_pdf()) // 2], "broken_pdf"),
    "pdf header, garbage": (b"%PDF-1.7\n" + b"\x00garbage" * 50 + b"\n%%EOF", "broken_pdf"),
    "pdf pretending (/Root and %%EOF only)": (b"%PDF-1.4 /Root 1 0 R\n%%EOF", "broken_pdf"),
    "encrypted pdf": (encrypted_pdf(), "broken_pdf"),
    "jpeg cut short": (jpeg((400, 300))[:300], "broken_image"),
    "png bomb": (png_bomb(), "broken_image"),
    "too big": (b"%PDF-" + b"0" * MAX_UPLOAD_BYTES, "size"),
}


@pytest.mark.parametrize("name", list(GOOD))
def test_real_pdfs_and_images_are_accepted(name: str) -> None:
    data, mime = GOOD[name]
    assert check_upload(data, name) == (mime, name.replace("a.", "a."))


@pytest.mark.parametrize("name", list(BAD))
def test_everything_else_is_refused_with_a_clear_sentence(name: str) -> None:
    data, problem = BAD[name]
    with pytest.raises(ValidationError) as refused:
        check_upload(data, "berkas.pdf")
    assert refused.value.params["problem"] == problem
    for lang in ("id", "en"):
        sentence = error_text(refused.value, lang)
        assert (
            sentence
            and "{" not in sentence
            and sentence != error_text(ValidationError(field="x", problem="y"), lang)
        )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\x.jpg", "x.pdf"),
        ("/abs/path/KTP.pdf", "KTP.pdf"),
        ("....pdf", "pdf.pdf"),
        ("0\u20260.pdf", "0.0.pdf"),
        ("nama\x00.pdf.exe", "nama_.pdf.pdf"),
        ("foto\u202egpj.exe", "foto_gpj.pdf"),
        ("", "berkas.pdf"),
    ],
)
def test_names_are_sanitised(given: str, expected: str) -> None:
    assert safe_filename(given, "application/pdf") == expected


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.sampled_from(sorted(ALLOWED)))
def test_no_name_escapes_or_lies_about_its_type(name: str, mime: str) -> None:
    clean = safe_filename(name, mime)
    assert "/" not in clean and "\\" not in clean and "\x00" not in clean
    assert not clean.startswith(".") and ".." not in clean.removesuffix(ALLOWED[mime])
    assert clean.endswith(ALLOWED[mime]) and len(clean) <= 84
    assert re.fullmatch(r"[\w.\- ()]+", clean)


async def test_files_are_stored_outside_the_web_root_under_random_names(
    desk: Desk, web: Web
) -> None:
    office = desk.office
    async with desk.uow() as uow:
        document = await store_document(
            uow, office, data=tiny_pdf(), filename="KTP Siti Aminah.pdf", kind="berkas"
        )
        await uow.commit()
    stored = office.data_dir / document.path
    assert stored.exists() and re.fullmatch(r"files/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", document.path)
    assert "Siti" not in document.path
    static = Path(__import__("staffbot.web", fromlist=["x"]).__file__).parent / "static"
    assert static.resolve() not in stored.resolve().parents
    client = web.client()
    for path in (f"/{document.path}", f"/static/../{document.path}", "/static/../../data/"):
        assert (await client.get(path)).status_code == 404


async def test_a_file_announced_too_big_is_refused_before_it_is_downloaded(
    desk: Desk,
) -> None:
    chats = Chats(desk)
    number = await record_case(chats)
    downloaded = []

    async def fetch() -> bytes:
        downloaded.append(1)
        return tiny_pdf()

    before = await counts(desk.db)
    await chats.chat.handle(
        FileReceived(
            channel="whatsapp",
            chat_id="+6281234567890",
            user_id="+6281234567890",
            at=AT,
            update_id="wamid.big",
            filename="scan.pdf",
            mime_type="application/pdf",
            fetch=fetch,
            size=MAX_UPLOAD_BYTES + 1,
        )
    )
    await chats.dispatcher.drain()
    assert downloaded == []
    after = await counts(desk.db)
    assert after["document"] == before["document"] and await desk.step_of(number) == "terima_wa"
    async with desk.db.uow(readonly=True) as uow:
        replies = await uow.outbox.for_chat("whatsapp", "+6281234567890")
    assert replies[-1].payload["text"] == "Berkas terlalu besar (maksimal 20 MB)."


async def test_a_broken_pdf_over_the_web_is_refused_and_nothing_is_stored(
    desk: Desk, web: Web
) -> None:
    number = (await desk.new_case()).number
    await desk.advance_to(number, "entri_data")
    await web.drain()
    operator = await web.person("operator")
    card = await operator.last()
    await operator.press_label(card, "Ajukan TTE")
    before = await counts(desk.db)
    answer = await operator.upload(tiny_pdf()[:200], "hasil.pdf")
    assert answer["alert"] and answer["text"] == "PDF rusak atau tidak dapat dibuka."
    after = await counts(desk.db)
    assert after["document"] == before["document"]
    assert await desk.step_of(number) == "entri_data"

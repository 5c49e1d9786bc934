"""Inputs and helpers shared by the document tests."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pypdfium2
import zxingcpp
from pypdf import PdfReader

from staffbot.documents.model import (
    BaCase,
    BeritaAcaraInput,
    Official,
)
from staffbot.settings import KECAMATAN_TANGGAMUS
from tests.support import Desk

NOW = datetime(2026, 11, 25, 3, 15, tzinfo=UTC)  # Rabu, 25 November 2026 10.15 WIB
PASSPHRASE = "rahasia-kadis-2026"
KECAMATAN = list(KECAMATAN_TANGGAMUS)
KADIS = Official(
    name="MARADONA, S.STP.,M.Si",
    position="Kepala Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tanggamus",
    nip="19790903 199810 1 001",
    rank="Pembina Utama Muda (IV/c)",
)
UPT = Official(
    name="HENDRA SAPUTRA, S.E.",
    position="Kepala UPT Disdukcapil Kecamatan Kota Agung",
    nip="19840512 201001 1 003",
)


def text_of(pdf: bytes) -> list[str]:
    """Each page's text with whitespace runs collapsed (justified lines add spaces)."""
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def qr_targets(pdf: bytes) -> list[str]:
    """Every QR code on every page, decoded from the page drawn at 200 dpi.

    ``init_forms`` makes pdfium draw the signature widgets, where the stamp's QR is.
    """
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    try:
        document.init_forms()
        found: list[str] = []
        for index in range(len(document)):
            image = document[index].render(scale=200 / 72, may_draw_forms=True).to_pil()
            found += [result.text for result in zxingcpp.read_barcodes(image)]
        return found
    finally:
        document.close()


def public_app(desk: Desk) -> Any:
    """The web app as the runner wires it (the public /v/ and /s/ routes mounted in it)."""
    from staffbot.channels.web import WebChannel
    from staffbot.chat.service import ChatService
    from staffbot.web.app import create_web_app
    from staffbot.web.deps import WebDeps
    from staffbot.web.verify import verification_routes

    async def healthy() -> bool:
        return True

    async def metrics() -> str:
        return ""

    return create_web_app(
        WebDeps(
            office=desk.office,
            bus=desk.bus,
            chat=ChatService(desk.bus),
            channel=WebChannel(),
            public_url=desk.office.reference.public_url,
            demo=False,
            health=healthy,
            metrics=metrics,
            extra_routes=verification_routes(desk.bus),
        )
    )


def web_client(desk: Desk) -> httpx.AsyncClient:
    """A client of :func:`public_app`, without a socket."""
    transport = httpx.ASGITransport(app=public_app(desk))
    return httpx.AsyncClient(transport=transport, base_url="http://t")


def ba_input(count: int) -> BeritaAcaraInput:
    names = ["Siti Nurhaliza", "Ahmad Fauzi", "Dewi Lestari", "Nyoman Sudarsana"]
    layanan = ["KTP-el", "Kartu Keluarga", "Akta Kelahiran", "KIA"]
    cases = tuple(
        BaCase(
            case_number=f"PGD-2026-{i:06d}",
            applicant_name=names[i % len(names)],
            layanan=layanan[i % len(layanan)],
            sent_at=NOW - timedelta(days=i % 20),
        )
        for i in range(1, count + 1)
    )
    return BeritaAcaraInput(
        number="470/12/BA/DISDUKCAPIL/2026",
        held_at=NOW,
        kecamatan="Kota Agung",
        upt_name="UPT Disdukcapil Kecamatan Kota Agung",
        cases=cases,
        handed_over_by=KADIS,
        received_by=UPT,
        verification_url="http://127.0.0.1:8080/v/BA12",
    )

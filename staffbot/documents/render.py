"""All renderers in one place.

Each is a plain synchronous function ``(data, *, letterhead, language, generated_at,
fonts=None) -> RenderedPdf``; run it in a worker thread (``asyncio.to_thread``).
"""

from __future__ import annotations

from staffbot.documents.berita_acara import berita_acara
from staffbot.documents.berkas import berkas_cetak, inspect_attachment
from staffbot.documents.bukti import bukti_pendaftaran
from staffbot.documents.reports import mutu_baku, rekap_kecamatan
from staffbot.documents.sop_chart import sop_chart
from staffbot.documents.surat import surat_tanggapan

__all__ = [
    "berita_acara",
    "berkas_cetak",
    "bukti_pendaftaran",
    "inspect_attachment",
    "mutu_baku",
    "rekap_kecamatan",
    "sop_chart",
    "surat_tanggapan",
]

"""The CPU-bound document work, as plain synchronous jobs: render, sign, place, validate.

A :class:`~staffbot.documents.engine.DocumentEngine` runs them, in a worker process
(`run`) or a worker thread (the command line, tests). Everything a job takes and
returns is plain data (the dataclasses of :mod:`.model`, bytes, paths), so it can
cross a process boundary; the fonts are subset once per process that runs jobs.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import datetime, tzinfo
from functools import cache
from pathlib import Path
from typing import Any

from staffbot.documents.errors import DocumentError
from staffbot.documents.fonts import FontSet, subset_fonts
from staffbot.documents.model import Language, Letterhead, RenderedPdf, SignedPdf, SignRequest

__all__ = ["JOBS", "run_job"]

_fonts_lock = threading.Lock()
_fonts: dict[Path | None, FontSet] = {}


def fonts(cache_dir: Path | None) -> FontSet:
    with _fonts_lock:
        if cache_dir not in _fonts:
            _fonts[cache_dir] = subset_fonts(cache_dir)
        return _fonts[cache_dir]


@cache
def _renderers() -> dict[str, Callable[..., RenderedPdf]]:
    from staffbot.documents import render

    return {
        "berkas_cetak": render.berkas_cetak,
        "bukti_pendaftaran": render.bukti_pendaftaran,
        "surat_tanggapan": render.surat_tanggapan,
        "berita_acara": render.berita_acara,
        "rekap_kecamatan": render.rekap_kecamatan,
        "mutu_baku": render.mutu_baku,
        "sop_chart": render.sop_chart,
    }


def render_document(
    font_cache: Path | None,
    kind: str,
    data: Any,
    letterhead: Letterhead,
    language: Language,
    generated_at: datetime,
) -> RenderedPdf:
    renderer = _renderers().get(kind)
    if renderer is None:
        raise DocumentError(problem=f"unknown document kind {kind!r}")
    return renderer(
        data,
        letterhead=letterhead,
        language=language,
        generated_at=generated_at,
        fonts=fonts(font_cache),
    )


def sign_local(
    _font_cache: Path | None,
    pkcs12: Path,
    pdf: bytes,
    request: SignRequest,
    signed_at: datetime,
    language: Language,
    tz: tzinfo,
) -> SignedPdf:
    from staffbot.documents.signing import sign_with_pkcs12

    return sign_with_pkcs12(pkcs12, pdf, request, signed_at=signed_at, language=language, tz=tz)


def placement(_font_cache: Path | None, pdf: bytes) -> Any:
    from staffbot.documents.signing import last_page_placement

    return last_page_placement(pdf)


def approval_page(font_cache: Path | None, pdf: bytes, language: Language) -> Any:
    from staffbot.documents.approval import append_approval_page

    return append_approval_page(pdf, language=language, fonts=fonts(font_cache))


@cache
def _trust_roots(ca_file: Path, modified_ns: int) -> list[Any]:
    """The office root, read once per file version (every verification page asks)."""
    from staffbot.documents.verify import load_trust_roots

    return list(load_trust_roots(ca_file))


def validate(_font_cache: Path | None, pdf: bytes, ca_file: Path | None) -> Any:
    from staffbot.documents.verify import validate_signed_pdf

    roots: list[Any] = []
    if ca_file is not None and ca_file.exists():
        roots = _trust_roots(ca_file, ca_file.stat().st_mtime_ns)
    return asyncio.run(validate_signed_pdf(pdf, roots))


def warm_up(font_cache: Path | None) -> bool:
    """Import the libraries and subset the fonts before the first real job."""
    import staffbot.documents.signing
    import staffbot.documents.verify  # noqa: F401

    _renderers()
    fonts(font_cache)
    return True


#: What an engine may run, by name (the worker process runs nothing else).
JOBS: dict[str, Callable[..., Any]] = {
    "render": render_document,
    "sign_local": sign_local,
    "placement": placement,
    "approval_page": approval_page,
    "validate": validate,
    "warm_up": warm_up,
}


def run_job(font_cache: Path | None, name: str, args: tuple[Any, ...]) -> Any:
    job = JOBS.get(name)
    if job is None:
        raise DocumentError(problem=f"unknown document job {name!r}")
    return job(font_cache, *args)

"""The Unicode font of every document: Source Sans Pro, subset once per process.

fpdf2's core fonts cannot print — – “ ” ‘ ’ • … №, so documents embed a TTF that the
install step brings (the ``font-source-sans-pro`` wheel; nothing is downloaded at run
time). Parsing the full 290 KB TTF on every document costs tens of milliseconds;
a subset to the Latin and punctuation range we print is parsed in a fraction of
that. The subset is made once per process (fontTools), kept in memory and written
to a file because ``FPDF.add_font`` reads fonts from paths: under ``cache_dir`` when
given (reused by later processes), else in a private temporary directory removed at
exit.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

__all__ = ["SUBSET_CODEPOINTS", "FontSet", "default_fonts", "full_fonts", "subset_fonts"]

_FILES = {
    "": "SourceSansPro-Regular.ttf",
    "B": "SourceSansPro-Bold.ttf",
    "I": "SourceSansPro-It.ttf",
}

# Basic Latin, Latin-1, Latin Extended-A (names such as "Ñoman" or "Łukasz" still
# print), and the punctuation Indonesian official text uses.
_PUNCTUATION = "‐‑–—‘’‚“”„•…‰‹›€№™←→−≤≥"
SUBSET_CODEPOINTS: frozenset[int] = frozenset(
    {*range(0x20, 0x7F), *range(0xA0, 0x180), *(ord(ch) for ch in _PUNCTUATION)}
)
_SUBSET_VERSION = "1"


@dataclass(frozen=True)
class FontSet:
    """Paths of the regular, bold and italic faces registered in every document."""

    regular: Path
    bold: Path
    italic: Path
    family: str = "SourceSans"

    def items(self) -> tuple[tuple[str, Path], ...]:
        return (("", self.regular), ("B", self.bold), ("I", self.italic))


def _source_dir() -> Path:
    return Path(str(resources.files("font_source_sans_pro").joinpath("files")))


def full_fonts() -> FontSet:
    """The unsubset TTFs straight from the package (for comparison benchmarks)."""
    base = _source_dir()
    return FontSet(regular=base / _FILES[""], bold=base / _FILES["B"], italic=base / _FILES["I"])


def _subset_bytes(source: Path) -> bytes:
    from fontTools import subset, ttLib

    options = subset.Options()
    options.layout_features = []  # fpdf2 does not shape text without HarfBuzz
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.drop_tables = [*options.drop_tables, "DSIG", "GPOS", "GSUB", "GDEF"]
    font = ttLib.TTFont(str(source), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(SUBSET_CODEPOINTS))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_lock = threading.Lock()
_memory: dict[str, bytes] = {}
_sets: dict[Path | None, FontSet] = {}
_private_dir: Path | None = None


def _private_cache_dir() -> Path:
    global _private_dir
    if _private_dir is None:
        _private_dir = Path(tempfile.mkdtemp(prefix="staffbot-fonts-"))
        atexit.register(shutil.rmtree, _private_dir, True)
    return _private_dir


def subset_fonts(cache_dir: Path | None = None) -> FontSet:
    """The subset faces, made once per process (and per ``cache_dir``). Thread-safe.

    With ``cache_dir`` the files persist and are named after the source font's hash,
    so a new font package version makes new files instead of reusing stale ones.
    """
    with _lock:
        cached = _sets.get(cache_dir)
        if cached is not None and all(p.exists() for _, p in cached.items()):
            return cached
        target = cache_dir if cache_dir is not None else _private_cache_dir()
        target.mkdir(parents=True, exist_ok=True)
        paths: dict[str, Path] = {}
        for style, name in _FILES.items():
            source = _source_dir() / name
            digest = hashlib.sha256(source.read_bytes()).hexdigest()[:12]
            path = target / f"{Path(name).stem}.{digest}.v{_SUBSET_VERSION}.subset.ttf"
            if not path.exists():
                data = _memory.get(digest)
                if data is None:
                    data = _subset_bytes(source)
                    _memory[digest] = data
                _write_atomically(path, data)
            paths[style] = path
        result = FontSet(regular=paths[""], bold=paths["B"], italic=paths["I"])
        _sets[cache_dir] = result
        return result


def default_fonts() -> FontSet:
    """The process-wide subset (private temporary directory)."""
    return subset_fonts(None)

"""The layering rules of DESIGN.md, checked on the source: who may import what."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ("flows", "storage", "staffbot", "main", "scheduler")
IO_LIBRARIES = (
    "sqlalchemy",
    "sqlmodel",
    "asyncpg",
    "aiosqlite",
    "httpx",
    "aiohttp",
    "telegram",
    "aiogram",
    "pywa",
    "pywa_async",
    "fpdf",
    "pyhanko",
    "starlette",
    "uvicorn",
    "apscheduler",
    "holidays",
    "segno",
    "pypdf",
)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _files(*parts: str) -> list[Path]:
    base = ROOT.joinpath(*parts)
    return [base] if base.suffix == ".py" else sorted(base.rglob("*.py"))


def _offenders(files: list[Path], forbidden: tuple[str, ...]) -> dict[str, set[str]]:
    out = {}
    for path in files:
        bad = _imports(path) & set(forbidden)
        if bad:
            out[str(path.relative_to(ROOT))] = bad
    return out


def test_flows_is_pure() -> None:
    assert _offenders(_files("flows"), PROJECT[1:] + IO_LIBRARIES) == {}


def test_only_storage_imports_the_orm() -> None:
    outside = [p for p in _files("staffbot") + _files("main.py") + _files("flows")]
    assert _offenders(outside, ("sqlalchemy", "sqlmodel", "alembic")) == {}


def test_only_channels_import_chat_platform_libraries() -> None:
    outside = [p for p in _files("staffbot") if "channels" not in p.parts]
    outside += _files("main.py") + _files("storage") + _files("flows")
    assert _offenders(outside, ("telegram", "aiogram", "pywa", "pywa_async")) == {}


def test_only_documents_import_pdf_libraries() -> None:
    outside = [p for p in _files("staffbot") if "documents" not in p.parts]
    outside += _files("main.py") + _files("storage") + _files("flows")
    assert _offenders(outside, ("fpdf", "pyhanko", "pyhanko_certvalidator")) == {}

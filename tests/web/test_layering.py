"""The web package speaks commands only: it never imports storage, not even for types,
and what it is handed (WebDeps) holds no database."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

from staffbot.web.deps import WebDeps

WEB = Path(__file__).resolve().parents[2] / "staffbot" / "web"


def _imported_modules(path: Path) -> set[str]:
    """Every module an import statement names, wherever it stands (under TYPE_CHECKING,
    inside a function): annotations that name storage types tie the pages to it too."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _storage_imports(path: Path) -> set[str]:
    return {m for m in _imported_modules(path) if m == "storage" or m.startswith("storage.")}


def test_the_check_sees_every_kind_of_import(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "import storage.db\n"
        "if TYPE_CHECKING:\n    from storage.tables import Staff\n"
        "def f():\n    from storage import uow\n"
        "from storage_free import x\n",
        "utf-8",
    )
    assert _storage_imports(source) == {
        "storage.db",
        "storage.tables",
        "storage.tables.Staff",
        "storage",
        "storage.uow",
    }


def test_no_web_module_imports_storage() -> None:
    files = sorted(WEB.rglob("*.py"))
    assert len(files) > 5
    offenders = {str(p.relative_to(WEB)): found for p in files if (found := _storage_imports(p))}
    assert offenders == {}


def test_web_deps_hold_no_database_and_no_untyped_field() -> None:
    fields = {f.name: str(f.type) for f in dataclasses.fields(WebDeps)}
    assert "db" not in fields
    untyped = {name: t for name, t in fields.items() if "Any" in t or t == "object"}
    assert untyped == {}

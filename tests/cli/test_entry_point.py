"""main.py only starts the command line, and the command line speaks commands: no verb
module reaches the database layer (``storage``) itself (checked on the source)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "staffbot" / "cli"


def _imported(path: Path) -> set[str]:
    """Every module an import statement names, anywhere in the file (lazy ones too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_main_py_is_a_short_entry_point() -> None:
    lines = (ROOT / "main.py").read_text("utf-8").splitlines()
    assert len(lines) < 60
    assert _imported(ROOT / "main.py") <= {"staffbot.cli.root", "staffbot.cli.root.cli"}


def test_no_cli_module_imports_storage() -> None:
    modules = sorted(CLI.rglob("*.py"))
    assert len(modules) > 5
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name for name in _imported(path) if name.split(".")[0] == "storage"
        )
        for path in modules
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_nothing_imports_main_py() -> None:
    """Tests and benchmarks build through staffbot.bootstrap (and staffbot.cli,
    staffbot.runner), never through the entry point."""
    users = [
        str(path.relative_to(ROOT))
        for folder in ("staffbot", "storage", "flows", "tests", "bench")
        for path in (ROOT / folder).rglob("*.py")
        if {"main"} & {name.split(".")[0] for name in _imported(path)}
    ]
    assert users == []

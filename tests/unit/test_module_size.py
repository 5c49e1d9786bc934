"""Modules stay small enough to read in one sitting: at most ~400 lines, flow data aside."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 400

#: Flow definitions are data (steps, roles, actions), not code to follow.
FLOW_DATA = frozenset({"flows/pengaduan_online.py"})


def _modules() -> dict[str, int]:
    """Project module (path from the repository root) -> number of lines."""
    files = [ROOT / "main.py", ROOT / "scheduler.py"]
    for package in ("flows", "storage", "staffbot"):
        files += (ROOT / package).rglob("*.py")
    versions = ROOT / "storage" / "migrations" / "versions"
    return {
        str(path.relative_to(ROOT)): len(path.read_text("utf-8").splitlines())
        for path in files
        if not path.is_relative_to(versions)
    }


def test_no_module_over_the_limit() -> None:
    too_long = {
        name: lines for name, lines in _modules().items() if lines > LIMIT and name not in FLOW_DATA
    }
    assert not too_long, f"modules over {LIMIT} lines (split them): {too_long}"

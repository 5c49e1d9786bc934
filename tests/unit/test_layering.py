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


# ---- the import graph: no cycles ---------------------------------------------------------
#
# Every import statement counts, wherever it stands: at the top, inside a function (a lazy
# import only postpones a cycle to the first call, it does not remove it) or under
# `try`/`else`. Imports under `if TYPE_CHECKING:` do not count: they never run, so they
# cannot fail or half-initialise a module; annotations may point anywhere. Importing
# `a.b.c` also runs `a/__init__.py` and `a/b/__init__.py`, so those are edges too.


def _module_files() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the project."""
    found: dict[str, Path] = {}
    for top in PROJECT:
        single = ROOT / f"{top}.py"
        for path in [single] if single.exists() else sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _run_time_imports(node: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for branch in child.orelse:
                if isinstance(branch, ast.Import | ast.ImportFrom):
                    found.append(branch)
                found += _run_time_imports(branch)
            continue
        if isinstance(child, ast.Import | ast.ImportFrom):
            found.append(child)
        found += _run_time_imports(child)
    return found


def _targets(node: ast.Import | ast.ImportFrom, package: str, modules: set[str]) -> set[str]:
    """The project modules an import statement runs (with their parent packages)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            kept = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*kept, *([node.module] if node.module else [])])
        # `from pkg import name` imports the submodule pkg.name when there is one
        names = [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
            for alias in node.names
        ]
    out: set[str] = set()
    for name in names:
        parts = name.split(".")
        out |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)} & modules
    return out


def import_graph() -> dict[str, set[str]]:
    files = _module_files()
    modules = set(files)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges: set[str] = set()
        for node in _run_time_imports(ast.parse(path.read_text("utf-8"))):
            edges |= _targets(node, package, modules)
        graph[name] = edges - {name}
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; each component sorted, the list sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(sorted(component))
    return sorted(components)


def _describe(component: list[str], graph: dict[str, set[str]]) -> str:
    inside = set(component)
    edges = [f"{a} -> {b}" for a in component for b in sorted(graph[a] & inside)]
    return f"{', '.join(component)}: " + "; ".join(edges)


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}, "f": set()}
    assert strongly_connected(graph) == [["a", "b", "c"], ["d"], ["e"], ["f"]]


def test_lazy_imports_count_and_type_checking_imports_do_not() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from storage.uow import UnitOfWork\n"
        "def f():\n    from staffbot.services import claims\n"
    )
    imports = _run_time_imports(ast.parse(source))
    modules = {"staffbot", "staffbot.services", "staffbot.services.claims", "storage.uow"}
    found = set().union(*(_targets(node, "staffbot", modules) for node in imports))
    assert found == {"staffbot", "staffbot.services", "staffbot.services.claims"}


def _cycles() -> tuple[dict[str, set[str]], list[list[str]]]:
    graph = import_graph()
    return graph, [c for c in strongly_connected(graph) if len(c) > 1]


def test_no_import_cycles() -> None:
    graph, cycles = _cycles()
    assert not cycles, "import cycles:\n" + "\n".join(_describe(c, graph) for c in cycles)

"""The fake's shape: the real unit of work's attributes, the real repositories' method
signatures, every method the work-item handlers call, and a clear refusal for the rest.
Also where the fake is deliberately stricter than a database."""

from __future__ import annotations

import inspect
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError, PendingRollbackError

from storage.db import Database
from tests.conftest import START
from tests.contract_repos.support import a_case, a_message, a_task
from tests.fakes import FakeDatabase, FakeSession
from tests.fakes.unfaked import NotFaked

ROOT = Path(__file__).resolve().parents[2]
#: The modules of the work-item use cases (and what they call): every repository
#: method they use must be in the fake.
WORK_ITEM_MODULES = (
    "intake",
    "transitions",
    "claims",
    "batches",
    "signing",
    "actors",
    "tasks",
    "effects",
    "notify",
    "documents",
    "files",
    "pin_alerts",
    "audit",
    "work_items",
    "locate",
    "queries",  # the read side (tests/handlers/test_read_side.py)
)


def _defines(fake: type, name: str) -> bool:
    """The fake class implements ``name`` itself (not through NotFaked's refusal)."""
    return any(name in vars(k) for k in fake.__mro__ if k not in (NotFaked, object))


def _fake_repositories() -> dict[str, type]:
    """The unit of work's attribute -> fake repository class, as FakeUnitOfWork wires them."""
    from tests.fakes import uow as module

    source = inspect.getsource(module.FakeUnitOfWork.__aenter__)
    pairs = re.findall(r"self\.([a-z_]+) = (Fake[A-Za-z]+)\(tx\)", source)
    return {name: getattr(module, cls) for name, cls in pairs}


async def test_the_fake_unit_of_work_has_the_real_ones_attributes(
    sqlite_template: Path, tmp_path: Path
) -> None:
    target = tmp_path / "staffbot.db"
    shutil.copy(sqlite_template, target)
    real_db = Database(f"sqlite+aiosqlite:///{target}")
    await real_db.initialize()
    try:
        async with real_db.uow(readonly=True) as real, FakeDatabase().uow() as fake:
            names = {n for n in vars(real) if not n.startswith("_")}
            assert names == {n for n in vars(fake) if not n.startswith("_")}
            for name in names - {"wrote_outbox"}:
                repo, twin = getattr(real, name), getattr(fake, name)
                assert twin.real is type(repo)
                for method, impl in inspect.getmembers(type(repo), inspect.isfunction):
                    if method.startswith("_") or not _defines(type(twin), method):
                        continue
                    mine = inspect.signature(getattr(type(twin), method))
                    assert mine == inspect.signature(impl), f"{name}.{method}"
    finally:
        await real_db.shutdown()


def _work_item_sources() -> list[Path]:
    services = [ROOT / "staffbot" / "services" / f"{m}.py" for m in WORK_ITEM_MODULES]
    gone = [p.name for p in services if not p.exists()]
    assert gone == [], f"moved or renamed: update WORK_ITEM_MODULES here ({gone})"
    return services + sorted((ROOT / "staffbot" / "app").rglob("*.py"))


def test_every_repository_method_the_work_item_handlers_call_is_faked() -> None:
    used: set[tuple[str, str]] = set()
    for path in _work_item_sources():
        used |= set(re.findall(r"uow\.([a-z_]+)\.([a-z_]+)\(", path.read_text()))
    assert ("tasks", "claim") in used  # the scan finds them
    fakes: dict[str, type] = {**_fake_repositories(), "session": FakeSession}
    assert len(fakes) == 12
    missing = [
        f"{repo}.{method}"
        for repo, method in sorted(used)
        if repo not in fakes or not _defines(fakes[repo], method)
    ]
    assert missing == [], f"add to tests/fakes (and tests/contract_repos): {missing}"


async def test_what_the_fake_leaves_out_says_so_by_name() -> None:
    async with FakeDatabase().uow() as uow:
        with pytest.raises(NotImplementedError, match=r"OutboxRepository\.due"):
            await uow.outbox.due(START, channels=["web"])
        with pytest.raises(NotImplementedError, match=r"ReportRepository\.gauges"):
            await uow.reports.gauges(START)
        with pytest.raises(NotImplementedError, match=r"AsyncSession\.exec"):
            await uow.session.exec("SELECT 1")  # type: ignore[attr-defined]
        with pytest.raises(AttributeError):
            _ = uow.cases.no_such_method  # type: ignore[attr-defined]
    with pytest.raises(NotImplementedError, match="read_engine"):
        _ = FakeDatabase().read_engine


async def test_a_read_only_unit_of_work_may_not_write() -> None:
    """A query's writes would be lost (it is never committed): the fake refuses them."""
    db = FakeDatabase()
    async with db.uow(readonly=True) as uow:
        with pytest.raises(RuntimeError, match="read-only unit of work wrote to cases"):
            await uow.cases.add(a_case())
        with pytest.raises(RuntimeError, match="audit_event"):
            await uow.audit.append(at=START, kind="viewed", actor="x")
            await uow.audit.count()


async def test_after_a_constraint_error_only_a_rollback_helps() -> None:
    """PostgreSQL aborts the transaction; the fake does so on every backend's behalf."""
    db = FakeDatabase()
    async with db.uow() as uow:
        case = await uow.cases.add(a_case())
        await uow.commit()
    before = db.snapshot()
    async with db.uow() as uow:
        await uow.tasks.add(a_task(case.id))
        with pytest.raises(IntegrityError):
            await uow.tasks.add(a_task(case.id, step="angkat_data"))
        with pytest.raises(PendingRollbackError):
            await uow.cases.get(case.id or 0)
        await uow.rollback()
        uow.outbox.stage([a_message("after the rollback")])
        await uow.commit()
    after = db.snapshot()
    assert [r["idempotency_key"] for r in after["outbox"]] == ["after the rollback"]
    assert {k: v for k, v in after.items() if k != "outbox"} == {
        k: v for k, v in before.items() if k != "outbox"
    }

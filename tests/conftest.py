"""Shared fixtures: databases (SQLite and the real PostgreSQL), the office, the clock.

Every storage and service test that takes ``db`` runs twice: on a fresh SQLite file
and on a PostgreSQL database created for this test session on 127.0.0.1:5432.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings as hypothesis_settings

from staffbot.clock import FixedClock
from staffbot.services.context import Office
from staffbot.settings import Settings
from storage.db import Database
from storage.uow import UnitOfWork
from tests.support import Desk

# CI replays the same examples every run (`make test` sets HYPOTHESIS_PROFILE=ci), so a
# red build is reproducible; locally each run explores new ones.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

WIB = ZoneInfo("Asia/Jakarta")
#: A Wednesday, 09:00 WIB: inside office hours, no holiday near.
START = datetime(2026, 11, 25, 9, 0, tzinfo=WIB)

PG_HOST = os.environ.get("STAFFBOT_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")
TABLES_IN_ORDER = (
    "login_link",
    "web_session",
    "invite_code",
    "chat_window",
    "button_token",
    "outbox",
    "document",
    "registration_book",
    "berita_acara_item",
    "task",
    "conversation",
    "processed_update",
    "holiday_override",
    "job_run",
    "process_heartbeat",
    "audit_event",
    "counter",
    "document_sequence",
    "cases",
    "berita_acara",
    "staff_role",
    "staff",
)


def _pg_admin(sql: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(PG_HOST.replace("postgresql+asyncpg", "postgresql") + "/test")
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


async def _shared_server_start() -> datetime | None:
    """When the shared server on 127.0.0.1:5432 started; None if it does not answer."""
    import asyncpg

    try:
        conn = await asyncpg.connect(
            PG_HOST.replace("postgresql+asyncpg", "postgresql") + "/postgres", timeout=5
        )
    except (OSError, asyncpg.PostgresError):
        return None
    try:
        started: datetime = await conn.fetchval("SELECT pg_postmaster_start_time()")
        return started
    finally:
        await conn.close()


@pytest.fixture(scope="session", autouse=True)
def shared_postgres_left_alone() -> Iterator[None]:
    """The suite never restarts or stops the machine's shared PostgreSQL: other people use
    it. Destructive tests (tests/reliability/test_postgres_restart.py) start a private
    cluster instead; this checks, at the end of every session, that the shared server's
    start time is what it was at the beginning."""
    before = asyncio.run(_shared_server_start())
    yield
    if before is not None:
        after = asyncio.run(_shared_server_start())
        assert after == before, (
            f"the shared PostgreSQL on 127.0.0.1:5432 was restarted or stopped during the "
            f"tests (started {before}, now {after})"
        )


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL database of our own for this test session, migrated to head."""
    name = f"staffbot_test_{uuid.uuid4().hex[:10]}"
    try:
        _pg_admin(f'CREATE DATABASE "{name}"')
    except OSError as exc:  # pragma: no cover - CI starts PostgreSQL first
        pytest.fail(f"PostgreSQL on 127.0.0.1:5432 is needed for these tests: {exc}")
    url = f"{PG_HOST}/{name}"
    from storage.migrate import upgrade

    asyncio.run(upgrade(url))
    yield url
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    from storage.migrate import upgrade

    asyncio.run(upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


async def _reset_pg(db: Database) -> None:
    from sqlalchemy import text

    async with db.write_engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {', '.join(TABLES_IN_ORDER)} RESTART IDENTITY CASCADE"))
        await conn.execute(
            text("UPDATE audit_head SET seq = 0, hash = :h WHERE id = 1"), {"h": "0" * 64}
        )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "staffbot.db"
        shutil.copy(template, target)
        return f"sqlite+aiosqlite:///{target}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    await database.initialize()
    if not database.is_sqlite:
        await _reset_pg(database)
    try:
        yield database
    finally:
        await database.shutdown()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(database_url=db_url, data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def demo_pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The office CA and the demo Kepala Dinas's key, made once per test session."""
    from staffbot.admin import init_demo_pki
    from staffbot.app.commands.staff import DEMO_ROSTER
    from staffbot.bootstrap import signing_dir

    data_dir = tmp_path_factory.mktemp("pki")
    settings = Settings(data_dir=data_dir, _env_file=None)  # type: ignore[call-arg]
    _role, name, nip, _sup = DEMO_ROSTER[0]
    init_demo_pki(settings, FixedClock(START), kadis_name=name, kadis_nip=nip)
    return signing_dir(settings)


@pytest.fixture
def office(settings: Settings, clock: FixedClock, demo_pki: Path) -> Office:
    from staffbot.bootstrap import build_calendar, build_office, signing_dir

    shutil.copytree(demo_pki, signing_dir(settings))
    return build_office(settings, clock, build_calendar(settings, clock.now(), {}, set()))


@pytest.fixture
def uow(db: Database) -> Callable[[], UnitOfWork]:
    return db.uow


@pytest.fixture
async def desk(db: Database, office: Office) -> Desk:

    desk = Desk(db, office)
    await desk.seed()
    return desk

"""The repository contract runs on three backends: the fake, SQLite and PostgreSQL.

The root ``db`` fixture gives SQLite and PostgreSQL; here it gains the fake as a third
parameter, so every test in this package checks that the fake answers as both
databases do (``-k fake`` runs only the fake's share, in well under a second).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database
from tests.conftest import _reset_pg
from tests.fakes import FakeDatabase

FAKE_URL = "fake://"


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "fake":
        return FAKE_URL
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "staffbot.db"
        shutil.copy(template, target)
        return f"sqlite+aiosqlite:///{target}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database | FakeDatabase]:
    if db_url == FAKE_URL:
        yield FakeDatabase()
        return
    database = Database(db_url)
    await database.initialize()
    if not database.is_sqlite:
        await _reset_pg(database)
    try:
        yield database
    finally:
        await database.shutdown()

"""Security tests. Authorization and parsing do not depend on the database backend, so
the long matrix and the fuzzers run on SQLite only (their modules override ``db_url``
with ``sqlite_url``); the rest of the folder runs on both, like every storage test."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support import Desk
from tests.web.support import Web, build_web


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    target = tmp_path / "staffbot.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
async def web(desk: Desk) -> AsyncIterator[Web]:
    built = build_web(desk)
    try:
        yield built
    finally:
        await built.close()

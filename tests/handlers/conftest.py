"""Handler tests: commands through the real MessageBus over the fake unit of work.

No database here: the office is built by staffbot.bootstrap (documents rendered by a
worker thread, signed with the demo key) and the bus runs over a FakeDatabase seeded
with the demo roster. The fonts are subset once for the whole session.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from staffbot.app.bus import MessageBus
from staffbot.app.handlers import handlers, processes
from staffbot.bootstrap import build_calendar, build_office, signing_dir
from staffbot.clock import FixedClock
from staffbot.documents.engine import ThreadEngine
from staffbot.services import actors
from staffbot.services.context import Office
from staffbot.settings import Settings
from tests.fakes import FakeDatabase
from tests.handlers.support import seed_roster


@pytest.fixture(autouse=True)
def cheap_pin_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The PIN check's scrypt cost is a production setting (about 60 ms a check, two
    checks a signature): these tests check the PIN logic, not its cost."""
    monkeypatch.setattr(actors, "_SCRYPT", {"n": 2**4, "r": 8, "p": 1})


@pytest.fixture(scope="session")
def font_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fonts")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The root fixture's, without a database URL (so without a sqlite/postgres param)."""
    return Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def office(settings: Settings, clock: FixedClock, demo_pki: Path, font_cache: Path) -> Office:
    shutil.copytree(demo_pki, signing_dir(settings))
    calendar = build_calendar(settings, clock.now(), {}, set())
    return build_office(settings, clock, calendar, engine=ThreadEngine(font_cache))


@pytest.fixture
async def fake_db(office: Office) -> FakeDatabase:
    db = FakeDatabase()
    await seed_roster(db, office.now())
    return db


@pytest.fixture
def bus(fake_db: FakeDatabase, office: Office) -> MessageBus:
    return MessageBus(fake_db, office, handlers(), processes())  # type: ignore[arg-type]

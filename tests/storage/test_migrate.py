"""Whether the schema is current is decided without Alembic; Alembic must agree."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory

from storage.migrate import MIGRATIONS, current_revision, head_revision, upgrade_if_needed


def test_the_head_read_from_the_files_is_alembics_head() -> None:
    assert head_revision() == ScriptDirectory(str(MIGRATIONS)).get_current_head()


async def test_an_empty_database_is_migrated_once_and_then_left_alone(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    assert await current_revision(url) is None
    assert await upgrade_if_needed(url) is True
    assert await current_revision(url) == head_revision()
    assert await upgrade_if_needed(url) is False


async def test_a_migrated_database_is_current(db_url: str) -> None:
    assert await current_revision(db_url) == head_revision()
    assert await upgrade_if_needed(db_url) is False

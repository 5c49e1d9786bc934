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


async def test_the_migrations_build_exactly_the_tables_of_the_code(db_url: str) -> None:
    """Tables, columns and indexes of storage/tables.py equal what the migrations made."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlmodel import SQLModel

    import storage.tables  # noqa: F401  (registers the tables on SQLModel.metadata)

    engine = create_async_engine(db_url)
    try:
        async with engine.connect() as conn:
            differences = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), SQLModel.metadata)
            )
    finally:
        await engine.dispose()
    assert differences == []

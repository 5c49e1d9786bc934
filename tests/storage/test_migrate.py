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


async def test_berita_acara_statuses_move_to_the_stored_vocabulary_and_back(
    tmp_path: Path,
) -> None:
    """0007: the Indonesian BA statuses become the English ones every table stores, and a
    downgrade gives them back."""
    import asyncio

    from alembic import command
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from storage.migrate import alembic_config, upgrade
    from storage.tables import BA_OPEN, BA_REJECTED, BA_SIGNED

    url = f"sqlite+aiosqlite:///{tmp_path / 'statuses.db'}"
    await upgrade(url, "0006")
    engine = create_async_engine(url)

    async def statuses() -> dict[str, str]:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT number, status FROM berita_acara"))
            return {number: status for number, status in rows.all()}

    try:
        async with engine.begin() as conn:
            for seq, status in enumerate(("menunggu_ttd", "ditandatangani", "ditolak"), 1):
                await conn.execute(
                    text(
                        "INSERT INTO berita_acara (number, year, seq, kecamatan, status, step,"
                        " version, created_at) VALUES (:n, 2026, :seq, 'Gisting', :status,"
                        " 'ttd_ba', 1, '2026-11-25 02:00:00.000000')"
                    ),
                    {"n": f"470/{seq}/BA/DISDUKCAPIL/2026", "seq": seq, "status": status},
                )
        await upgrade(url)
        assert await statuses() == {
            "470/1/BA/DISDUKCAPIL/2026": BA_OPEN,
            "470/2/BA/DISDUKCAPIL/2026": BA_SIGNED,
            "470/3/BA/DISDUKCAPIL/2026": BA_REJECTED,
        }
        await asyncio.to_thread(command.downgrade, alembic_config(url), "0006")
        assert await statuses() == {
            "470/1/BA/DISDUKCAPIL/2026": "menunggu_ttd",
            "470/2/BA/DISDUKCAPIL/2026": "ditandatangani",
            "470/3/BA/DISDUKCAPIL/2026": "ditolak",
        }
    finally:
        await engine.dispose()


async def test_document_numbers_continue_from_the_counters_and_go_back(tmp_path: Path) -> None:
    """0009: the surat and BA sequences kept in `counter` move to `document_sequence`
    (numbering goes on where it was); a downgrade writes the numbers taken since back."""
    import asyncio

    from alembic import command
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from storage.migrate import alembic_config, upgrade

    url = f"sqlite+aiosqlite:///{tmp_path / 'numbers.db'}"
    await upgrade(url, "0007")
    engine = create_async_engine(url)

    async def rows(sql: str) -> set[tuple[object, ...]]:
        async with engine.connect() as conn:
            return {tuple(r) for r in (await conn.execute(text(sql))).all()}

    try:
        async with engine.begin() as conn:
            for name, value in (("surat:2026", 7), ("ba:2026", 3), ("case:2026", 40)):
                await conn.execute(
                    text("INSERT INTO counter (name, value) VALUES (:name, :value)"),
                    {"name": name, "value": value},
                )
        await upgrade(url)
        assert await rows("SELECT kind, year, value FROM document_sequence") == {
            ("surat", 2026, 7),
            ("ba", 2026, 3),
        }
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE document_sequence SET value = 9 WHERE kind = 'surat'"))
            await conn.execute(
                text("INSERT INTO document_sequence (kind, year, value) VALUES ('rekap', 2027, 2)")
            )
        await asyncio.to_thread(command.downgrade, alembic_config(url), "0007")
        assert await rows("SELECT name, value FROM counter") == {
            ("surat:2026", 9),
            ("ba:2026", 3),
            ("case:2026", 40),
            ("rekap:2027", 2),
        }
    finally:
        await engine.dispose()

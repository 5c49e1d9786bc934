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


async def test_0008_fills_in_the_register_of_existing_documents(tmp_path: Path) -> None:
    """0008: existing rows get the lifecycle their rows tell (received, signed, draft,
    superseded by a later row of the same document, void when their Berita Acara was
    rejected), and every case a status-page code of its own; a downgrade drops them."""
    import asyncio

    from alembic import command
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from storage.migrate import alembic_config, upgrade

    url = f"sqlite+aiosqlite:///{tmp_path / 'register.db'}"
    await upgrade(url, "0007")
    engine = create_async_engine(url)
    at = "'2026-11-25 02:00:00.000000'"
    case_sql = (
        "INSERT INTO cases (id, number, flow_key, applicant_name, nik, nik_outside, wa_number,"
        " kecamatan, layanan, keluhan, status, step, version, needs_manual_check, created_at,"
        f" updated_at) VALUES (:id, :n, 'pengaduan_online', 'A', '1806054501900001', 0, '+62',"
        f" 'Gisting', 'KK', '', 'open', 'buat_ba', 1, 0, {at}, {at})"
    )
    doc_sql = (
        "INSERT INTO document (id, case_id, ba_id, kind, filename, mime_type, path, size,"
        " sha256, signed, meta, created_at) VALUES (:id, :case_id, :ba_id, :kind, 'f.pdf',"
        f" 'application/pdf', 'files/x', 1, 'h', :signed, '{{}}', {at})"
    )
    documents = [  # id, case, ba, kind, signed
        (1, 1, None, "berkas", 0),
        (2, 1, None, "berkas", 0),
        (3, 1, None, "berkas_cetak", 0),
        (4, 1, None, "berkas_cetak", 0),
        (5, 1, None, "hasil", 0),
        (6, 1, None, "hasil_ttd", 1),
        (7, None, 1, "berita_acara", 0),
        (8, None, None, "rekap", 0),
        (9, 2, None, "hasil", 0),
    ]
    try:
        async with engine.begin() as conn:
            for case_id in (1, 2):
                await conn.execute(text(case_sql), {"id": case_id, "n": f"PO-2026-0000{case_id}"})
            await conn.execute(
                text(
                    "INSERT INTO berita_acara (id, number, year, seq, kecamatan, status, step,"
                    f" version, created_at, closed_at) VALUES (1, '470/1/BA/X/2026', 2026, 1,"
                    f" 'Gisting', 'rejected', 'ttd_ba', 1, {at}, '2026-11-26 03:00:00.000000')"
                )
            )
            for doc_id, case_id, ba_id, kind, signed in documents:
                await conn.execute(
                    text(doc_sql),
                    {
                        "id": doc_id,
                        "case_id": case_id,
                        "ba_id": ba_id,
                        "kind": kind,
                        "signed": signed,
                    },
                )
        await upgrade(url)
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT id, status, version, supersedes_id, superseded_by_id, status_at"
                    " FROM document ORDER BY id"
                )
            )
            found = {r.id: (r.status, r.version, r.supersedes_id, r.superseded_by_id) for r in rows}
            void_at = (
                await conn.execute(text("SELECT status_at FROM document WHERE id = 7"))
            ).scalar_one()
            codes = (await conn.execute(text("SELECT status_code FROM cases"))).scalars().all()
        assert found == {
            1: ("received", 1, None, None),
            2: ("received", 1, None, None),
            3: ("superseded", 1, None, 4),
            4: ("draft", 2, 3, None),
            5: ("superseded", 1, None, 6),
            6: ("signed", 1, 5, None),  # the signed copy keeps its draft's version
            7: ("void", 1, None, None),
            8: ("draft", 1, None, None),
            9: ("draft", 1, None, None),
        }
        assert str(void_at).startswith("2026-11-26 03:00")
        assert len(codes) == 2 and all(c and len(c) >= 22 for c in codes)
        assert len(set(codes)) == 2
        await asyncio.to_thread(command.downgrade, alembic_config(url), "0007")
        async with engine.connect() as conn:
            columns = (await conn.execute(text("PRAGMA table_info(document)"))).all()
        assert "status" not in {c.name for c in columns}
    finally:
        await engine.dispose()

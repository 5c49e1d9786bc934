"""`backup` then `restore` into an empty database and data dir gives back the same office:
every row, every stored file byte for byte, an audit chain that verifies, a signed PDF
that still checks. On SQLite (backup API) and PostgreSQL (pg_dump / pg_restore)."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import shutil
import tarfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from staffbot.app.commands.audit import VerifyAuditChain
from staffbot.app.commands.verification import CheckFile
from staffbot.cli.root import app
from staffbot.services import audit as audit_service
from staffbot.services.backup import make_backup, restore_backup
from staffbot.services.files import read_blob
from staffbot.services.verification import check_file
from staffbot.settings import Settings
from storage.db import Database
from tests.conftest import PG_HOST, TABLES_IN_ORDER, _pg_admin
from tests.support import Desk

TABLES = (*TABLES_IN_ORDER, "audit_head")


async def snapshot(db: Database) -> dict[str, int]:
    out = {}
    async with db.read_engine.connect() as conn:
        for table in TABLES:
            out[table] = (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
    return out


async def test_backup_and_restore_round_trip(
    desk: Desk, settings: Settings, tmp_path: Path
) -> None:
    number = (await desk.new_case()).number
    await desk.advance_to(number, "cetak_dokumen")  # letters generated and signed
    before = await snapshot(desk.db)
    archive = tmp_path / "cadangan.tar.gz"
    report = await make_backup(settings, archive, now=desk.office.now())
    assert report.files > 0 and archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and not any(n.startswith("data/cache") for n in names)

    target = await restored_settings(settings, tmp_path)
    try:
        restored = await restore_backup(target, archive)
        assert restored.files == report.files
        db = Database(target.database_url)
        await db.initialize()
        try:
            assert await snapshot(db) == before
            async with db.uow(readonly=True) as uow:
                assert (await audit_service.verify_chain(VerifyAuditChain(), uow, desk.office)).ok
                documents = await uow.documents.of_case(1)
                office = dataclasses.replace(desk.office, data_dir=target.data_dir)
                for document in documents:
                    data = read_blob(office, document)
                    assert hashlib.sha256(data).hexdigest() == document.sha256
                signed = [d for d in documents if d.signed]
                signed_pdf = read_blob(office, signed[0])
                verdict = await check_file(CheckFile(signed_pdf), uow, office)
                assert verdict.known and verdict.signature_ok
        finally:
            await db.shutdown()
        # a second restore over the data is refused without --force
        with pytest.raises(Exception, match=r"not empty|already holds data"):
            await restore_backup(target, archive)
        await restore_backup(target, archive, force=True)
    finally:
        await drop_restored(target)


async def restored_settings(settings: Settings, tmp_path: Path) -> Settings:
    if settings.database_url.startswith("sqlite"):
        url = f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}"
    else:
        name = f"staffbot_restore_{uuid.uuid4().hex[:10]}"
        await asyncio.to_thread(_pg_admin, f'CREATE DATABASE "{name}"')
        url = f"{PG_HOST}/{name}"
    return Settings(database_url=url, data_dir=tmp_path / "restored-data", _env_file=None)  # type: ignore[call-arg]


async def drop_restored(settings: Settings) -> None:
    if settings.database_url.startswith("postgresql"):
        name = settings.database_url.rsplit("/", 1)[1]
        await asyncio.to_thread(_pg_admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(settings.data_dir, ignore_errors=True)


def test_the_backup_and_restore_verbs(tmp_path: Path, sqlite_template: Path) -> None:
    shutil.copy(sqlite_template, tmp_path / "bot.db")
    env = {
        "STAFFBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "STAFFBOT_DATA_DIR": str(tmp_path / "data"),
    }
    runner = CliRunner()
    assert runner.invoke(app, ["staff", "seed-demo"], env=env).exit_code == 0
    archive = tmp_path / "b.tar.gz"
    made = runner.invoke(app, ["backup", "--out", str(archive)], env=env)
    assert made.exit_code == 0, made.output
    assert "cadangan" in made.output
    refused = runner.invoke(app, ["restore", str(archive)], env=env)
    assert refused.exit_code == 1 and "sudah berisi" not in refused.output
    elsewhere = {
        "STAFFBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'other.db'}",
        "STAFFBOT_DATA_DIR": str(tmp_path / "other"),
    }
    done = runner.invoke(app, ["restore", str(archive)], env=elsewhere)
    assert done.exit_code == 0, done.output
    listed = runner.invoke(app, ["staff", "list", "--json"], env=elsewhere)
    assert "Ahmad Fauzi" in listed.output
    # a tar with a path outside its target is refused before anything is written
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar, tarfile.open(archive) as good:
        for member in good:
            tar.addfile(member, good.extractfile(member) if member.isfile() else None)
        info = tarfile.TarInfo("data/../../escape.txt")
        info.size = 0
        tar.addfile(info)
    bad = runner.invoke(
        app,
        ["restore", str(evil), "--force"],
        env={**elsewhere, "STAFFBOT_DATA_DIR": str(tmp_path / "third")},
    )
    assert bad.exit_code == 1 and not (tmp_path / "escape.txt").exists()

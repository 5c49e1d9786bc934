"""`backup` / `restore`: the database and the data dir in one archive (docs/DEPLOY.md).

The archive is a gzip'd tar:

    manifest.json          format, time, database kind, schema revision, file count
    database.sqlite3       SQLite: a consistent copy made with the online backup API
    database.pgdump        PostgreSQL: pg_dump --format=custom
    data/...               STAFFBOT_DATA_DIR: stored files, generated PDFs, the signing
                           key (PKCS#12, passphrase-protected), the webhook secret

It holds citizens' personal data and the office's signing key: it is written with
mode 0600, and belongs on encrypted storage (see DEPLOY.md). The font cache is left
out (it is rebuilt at start).

A restore goes back into the configured database and data dir, which must be empty
(or `--force`). Stop the bot first: a running bot would keep writing to the old files.

These two are not commands on the message bus: like `migrate`, they work on the
installation beneath any unit of work (a database file or dump, the data dir), and a
restore runs before there is a schema to build the application on.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from staffbot.errors import ConfigurationError
from staffbot.settings import Settings
from storage import backup as db_backup
from storage.migrate import current_revision, head_revision

FORMAT = "staffbot-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
#: Not worth keeping: rebuilt at start, or half-written files.
SKIPPED_DIRS = {"cache"}

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BackupReport:
    archive: Path
    dialect: str
    revision: str | None
    files: int
    size: int
    created_at: datetime


def _data_files(data_dir: Path) -> list[Path]:
    if not data_dir.exists():
        return []
    found = []
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        if relative.parts and relative.parts[0] in SKIPPED_DIRS:
            continue
        if path.is_file() and not path.name.endswith((".tmp", ".restoring")):
            found.append(path)
    return found


async def make_backup(
    settings: Settings, target: Path, *, now: datetime, progress: Progress | None = None
) -> BackupReport:
    say = progress or (lambda _: None)
    dialect = db_backup.dialect_of(settings.database_url)
    if dialect not in ("sqlite", "postgresql"):
        raise ConfigurationError(problem=f"no backup for database kind {dialect}")
    revision = await current_revision(settings.database_url)
    manifest: dict[str, object] = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "dialect": dialect,
        "revision": revision,
        "database": SQLITE_MEMBER if dialect == "sqlite" else PG_MEMBER,
    }
    files, size = await asyncio.to_thread(_build, settings, target, manifest, say)
    return BackupReport(
        archive=target,
        dialect=dialect,
        revision=revision,
        files=files,
        size=size,
        created_at=now,
    )


def _build(
    settings: Settings, target: Path, manifest: dict[str, object], say: Progress
) -> tuple[int, int]:
    """Dump the database, then write the archive beside the target and move it in place."""
    files = _data_files(settings.data_dir)
    manifest["files"] = len(files)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="staffbot-backup-") as tmp:
        dump = Path(tmp) / str(manifest["database"])
        say("database")
        if manifest["dialect"] == "sqlite":
            db_backup.dump_sqlite(settings.database_url, dump)
        else:
            db_backup.dump_postgres(settings.database_url, dump)
        staging = target.with_name(target.name + ".tmp")
        _write_archive(staging, manifest, dump, settings.data_dir, files, say)
        staging.replace(target)
    return len(files), target.stat().st_size


def _write_archive(
    target: Path,
    manifest: dict[str, object],
    dump: Path,
    data_dir: Path,
    files: list[Path],
    say: Progress,
) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
        body = json.dumps(manifest, indent=2).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(body)
        info.mode = 0o600
        tar.addfile(info, io.BytesIO(body))
        tar.add(dump, arcname=str(manifest["database"]), recursive=False)
        for path in files:
            say(f"data/{path.relative_to(data_dir).as_posix()}")
            tar.add(path, arcname=f"data/{path.relative_to(data_dir).as_posix()}", recursive=False)


@dataclass(frozen=True)
class RestoreReport:
    archive: Path
    dialect: str
    revision: str | None
    files: int
    created_at: str


async def restore_backup(
    settings: Settings, archive: Path, *, force: bool = False, progress: Progress | None = None
) -> RestoreReport:
    say = progress or (lambda _: None)
    dialect = db_backup.dialect_of(settings.database_url)
    with tempfile.TemporaryDirectory(prefix="staffbot-restore-") as tmp:
        manifest = await asyncio.to_thread(_read_manifest, archive)
        if manifest.get("format") != FORMAT:
            raise ConfigurationError(problem=f"{archive} is not a staffbot backup")
        if manifest.get("dialect") != dialect:
            raise ConfigurationError(
                problem=f"the backup is of a {manifest.get('dialect')} database; "
                f"STAFFBOT_DATABASE_URL is {dialect}"
            )
        revision = manifest.get("revision")
        if revision is not None and revision != head_revision():
            # An older backup is fine: the schema is brought up to date after it.
            say(f"schema revision {revision} (this version: {head_revision()})")
        if not force:
            await _refuse_if_in_use(settings, dialect)
        count = await asyncio.to_thread(
            _extract, archive, Path(tmp), settings.data_dir, str(manifest["database"]), say
        )
        dump = Path(tmp) / str(manifest["database"])
        say("database")
        if dialect == "sqlite":
            await asyncio.to_thread(db_backup.restore_sqlite, settings.database_url, dump)
        else:
            await asyncio.to_thread(db_backup.restore_postgres, settings.database_url, dump)
    return RestoreReport(
        archive=archive,
        dialect=dialect,
        revision=str(revision) if revision else None,
        files=count,
        created_at=str(manifest.get("created_at")),
    )


async def _refuse_if_in_use(settings: Settings, dialect: str) -> None:
    files = _data_files(settings.data_dir)
    if files:
        raise ConfigurationError(
            problem=f"the data dir {settings.data_dir} is not empty ({len(files)} files): "
            "restore into an empty one, or give --force"
        )
    if dialect == "sqlite":
        used = await asyncio.to_thread(db_backup.sqlite_has_data, settings.database_url)
    else:
        from storage.db import Database

        db = Database(settings.database_url)
        await db.initialize()
        try:
            used = await _pg_has_data(db)
        finally:
            await db.shutdown()
    if used:
        raise ConfigurationError(
            problem="the database already holds data: restore into an empty one, or give --force"
        )


async def _pg_has_data(db: object) -> bool:
    from storage.db import Database

    assert isinstance(db, Database)
    try:
        async with db.uow(readonly=True) as uow:
            return bool(await uow.staff.count())
    except Exception:  # no tables yet: an empty database
        return False


def _read_manifest(archive: Path) -> dict[str, object]:
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise ConfigurationError(problem=f"{archive} has no manifest")
            data = json.loads(member.read())
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise ConfigurationError(problem=f"{archive} cannot be read as a backup") from exc
    if not isinstance(data, dict):
        raise ConfigurationError(problem=f"{archive} has a broken manifest")
    return data


def _extract(archive: Path, tmp: Path, data_dir: Path, database: str, say: Progress) -> int:
    """The database member into ``tmp``, data/ into the data dir; nothing else, and no
    member may point outside its target (absolute paths, .., links)."""
    count = 0
    data_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, mode="r:gz") as tar:
        for member in tar:
            name = PurePosixPath(member.name)
            if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
                raise ConfigurationError(problem=f"unsafe entry in the archive: {member.name}")
            if member.isdir():
                continue
            if member.name == database:
                tar.extract(member, tmp, filter="data")
            elif name.parts[0] == "data" and len(name.parts) > 1:
                member.name = PurePosixPath(*name.parts[1:]).as_posix()
                say(f"data/{member.name}")
                tar.extract(member, data_dir, filter="data")
                count += 1
    return count


__all__ = ["BackupReport", "RestoreReport", "make_backup", "restore_backup"]

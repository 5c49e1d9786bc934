"""The database part of `backup` / `restore` (docs/DEPLOY.md, "Backups").

* SQLite: the sqlite3 online backup API. It copies a consistent snapshot page by page
  while the bot keeps running (WAL readers and writers are not stopped); a restore puts
  the file in place and removes the old write-ahead log, which would otherwise be
  replayed onto the restored file.
* PostgreSQL: pg_dump in its custom format (a consistent snapshot, compressed, any
  table restorable alone) and pg_restore --clean --single-transaction. The client tools
  must be at least the server's major version (Debian: postgresql-client).

These are blocking functions: callers run them in a worker thread.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from flows.errors import StaffbotError

#: Pages per step of the SQLite backup (4 KiB pages: 4 MiB a step), with progress.
_PAGES_PER_STEP = 1024


class BackupError(StaffbotError):
    """A dump or restore that could not be done (``problem`` says why)."""

    code = "backup"
    template = "backup: {problem}"


def dialect_of(url: str) -> str:
    return make_url(url).get_backend_name()


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(problem="an in-memory SQLite database cannot be backed up")
    return Path(database)


def dump_sqlite(url: str, target: Path, progress: Callable[[int, int], None] | None = None) -> None:
    source = sqlite_path(url)
    if not source.exists():
        raise BackupError(problem=f"no database file at {source}")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:

        def step(status: int, remaining: int, total: int) -> None:
            if progress is not None:
                progress(total - remaining, total)

        src.backup(dst, pages=_PAGES_PER_STEP, progress=step)
        # The copy keeps WAL mode in its header; as a standalone file it needs no log.
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def restore_sqlite(url: str, dump: Path) -> None:
    target = sqlite_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    check = sqlite3.connect(dump)
    try:
        if check.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise BackupError(problem="the database in the archive is damaged")
    finally:
        check.close()
    staging = target.with_name(target.name + ".restoring")
    shutil.copyfile(dump, staging)
    # A write-ahead log of the old file would be replayed onto the restored one.
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    staging.replace(target)


def sqlite_has_data(url: str) -> bool:
    path = sqlite_path(url)
    if not path.exists():
        return False
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "staff" not in tables:
            return False
        return bool(conn.execute("SELECT EXISTS (SELECT 1 FROM staff)").fetchone()[0])
    finally:
        conn.close()


# -- PostgreSQL ------------------------------------------------------------------------------


def _pg_env(url: URL) -> dict[str, str]:
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value is not None:
            env[key] = str(value)
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            problem=f"{name} is not installed: install the PostgreSQL client tools "
            "(Debian: apt install postgresql-client) of the server's major version or newer"
        )
    return found


def _run(command: list[str], url: URL) -> None:
    result = subprocess.run(  # noqa: S603 (our own arguments, no shell)
        command, env=_pg_env(url), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        # pg tools print the connection target, never the password (it is in the env)
        raise BackupError(
            problem=f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}"
        )


def dump_postgres(url: str, target: Path) -> None:
    parsed = make_url(url)
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target)], parsed)


def restore_postgres(url: str, dump: Path) -> None:
    parsed = make_url(url)
    command = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner"]
    command += ["--single-transaction", "--exit-on-error", "--dbname", str(parsed.database)]
    _run([*command, str(dump)], parsed)


__all__ = [
    "BackupError",
    "dialect_of",
    "dump_postgres",
    "dump_sqlite",
    "restore_postgres",
    "restore_sqlite",
    "sqlite_has_data",
]

"""Apply the Alembic migrations programmatically (`migrate`, `run`, tests).

Alembic (with Mako and Pygments behind it) costs some 10 MB and 70 ms to import, so it
is imported only when a migration really runs: whether the schema is current is read
from the revision files and the ``alembic_version`` table directly.
"""

from __future__ import annotations

import asyncio
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION = re.compile(r"^revision(?:: str)? = ['\"](\w+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision(?:: [^=]+)? = ['\"](\w+)['\"]", re.MULTILINE)


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    return config


@cache
def head_revision() -> str | None:
    """The newest revision: the one no other revision names as its down_revision."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        found = _REVISION.search(source)
        if found is None:
            continue
        revisions.add(found.group(1))
        parents.update(_DOWN.findall(source))
    heads = revisions - parents
    if len(heads) > 1:
        raise RuntimeError(f"several migration heads: {sorted(heads)}")
    return next(iter(heads), None)


async def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema up to ``revision``. Alembic runs its own event loop: use a thread."""
    from alembic import command

    await asyncio.to_thread(command.upgrade, alembic_config(url), revision)


async def current_revision(url: str) -> str | None:
    """The revision the database is at; None for an empty database."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            try:
                rows = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
            except DBAPIError:  # no alembic_version table: nothing migrated yet
                return None
            return str(rows[0][0]) if rows else None
    finally:
        await engine.dispose()


async def upgrade_if_needed(url: str) -> bool:
    """Migrate only when the database is behind; True when a migration ran."""
    if await current_revision(url) == head_revision():
        return False
    await upgrade(url)
    return True

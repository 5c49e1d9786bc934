"""Installation-level operations: the schema, the demo signing key, backup and restore,
the log scrubber's secrets.

They work on the installation itself (the database before any app is built, the data
dir, the process's logging), not on the office's cases, so they are not commands on the
bus. The command line imports this module for every verb (the log scrubber): its heavy
imports stay inside the functions that need them, so ``--help`` does not load the ORM.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from staffbot.app.commands.staff import DEMO_PIN
from staffbot.clock import Clock
from staffbot.settings import Settings

if TYPE_CHECKING:
    from staffbot.services.backup import BackupReport, RestoreReport

Progress = Callable[[str], None]


async def migrate(settings: Settings) -> str | None:
    """Bring the schema up to date; returns the revision it is now at."""
    from storage.migrate import head_revision, upgrade

    await upgrade(settings.database_url)
    return head_revision()


def schema_head() -> str | None:
    """The revision this version of the code expects."""
    from storage.migrate import head_revision

    return head_revision()


async def backup(
    settings: Settings, target: Path, *, now: datetime, progress: Progress
) -> BackupReport:
    from staffbot.services.backup import make_backup

    return await make_backup(settings, target, now=now, progress=progress)


async def restore(
    settings: Settings, archive: Path, *, force: bool, progress: Progress
) -> RestoreReport:
    from staffbot.services.backup import restore_backup

    return await restore_backup(settings, archive, force=force, progress=progress)


def init_demo_pki(settings: Settings, clock: Clock, *, kadis_name: str, kadis_nip: str) -> None:
    """The demo signs with the documented demo PIN; production runs `signing init`."""
    from staffbot.bootstrap import signing_dir
    from staffbot.documents.pki import init_office_pki

    init_office_pki(
        signing_dir(settings),
        office_name=settings.office_short_name,
        kadis_name=kadis_name,
        kadis_nip=kadis_nip,
        passphrase=DEMO_PIN,
        now=clock.now(),
        min_passphrase=len(DEMO_PIN),
    )


def secrets_of(settings: Settings) -> list[str]:
    """The configured secrets, for the log scrubber (staffbot.logsafety)."""
    values = [
        settings.telegram_token,
        settings.whatsapp_token,
        settings.whatsapp_app_secret,
        settings.whatsapp_verify_token,
        settings.bsre_password,
    ]
    found = [v.get_secret_value() for v in values if v is not None]
    # A URL has a password only in its user info, which ends with "@": the default
    # SQLite URL does not load SQLAlchemy to learn it has none.
    if "@" in settings.database_url:
        from storage.db import url_password

        password = url_password(settings.database_url)
        if password:
            found.append(password)
    secret_file = settings.data_dir / "telegram_webhook_secret"
    if secret_file.exists():
        found.append(secret_file.read_text(encoding="ascii").strip())
    return found


def install_log_safety(settings: Settings | None) -> None:
    from staffbot import logsafety

    logsafety.install(secrets_of(settings) if settings is not None else ())

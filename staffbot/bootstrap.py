"""The composition root: ``build(settings) -> App``, typed and frozen.

Everything the use cases need is built here, once, in order: the database (its schema
brought up to date), the working-day calendar, the document engine and kit, the signer,
the office context and the message bus. Nothing is built at import time, nothing is
reassigned after :func:`open_app` yields, and the command line, the running bot, the
tests and the benchmarks all build through this module (never through main.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from flows.calendar import WorkingCalendar
from flows.pengaduan_online import pengaduan_online
from flows.validate import validate_flow
from staffbot.app.bus import MessageBus
from staffbot.app.handlers import handlers, processes
from staffbot.clock import Clock, SystemClock
from staffbot.documents.engine import DocumentEngine
from staffbot.documents.kit import DocumentKit, Signer
from staffbot.documents.model import Language, Letterhead
from staffbot.errors import ConfigurationError
from staffbot.holidays_source import national_holidays
from staffbot.services.context import CalendarSource, Office, Reference
from staffbot.settings import Settings
from storage.db import Database
from storage.migrate import current_revision, head_revision, upgrade


@dataclass(frozen=True)
class App:
    """What a running process holds: settings, database, office context and the bus."""

    settings: Settings
    db: Database
    office: Office
    bus: MessageBus


def build_calendar(
    settings: Settings, now: datetime, added: Mapping[date, str], removed: set[date]
) -> WorkingCalendar:
    year = now.astimezone(settings.tz).year
    days = national_holidays(
        range(year - 1, year + 3),
        added=dict(added),
        removed=removed,
        language=settings.language,
    )
    return WorkingCalendar(settings.tz, settings.office_hours_table, days)


def signing_dir(settings: Settings) -> Path:
    return settings.data_dir / "signing"


def build_signer(settings: Settings, clock: Clock, engine: DocumentEngine) -> Signer | None:
    """BSrE when configured, else the local PAdES signer once `signing init` made a key."""
    language: Language = "en" if settings.language == "en" else "id"
    if settings.bsre_url:
        from staffbot.documents.bsre import BsreSigner

        return BsreSigner(
            settings.bsre_url,
            username=settings.bsre_username or "",
            password=settings.bsre_password.get_secret_value() if settings.bsre_password else "",
            accounts=settings.bsre_accounts,
            now=clock.now,
            language=language,
            tz=settings.tz,
        )
    from staffbot.documents.local_signer import LocalPadesSigner
    from staffbot.documents.pki import PKCS12_FILE

    path = signing_dir(settings) / PKCS12_FILE
    if not path.exists():
        return None
    return LocalPadesSigner(path, now=clock.now, language=language, tz=settings.tz, engine=engine)


def build_trust_anchor(settings: Settings) -> Path | None:
    from staffbot.documents.pki import CA_FILE

    ca = signing_dir(settings) / CA_FILE
    return ca if ca.exists() else None


def build_engine(settings: Settings, *, workers: int = 0) -> DocumentEngine:
    """Worker processes for the running bot; a worker thread for commands and tests."""
    from staffbot.documents.engine import ProcessEngine, ThreadEngine

    cache = settings.data_dir / "cache" / "fonts"
    if workers > 0:
        return ProcessEngine(cache, workers=workers)
    return ThreadEngine(cache)


def build_documents(settings: Settings, engine: DocumentEngine) -> DocumentKit:
    return DocumentKit(
        letterhead=Letterhead(
            government=settings.letterhead_government,
            office=settings.letterhead_office,
            address=settings.letterhead_address,
            contact=settings.letterhead_contact,
            logo_path=settings.letterhead_logo,
            city=settings.office_city,
            tz=settings.tz,
        ),
        engine=engine,
    )


def build_reference(settings: Settings) -> Reference:
    return Reference(
        regency_codes=settings.regency_codes,
        kecamatan=settings.kecamatan,
        layanan=settings.layanan,
        case_prefix=settings.case_prefix,
        service_number=settings.whatsapp_service_number,
        office_city=settings.office_city,
        public_url=settings.public_url,
        office_name=settings.office_name,
        numbers=settings.number_patterns,
        kecamatan_codes=settings.kecamatan_codes,
        upt=settings.upt,
        ba_nik=settings.ba_nik,
        upt_contacts=dict(settings.upt_contacts),
    )


def build_office(
    settings: Settings,
    clock: Clock,
    calendar: WorkingCalendar,
    *,
    engine: DocumentEngine | None = None,
    signer: Signer | None = None,
) -> Office:
    """The office context; ``signer`` replaces the one the settings name (tests)."""
    from staffbot.services.documents import document_effects
    from staffbot.services.effects import check_effects, core_effects
    from staffbot.services.letters import letter_effects, letter_generators
    from staffbot.services.pin_alerts import alert_supervisor
    from staffbot.services.signed_outputs import delivery_effects

    engine = engine or build_engine(settings)
    flow = validate_flow(pengaduan_online())
    effects = {**core_effects(), **document_effects(), **letter_effects(), **delivery_effects()}
    check_effects(flow, effects)
    return Office(
        flow=flow,
        clock=clock,
        calendars=CalendarSource(calendar),
        reference=build_reference(settings),
        documents=build_documents(settings, engine),
        signer=signer or build_signer(settings, clock, engine),
        trust_anchor=build_trust_anchor(settings),
        language=settings.language,
        data_dir=settings.data_dir,
        effects=effects,
        generators=letter_generators(),
        pin_lock_hooks=(alert_supervisor,),
    )


def build_bus(db: Database, office: Office) -> MessageBus:
    return MessageBus(db, office, handlers(), processes())


async def ensure_schema(db: Database) -> None:
    """SQLite is brought up to date on its own; PostgreSQL needs an explicit `migrate`."""
    current = await current_revision(db.url)
    if current == head_revision():
        return
    if db.is_sqlite:
        await upgrade(db.url)
        return
    raise ConfigurationError(problem="the database schema is not up to date: run `migrate`")


async def load_overrides(db: Database) -> tuple[dict[date, str], set[date]]:
    async with db.uow(readonly=True) as uow:
        rows = await uow.holidays.all()
    added = {r.day: r.name for r in rows if not r.removed}
    removed = {r.day for r in rows if r.removed}
    return added, removed


@asynccontextmanager
async def open_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    migrate: bool = True,
    engine: DocumentEngine | None = None,
) -> AsyncIterator[App]:
    """The application for a command or a test: the database open, the office built."""
    settings = settings or Settings()
    clock = clock or SystemClock()
    db = Database(settings.database_url)
    await db.initialize()
    try:
        if migrate:
            await ensure_schema(db)
        added, removed = await load_overrides(db)
        calendar = build_calendar(settings, clock.now(), added, removed)
        office = build_office(settings, clock, calendar, engine=engine)
        yield App(settings, db, office, build_bus(db, office))
    finally:
        await db.shutdown()

"""What every use case needs besides the unit of work: the flow, the clock, the calendar."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from flows.calendar import WorkingCalendar
from flows.model import Flow
from staffbot.clock import Clock

if TYPE_CHECKING:
    from staffbot.services.effects import EffectContext
    from storage.tables import Staff, Task
    from storage.uow import UnitOfWork

EffectHandler = Callable[["UnitOfWork", "Office", "EffectContext"], Awaitable[None]]
#: Makes a document for a task from the case's data (e.g. the standard reply letter);
#: returns the stored document's id.
DocumentGenerator = Callable[["UnitOfWork", "Office", "Task"], Awaitable[int]]
#: Called (inside the transaction) when a staff member's signing gets locked.
PinLockHook = Callable[["UnitOfWork", "Office", "Staff"], Awaitable[None]]


@dataclass(frozen=True)
class Reference:
    """Reference data and office conventions, from settings."""

    regency_codes: tuple[str, ...]
    kecamatan: tuple[str, ...]
    layanan: tuple[str, ...]
    case_prefix: str = "PO"
    service_number: str = ""
    ba_number_pattern: str = "470/{n}/BA/DISDUKCAPIL/{year}"
    office_city: str = "Kota Agung"
    public_url: str = "http://127.0.0.1:8080"


@dataclass
class Office:
    """The context of every use case (built once, in main.py)."""

    flow: Flow
    clock: Clock
    calendar: WorkingCalendar
    reference: Reference
    language: str = "id"
    data_dir: Path = Path("./data")
    #: Effect name -> handler, run inside the transition's transaction.
    effects: dict[str, EffectHandler] = field(default_factory=dict)
    #: How many wrong PINs lock signing, and for how long (minutes).
    pin_max_failures: int = 5
    pin_lock_minutes: int = 30
    pin_lock_hooks: list[PinLockHook] = field(default_factory=list)
    generators: dict[str, DocumentGenerator] = field(default_factory=dict)
    #: Letterhead and the document engine (staffbot.services.documents.DocumentKit).
    documents: object = None
    #: The signer port (local PAdES or BSrE); None until `signing init` / BSrE settings.
    signer: object = None
    #: The office root certificate (PEM) that `pdf verify` and the verification pages
    #: trust; None before `signing init`. Read by the document engine, never here.
    trust_anchor: Path | None = None

    @property
    def tz(self) -> tzinfo:
        return self.calendar.tz

    def now(self) -> datetime:
        return self.clock.now()

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.tz)

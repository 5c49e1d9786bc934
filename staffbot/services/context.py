"""What every use case needs besides the unit of work: the flow, the clock, the calendar,
the document kit and the signer. Built once by :mod:`staffbot.bootstrap`, frozen."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from flows.calendar import WorkingCalendar
from flows.model import Flow
from staffbot.clock import Clock
from staffbot.documents.kit import DocumentKit, Signer
from staffbot.wilayah import by_code, upt_name

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


DEFAULT_NUMBERS: Mapping[str, str] = MappingProxyType(
    {
        "surat": "470/{seq}/SRT/DISDUKCAPIL/{year}",
        "ba": "470/{seq}/BA/DISDUKCAPIL/{year}",
        "rekap": "470/{seq}/REKAP/DISDUKCAPIL/{year}",
    }
)


@dataclass(frozen=True)
class Reference:
    """Reference data and office conventions, from settings."""

    regency_codes: tuple[str, ...]
    kecamatan: tuple[str, ...]
    layanan: tuple[str, ...]
    case_prefix: str = "PO"
    service_number: str = ""
    office_city: str = "Kota Agung"
    public_url: str = "http://127.0.0.1:8080"
    #: The office's full name, e.g. "Dinas Kependudukan dan Pencatatan Sipil Kabupaten
    #: Tanggamus": the Kepala Dinas's jabatan is "Kepala " + this unless the roster says.
    office_name: str = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tanggamus"
    #: Document kind (surat, ba, rekap) -> numbering pattern (staffbot.numbering).
    numbers: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_NUMBERS), hash=False)
    #: Kecamatan -> Kemendagri code (reports order kecamatan by it).
    kecamatan_codes: Mapping[str, str] = field(default_factory=dict, hash=False)
    #: Kecamatan -> the UPT receiving its files; not named: the kecamatan's own UPT.
    upt: Mapping[str, str] = field(default_factory=dict, hash=False)
    #: The Berita Acara's NIK column: "masked", "full" or "none".
    ba_nik: str = "masked"

    def upt_of(self, kecamatan: str) -> str:
        return upt_name(kecamatan, self.upt)

    def ba_place(self, kecamatan: str) -> str:
        """What "Buat BA" groups a case under: its kecamatan, or its UPT's name when
        that UPT serves several kecamatan (one Berita Acara per UPT)."""
        upt = self.upt_of(kecamatan)
        shared = any(k != kecamatan and self.upt_of(k) == upt for k in self.kecamatan)
        return upt if shared else kecamatan

    def kecamatan_in_order(self, names: Iterable[str] | None = None) -> list[str]:
        """``names`` (default: all of the office's) in Kemendagri code order."""
        return by_code(self.kecamatan if names is None else names, self.kecamatan_codes)

    #: kecamatan -> the UPT's WhatsApp number or bound staff NIP (STAFFBOT_UPT_CONTACTS).
    upt_contacts: Mapping[str, str] = field(default_factory=dict, hash=False)


class CalendarSource:
    """The working-day calendar in force. The admin's holiday changes (another process
    may make them) are picked up by the scheduler, which swaps the calendar here: the
    one part of the context that changes while the bot runs."""

    def __init__(self, calendar: WorkingCalendar) -> None:
        self._current = calendar

    @property
    def current(self) -> WorkingCalendar:
        return self._current

    def replace(self, calendar: WorkingCalendar) -> None:
        self._current = calendar


@dataclass(frozen=True)
class Office:
    """The context of every use case (built once, by :mod:`staffbot.bootstrap`)."""

    flow: Flow
    clock: Clock
    calendars: CalendarSource
    reference: Reference
    #: Letterhead and the document engine.
    documents: DocumentKit
    #: The signer port (local PAdES or BSrE); None until `signing init` / BSrE settings.
    signer: Signer | None = None
    #: The office root certificate (PEM) that `pdf verify` and the verification pages
    #: trust; None before `signing init`. Read by the document engine, never here.
    trust_anchor: Path | None = None
    language: str = "id"
    data_dir: Path = Path("./data")
    #: Effect name -> handler, run inside the transition's transaction.
    effects: Mapping[str, EffectHandler] = field(default_factory=dict)
    generators: Mapping[str, DocumentGenerator] = field(default_factory=dict)
    #: How many wrong PINs lock signing, and for how long (minutes).
    pin_max_failures: int = 5
    pin_lock_minutes: int = 30
    pin_lock_hooks: tuple[PinLockHook, ...] = ()

    @property
    def calendar(self) -> WorkingCalendar:
        return self.calendars.current

    @property
    def tz(self) -> tzinfo:
        return self.calendar.tz

    def now(self) -> datetime:
        return self.clock.now()

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.tz)

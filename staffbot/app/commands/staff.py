"""Commands on the roster: add, change, leave, list, the demo roster, a spreadsheet import."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from staffbot.app.command import Command, Process, Query


class Keep(Enum):
    """A field of :class:`ChangeStaff` left as it is (``None`` may mean "clear it")."""

    KEEP = "keep"


KEEP = Keep.KEEP

DEMO_PIN = "123456"

#: ``staff.cards``: a task card per document, or one digest message (services/task_digest).
CARDS_EACH, CARDS_DIGEST = "each", "digest"

#: One staff member per role of the SOP: (role, name, NIP, supervisor's NIP); supervisors
#: follow the office hierarchy.
DEMO_ROSTER: tuple[tuple[str, str, str, str | None], ...] = (
    ("kepala_dinas", "Ahmad Fauzi, S.STP., M.Si.", "197903031998101001", None),
    ("kepala_bidang", "Nurhayati, S.E.", "198105122005012002", "197903031998101001"),
    (
        "kasi_identitas_penduduk",
        "Hendra Gunawan, S.Kom.",
        "198307142008011003",
        "198105122005012002",
    ),
    ("kasi_inovasi", "Maya Sari, S.Kom.", "198809202011012004", "198105122005012002"),
    ("petugas_call_center", "Rina Marlina", "199001012015032005", "198307142008011003"),
    ("operator_penerima_wa", "Andi Saputra", "199102022015031006", "198307142008011003"),
    ("operator_pengangkat_data", "Dewi Lestari", "199203032016032007", "198307142008011003"),
    ("operator_cetak_berkas", "Budi Santoso", "199304042017031008", "198307142008011003"),
    ("petugas_loket_pendaftaran", "Siti Rahmawati", "199405052018032009", "198307142008011003"),
    ("operator", "Yusuf Hidayat", "199506062019031010", "198307142008011003"),
    ("petugas_pemilah_berkas", "Rudi Hartono", "199607072019031011", "198809202011012004"),
    ("operator_pengirim_pdf", "Fitri Handayani", "199708082020122012", "198809202011012004"),
)


#: Pangkat/golongan and jabatan of the demo roster, by NIP (what the letters print).
DEMO_RANKS: dict[str, tuple[str, str]] = {
    "197903031998101001": (
        "Pembina Utama Muda (IV/c)",
        "Kepala Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tanggamus",
    ),
    "198105122005012002": ("Pembina (IV/a)", "Kepala Bidang Pelayanan Pendaftaran Penduduk"),
    "198307142008011003": ("Penata Tingkat I (III/d)", "Kepala Seksi Identitas Penduduk"),
    "198809202011012004": ("Penata (III/c)", "Kepala Seksi Inovasi Pelayanan"),
    "199001012015032005": ("Penata Muda Tingkat I (III/b)", "Pengelola Layanan Call Center"),
    "199102022015031006": ("Penata Muda Tingkat I (III/b)", "Operator Layanan Operasional"),
    "199203032016032007": ("Penata Muda (III/a)", "Pengolah Data dan Informasi"),
    "199304042017031008": ("Pengatur Tingkat I (II/d)", "Operator Layanan Operasional"),
    "199405052018032009": ("Pengatur (II/c)", "Pengadministrasi Perkantoran"),
    "199506062019031010": ("Penata Muda (III/a)", "Pranata Komputer Ahli Pertama"),
    "199607072019031011": ("Pengatur Muda Tingkat I (II/b)", "Pengadministrasi Perkantoran"),
    "199708082020122012": ("Penata Muda (III/a)", "Pengolah Data dan Informasi"),
}


@dataclass(frozen=True)
class StaffRef:
    """A staff member as the surfaces name them."""

    id: int
    nip: str
    name: str
    active: bool


@dataclass(frozen=True)
class AddStaff(Command[StaffRef]):
    name: str
    nip: str
    roles: tuple[str, ...]
    telegram_id: int | None = None
    whatsapp: str | None = None
    supervisor_nip: str | None = None
    channel: str | None = None
    pin: str | None = None
    language: str | None = None
    by: str = "admin"
    #: Pangkat/golongan, e.g. "Pembina Utama Muda (IV/c)"; None for staff without one.
    pangkat: str | None = None
    #: Jabatan as letters print it; None: derived from the role where a letter needs it.
    jabatan: str | None = None


@dataclass(frozen=True)
class ChangeStaff(Command[StaffRef]):
    """Change contact fields, channel, supervisor, language, PIN, roles, the active
    flag, pangkat/golongan or jabatan of a staff member; fields left at :data:`KEEP`
    stay as they are (an empty pangkat or jabatan clears it)."""

    nip: str
    by: str = "admin"
    telegram_id: int | Keep | None = KEEP
    whatsapp: str | Keep | None = KEEP
    channel: str | Keep = KEEP
    supervisor_nip: str | Keep = KEEP
    language: str | Keep | None = KEEP
    pin: str | Keep = KEEP
    active: bool | Keep = KEEP
    roles: tuple[str, ...] | Keep = KEEP
    #: :data:`CARDS_EACH` or :data:`CARDS_DIGEST`.
    cards: str | Keep = KEEP
    pangkat: str | Keep | None = KEEP
    jabatan: str | Keep | None = KEEP
    name: str | Keep = KEEP


@dataclass(frozen=True)
class LeaveResult:
    staff: str
    delegate: str | None
    reassigned: int


@dataclass(frozen=True)
class SetLeave(Command[LeaveResult]):
    """Send a staff member on leave: their claimed tasks go to the delegate."""

    nip: str
    delegate_nip: str | None = None
    by: str = "admin"


@dataclass(frozen=True)
class EndLeave(Command[None]):
    nip: str
    by: str = "admin"


@dataclass(frozen=True)
class StaffRow:
    id: int
    nip: str
    name: str
    roles: tuple[str, ...]
    channel: str
    address: str
    telegram_id: int | None
    whatsapp: str | None
    supervisor: str | None
    active: bool
    on_leave: bool
    delegate: str | None
    has_pin: bool
    pangkat: str | None = None
    jabatan: str | None = None


@dataclass(frozen=True)
class ListStaff(Query[list[StaffRow]]):
    """The whole roster, by id."""


@dataclass(frozen=True)
class SeedDemo(Command[int]):
    """Create the demo roster (NIPs that exist are skipped); the Kepala Dinas gets
    :data:`DEMO_PIN`. The result: how many were created."""

    by: str = "seed-demo"


@dataclass(frozen=True)
class ImportReport:
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    #: (line number, message); line 0: the supervisors' pass after the rows.
    errors: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class ImportStaffRow(Command[bool]):
    """One spreadsheet row (our column names): a new NIP is added, a known one updated
    with what the row says. The result: True when the staff member was added."""

    row: Mapping[str, str]
    by: str = "import"


@dataclass(frozen=True)
class ImportRoster(Process[ImportReport]):
    """`staff import`: the spreadsheet (.xlsx or .csv) at ``path``, every row in its own
    transaction (a bad row is reported by line and skipped), then the supervisors (the
    file may list a person before their supervisor). ``progress(done, total)`` is called
    after each row."""

    path: Path
    by: str = "import"
    progress: Callable[[int, int], None] | None = None


@dataclass(frozen=True)
class RoleHolders(Query[list[StaffRef]]):
    """The staff members holding ``role`` (the command line acts as the only one when
    `--as` is not given)."""

    role: str


@dataclass(frozen=True)
class FindStaff(Query[StaffRef | None]):
    """A staff member by NIP, or None."""

    nip: str


@dataclass(frozen=True)
class RosterSummary:
    staff: int
    #: Every staff member is one of :data:`DEMO_ROSTER` (and there is at least one).
    demo_only: bool


@dataclass(frozen=True)
class SummarizeRoster(Query[RosterSummary]):
    """How many staff there are and whether they are the demo roster (the running bot
    seeds an empty database and runs a demo roster in demo mode)."""

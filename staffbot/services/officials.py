"""Who signs the office's documents, as the documents name them: name, jabatan,
pangkat/golongan and NIP from the roster, and which certificate signs (BSrE or the
office's own CA)."""

from __future__ import annotations

from staffbot.documents.model import Official, SignerBackend
from staffbot.services.context import Office
from storage.tables import Staff
from storage.uow import UnitOfWork

#: Printed where the roster has nobody for a role (the name is written in by hand).
BLANK_NAME = ".............................."


def kadis_position(office: Office) -> str:
    """The Kepala Dinas's jabatan with the regency: "Kepala Dinas Kependudukan dan
    Pencatatan Sipil Kabupaten Tanggamus"."""
    return f"Kepala {office.reference.office_name}"


def official(staff: Staff, position: str) -> Official:
    """``staff`` in a signature block; the roster's jabatan wins over ``position``."""
    return Official(
        name=staff.name, position=staff.jabatan or position, nip=staff.nip, rank=staff.pangkat
    )


async def kepala_dinas(uow: UnitOfWork, office: Office) -> Official:
    """The Kepala Dinas (the one not on leave first); a blank block without one."""
    everyone = list(await uow.staff.holders("kepala_dinas"))
    present = [s for s in everyone if not s.on_leave] or everyone
    if not present:
        return Official(name=BLANK_NAME, position=kadis_position(office))
    return official(present[0], kadis_position(office))


def upt_head(upt: str) -> Official:
    """The head of a UPT (PIHAK KEDUA of a Berita Acara), who signs on paper: the name
    is written in by hand, and no NIP line (the UPT may be led by a non-ASN)."""
    return Official(name=BLANK_NAME, position=f"Kepala {upt}")


def signer_backend(office: Office) -> SignerBackend:
    """ "bsre" when BSrE signs the office's documents, else "local" (the office's CA)."""
    return "bsre" if getattr(office.signer, "backend", "local") == "bsre" else "local"

"""Rows the storage tests start from."""

from __future__ import annotations

from storage.db import Database
from storage.tables import Case
from tests.conftest import START


async def stored_case(db: Database, number: str = "PO-2026-00001") -> Case:
    """A case at step 3, written straight through the repository (no service)."""
    async with db.uow() as uow:
        case = await uow.cases.add(
            Case(
                number=number,
                flow_key="f",
                applicant_name="Siti",
                nik="1806054501900001",
                wa_number="+6281234567890",
                kecamatan="Gisting",
                layanan="KTP-el",
                step="terima_wa",
                created_at=START,
                updated_at=START,
            )
        )
        await uow.commit()
        return case

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import CASE_OPEN, BeritaAcara, BeritaAcaraItem, Case, RegistrationEntry, Task

#: Ids bound in one statement at most.
_CHUNK = 500


def written(row: object, **values: Any) -> None:
    """Reflect values an UPDATE statement wrote onto the loaded object, without dirtying it."""
    for key, value in values.items():
        set_committed_value(row, key, value)


class CaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, case: Case) -> Case:
        self.session.add(case)
        await self.session.flush()
        return case

    async def get(self, case_id: int) -> Case | None:
        return await self.session.get(Case, case_id)

    async def by_number(self, number: str) -> Case | None:
        return (await self.session.exec(select(Case).where(Case.number == number))).first()

    async def by_status_code(self, code: str) -> Case | None:
        """The case of an applicant's status page (/s/<code>)."""
        return (await self.session.exec(select(Case).where(Case.status_code == code))).first()

    async def many(self, case_ids: Sequence[int]) -> Sequence[Case]:
        """By id, in id order; a long list is read in parts (the databases cap how many
        values one statement may bind)."""
        wanted = sorted(set(case_ids))
        found: list[Case] = []
        for start in range(0, len(wanted), _CHUNK):
            part = wanted[start : start + _CHUNK]
            statement = select(Case).where(col(Case.id).in_(part)).order_by(col(Case.id))
            found += (await self.session.exec(statement)).all()
        return found

    async def compare_and_set(self, case: Case, **values: Any) -> bool:
        """Write ``values`` only if the row is still at ``case.version``; bump the version.

        On success the object carries the written values (without being marked dirty,
        so no second UPDATE follows); on failure it is left as read.
        """
        result = await self.session.exec(
            update(Case)
            .where(col(Case.id) == case.id, col(Case.version) == case.version)
            .values(version=case.version + 1, **values)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            return False
        written(case, version=case.version + 1, **values)
        return True

    async def set_fields(self, case: Case, **values: Any) -> None:
        """A plain UPDATE for a case this transaction already holds (after compare_and_set)."""
        await self.session.exec(
            update(Case)
            .where(col(Case.id) == case.id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        written(case, **values)

    async def search(
        self,
        *,
        number: str | None = None,
        nik: str | None = None,
        phone: str | None = None,
        limit: int = 20,
    ) -> Sequence[Case]:
        clauses = []
        if number:
            clauses.append(col(Case.number) == number)
        if nik:
            clauses.append(col(Case.nik) == nik)
        if phone:
            clauses.append(col(Case.wa_number) == phone)
        if not clauses:
            return []
        statement = select(Case).where(or_(*clauses)).order_by(col(Case.id).desc()).limit(limit)
        return (await self.session.exec(statement)).all()

    async def listing(
        self,
        *,
        status: str | None = None,
        step: str | None = None,
        overdue_at: datetime | None = None,
        limit: int = 200,
    ) -> Sequence[Case]:
        statement = select(Case)
        if status:
            statement = statement.where(Case.status == status)
        if step:
            statement = statement.where(Case.step == step)
        if overdue_at is not None:
            late = select(Task.case_id).where(
                col(Task.is_open), col(Task.due_at) < overdue_at, col(Task.paused_at).is_(None)
            )
            batch_late = (
                select(BeritaAcaraItem.case_id)
                .join(Task, col(Task.ba_id) == col(BeritaAcaraItem.ba_id))
                .where(col(Task.is_open), col(Task.due_at) < overdue_at)
            )
            statement = statement.where(
                Case.status == CASE_OPEN,
                or_(col(Case.id).in_(late), col(Case.id).in_(batch_late)),
            )
        statement = statement.order_by(col(Case.id).desc()).limit(limit)
        return (await self.session.exec(statement)).all()

    async def open_for_phone(self, phone: str) -> Sequence[Case]:
        statement = (
            select(Case)
            .where(Case.wa_number == phone, Case.status == CASE_OPEN)
            .order_by(col(Case.id).desc())
        )
        return (await self.session.exec(statement)).all()

    # -- registration book (SOP step 6) --------------------------------------

    async def registration_of(self, case_id: int) -> RegistrationEntry | None:
        statement = select(RegistrationEntry).where(RegistrationEntry.case_id == case_id)
        return (await self.session.exec(statement)).first()

    async def add_registration(self, entry: RegistrationEntry) -> RegistrationEntry:
        self.session.add(entry)
        await self.session.flush()
        return entry

    # -- Berita Acara batches -------------------------------------------------

    async def add_ba(self, ba: BeritaAcara, case_ids: Sequence[int]) -> BeritaAcara:
        self.session.add(ba)
        await self.session.flush()
        assert ba.id is not None
        self.session.add_all(BeritaAcaraItem(ba_id=ba.id, case_id=c) for c in case_ids)
        await self.session.flush()
        return ba

    async def get_ba(self, ba_id: int) -> BeritaAcara | None:
        return await self.session.get(BeritaAcara, ba_id)

    async def ba_by_number(self, number: str) -> BeritaAcara | None:
        statement = select(BeritaAcara).where(BeritaAcara.number == number)
        return (await self.session.exec(statement)).first()

    async def ba_cases(self, ba_id: int) -> Sequence[Case]:
        statement = (
            select(Case)
            .join(BeritaAcaraItem, col(BeritaAcaraItem.case_id) == col(Case.id))
            .where(BeritaAcaraItem.ba_id == ba_id)
            .order_by(col(Case.id))
        )
        return (await self.session.exec(statement)).all()

    async def ba_compare_and_set(self, ba: BeritaAcara, **values: Any) -> bool:
        result = await self.session.exec(
            update(BeritaAcara)
            .where(col(BeritaAcara.id) == ba.id, col(BeritaAcara.version) == ba.version)
            .values(version=ba.version + 1, **values)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            return False
        written(ba, version=ba.version + 1, **values)
        return True

    async def bas(self, *, status: str | None = None, limit: int = 100) -> Sequence[BeritaAcara]:
        statement = select(BeritaAcara)
        if status:
            statement = statement.where(BeritaAcara.status == status)
        statement = statement.order_by(col(BeritaAcara.id).desc()).limit(limit)
        return (await self.session.exec(statement)).all()

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import and_, delete, or_
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import Staff, StaffRole


class StaffRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, staff: Staff, roles: Iterable[str]) -> Staff:
        self.session.add(staff)
        await self.session.flush()
        assert staff.id is not None
        await self.set_roles(staff.id, roles)
        return staff

    async def set_roles(self, staff_id: int, roles: Iterable[str]) -> None:
        await self.session.exec(delete(StaffRole).where(col(StaffRole.staff_id) == staff_id))
        self.session.add_all(StaffRole(staff_id=staff_id, role=r) for r in sorted(set(roles)))
        await self.session.flush()

    async def get(self, staff_id: int) -> Staff | None:
        return await self.session.get(Staff, staff_id)

    async def by_nip(self, nip: str) -> Staff | None:
        return (await self.session.exec(select(Staff).where(Staff.nip == nip))).first()

    async def by_telegram(self, telegram_id: int) -> Staff | None:
        result = await self.session.exec(select(Staff).where(Staff.telegram_id == telegram_id))
        return result.first()

    async def by_whatsapp(self, phone: str) -> Staff | None:
        return (await self.session.exec(select(Staff).where(Staff.whatsapp == phone))).first()

    async def all(self) -> Sequence[Staff]:
        return (await self.session.exec(select(Staff).order_by(col(Staff.id)))).all()

    async def count(self) -> int:
        return (await self.session.exec(select(func.count()).select_from(Staff))).one()

    async def roles_of(self, staff_id: int) -> frozenset[str]:
        return (await self.roles_for([staff_id])).get(staff_id, frozenset())

    async def roles_for(self, staff_ids: Iterable[int]) -> dict[int, frozenset[str]]:
        ids = sorted(set(staff_ids))
        if not ids:
            return {}
        rows = await self.session.exec(
            select(StaffRole.staff_id, StaffRole.role).where(col(StaffRole.staff_id).in_(ids))
        )
        found: dict[int, set[str]] = defaultdict(set)
        for staff_id, role in rows.all():
            found[staff_id].add(role)
        return {k: frozenset(v) for k, v in found.items()}

    async def holders(self, role: str) -> Sequence[Staff]:
        """Active staff holding ``role`` (on leave or not), ordered by id."""
        statement = (
            select(Staff)
            .join(StaffRole, col(StaffRole.staff_id) == col(Staff.id))
            .where(StaffRole.role == role, col(Staff.active))
            .order_by(col(Staff.id))
        )
        return (await self.session.exec(statement)).all()

    async def acting_roles(
        self, staff_id: int
    ) -> tuple[frozenset[str], list[tuple[str, frozenset[str]]]]:
        """One query for what a staff member may act as: their own roles, and the
        (NIP, roles) of each active colleague on leave who named them delegate."""
        statement = (
            select(Staff.id, Staff.nip, StaffRole.role)
            .outerjoin(StaffRole, col(StaffRole.staff_id) == col(Staff.id))
            .where(
                or_(
                    col(Staff.id) == staff_id,
                    and_(
                        col(Staff.delegate_id) == staff_id,
                        col(Staff.on_leave),
                        col(Staff.active),
                    ),
                )
            )
            .order_by(col(Staff.id))
        )
        own: set[str] = set()
        absent: dict[int, tuple[str, set[str]]] = {}
        for member_id, nip, role in (await self.session.exec(statement)).all():
            if member_id == staff_id:
                if role is not None:
                    own.add(role)
                continue
            entry = absent.setdefault(int(member_id or 0), (nip, set()))
            if role is not None:
                entry[1].add(role)
        return frozenset(own), [(nip, frozenset(roles)) for nip, roles in absent.values()]

    async def absent_delegating_to(self, delegate_id: int) -> Sequence[Staff]:
        statement = select(Staff).where(
            Staff.delegate_id == delegate_id, col(Staff.on_leave), col(Staff.active)
        )
        return (await self.session.exec(statement)).all()

"""What the chat channels keep: WhatsApp's 24-hour windows, invite codes, delivery statuses.

Used as ``ChannelRepository(uow.session)`` inside a unit of work (it is not one of the
unit of work's own attributes, so the core stays unaware of platform details).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.repos.misc import dialect_of
from storage.tables import ChatWindow, InviteCode, Outbox

#: Later statuses never give way to earlier ones (webhooks arrive out of order);
#: "failed" can follow "sent" and wins over it, "read" is the end of a good delivery.
STATUS_RANK = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}


class ChannelRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- WhatsApp 24-hour customer-service window ----------------------------------------

    async def window(self, phone: str) -> ChatWindow | None:
        return await self.session.get(ChatWindow, phone)

    async def touch_inbound(self, phone: str, at: datetime) -> None:
        """The person wrote to us at ``at``: their window is open for 24 hours from then."""
        insert = postgresql.insert if dialect_of(self.session) == "postgresql" else sqlite.insert
        statement = (
            insert(ChatWindow)
            .values(phone=phone, last_inbound_at=at)
            .on_conflict_do_update(
                index_elements=[col(ChatWindow.phone)], set_={"last_inbound_at": at}
            )
        )
        await self.session.exec(statement)

    async def mark_invited(self, phone: str, at: datetime) -> None:
        insert = postgresql.insert if dialect_of(self.session) == "postgresql" else sqlite.insert
        statement = (
            insert(ChatWindow)
            .values(phone=phone, invited_at=at)
            .on_conflict_do_update(index_elements=[col(ChatWindow.phone)], set_={"invited_at": at})
        )
        await self.session.exec(statement)

    async def mark_closed(self, phone: str) -> None:
        """The platform said the window is closed (its clock wins over ours)."""
        await self.session.exec(
            update(ChatWindow)
            .where(col(ChatWindow.phone) == phone)
            .values(last_inbound_at=None)
            .execution_options(synchronize_session=False)
        )

    # -- invite codes ------------------------------------------------------------------

    async def add_invite(self, invite: InviteCode) -> InviteCode:
        self.session.add(invite)
        await self.session.flush()
        return invite

    async def invite(self, code_hash: str) -> InviteCode | None:
        return await self.session.get(InviteCode, code_hash)

    async def claim_invite(self, code_hash: str, *, by: str, at: datetime) -> bool:
        """Use a code once (compare-and-set): unused and not expired, else False."""
        result = await self.session.exec(
            update(InviteCode)
            .where(
                col(InviteCode.code_hash) == code_hash,
                col(InviteCode.used_at).is_(None),
                col(InviteCode.expires_at) > at,
            )
            .values(used_at=at, used_by=by)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def invites(self, *, unused_only: bool = False) -> Sequence[InviteCode]:
        statement = select(InviteCode)
        if unused_only:
            statement = statement.where(col(InviteCode.used_at).is_(None))
        return (await self.session.exec(statement.order_by(col(InviteCode.created_at)))).all()

    # -- delivery status (WhatsApp status webhooks) ------------------------------------

    async def by_platform_id(self, channel: str, platform_message_id: str) -> Sequence[Outbox]:
        statement = (
            select(Outbox)
            .where(Outbox.channel == channel, Outbox.platform_message_id == platform_message_id)
            .order_by(col(Outbox.id))
            # read again after set_delivery_status (an UPDATE the session does not track)
            .execution_options(populate_existing=True)
        )
        return (await self.session.exec(statement)).all()

    async def set_delivery_status(
        self,
        channel: str,
        platform_message_id: str,
        status: str,
        at: datetime,
        *,
        error: str | None = None,
    ) -> int:
        """Record what the platform reported (and, for a failure, why: ``last_error``);
        returns how many rows changed.

        One conditional UPDATE, so two webhooks racing cannot put an earlier status
        over a later one.
        """
        rank = STATUS_RANK.get(status)
        if rank is None:
            return 0
        earlier = [name for name, r in STATUS_RANK.items() if r < rank]
        result = await self.session.exec(
            update(Outbox)
            .where(
                col(Outbox.channel) == channel,
                col(Outbox.platform_message_id) == platform_message_id,
                or_(
                    col(Outbox.delivery_status).is_(None), col(Outbox.delivery_status).in_(earlier)
                ),
            )
            .values(
                delivery_status=status,
                delivery_status_at=at,
                **({"last_error": error[:500]} if error else {}),
            )
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

"""What the office remembers for the WhatsApp channel: the 24-hour windows and the
delivery statuses Meta reports, as use cases on the bus.

The adapter (staffbot.channels.whatsapp) holds no database state: it is given
:class:`WhatsAppStateOnBus`, which turns each question of its port
(staffbot.channels.whatsapp_port.WhatsAppState) into a command handled here, one
transaction each.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from staffbot.app.bus import Command, Handler, MessageBus
from staffbot.app.commands.channels import (
    NoteInbound,
    NoteInvited,
    NoteWindowClosed,
    ReadRecipient,
    RecordDeliveryStatus,
)
from staffbot.app.commands.deliveries import FAILED, TROUBLE_FAILED
from staffbot.channels.base import ChannelName
from staffbot.channels.whatsapp_port import (
    DeliveryStatus,
    Recipient,
    Templates,
    as_template,
)
from staffbot.messages import OutgoingMessage
from staffbot.services import notify
from staffbot.services.context import Office
from staffbot.services.delivery_alerts import alert_trouble
from storage.repos.channels import ChannelRepository
from storage.tables import ChatWindow, Outbox
from storage.uow import UnitOfWork

WHATSAPP = ChannelName.WHATSAPP
#: The processed-update source that makes a window failure re-engage only once.
STATUS_SOURCE = f"{WHATSAPP}-status"


def _view(phone: str, window: ChatWindow | None, *, is_staff: bool) -> Recipient:
    if window is None:
        return Recipient(phone, is_staff)
    return Recipient(phone, is_staff, window.last_inbound_at, window.invited_at)


async def read_recipient(cmd: ReadRecipient, uow: UnitOfWork, office: Office) -> Recipient:
    window = await ChannelRepository(uow.session).window(cmd.phone)
    staff = await uow.staff.by_whatsapp(cmd.phone)
    return _view(cmd.phone, window, is_staff=staff is not None and staff.active)


async def note_inbound(cmd: NoteInbound, uow: UnitOfWork, office: Office) -> None:
    await ChannelRepository(uow.session).touch_inbound(cmd.phone, cmd.at)


async def note_window_closed(cmd: NoteWindowClosed, uow: UnitOfWork, office: Office) -> None:
    await ChannelRepository(uow.session).mark_closed(cmd.phone)


async def note_invited(cmd: NoteInvited, uow: UnitOfWork, office: Office) -> None:
    await ChannelRepository(uow.session).mark_invited(cmd.phone, cmd.at)


async def record_delivery_status(
    cmd: RecordDeliveryStatus, uow: UnitOfWork, office: Office
) -> bool:
    status = cmd.status
    now = office.now()
    repo = ChannelRepository(uow.session)
    rows = await repo.by_platform_id(WHATSAPP, status.message_id)
    if not rows:
        return False
    changed = await repo.set_delivery_status(
        WHATSAPP, status.message_id, status.status, now, error=status.error or None
    )
    if status.window_closed and await uow.processed.first_time(
        STATUS_SOURCE, status.message_id, now
    ):
        await repo.mark_closed(status.recipient)
        for row in rows:
            await _reengage(uow, office, repo, row, cmd.templates)
    if changed and status.status == FAILED:
        # The applicant's document did not arrive: its sender and the Kasi Inovasi hear
        # of it now (one said again as a template just above is not alerted).
        rows = await repo.by_platform_id(WHATSAPP, status.message_id)
        await alert_trouble(uow, office, rows, trouble=TROUBLE_FAILED)
    return True


async def _reengage(
    uow: UnitOfWork, office: Office, repo: ChannelRepository, row: Outbox, templates: Templates
) -> None:
    """Accepted, then failed for the 24-hour window: say it again as a template."""
    if row.kind == "edit" or row.id is None:
        return
    staff = await uow.staff.by_whatsapp(row.chat_id)
    if staff is not None:
        window = _view(row.chat_id, await repo.window(row.chat_id), is_staff=True)
        if window.invited_since_reply():
            return
        await repo.mark_invited(row.chat_id, office.now())
    message = as_template(
        OutgoingMessage.from_payload(row.payload), templates, staff=staff is not None
    )
    await notify.queue(
        uow,
        office,
        address=notify.Address(WHATSAPP, row.chat_id),
        kind=row.kind,
        message=message,
        key=f"reengage:{row.id}",
        case_id=row.case_id,
        task_id=row.task_id,
        ba_id=row.ba_id,
    )


HANDLERS: dict[type[Command[Any]], Handler] = {
    NoteInbound: note_inbound,
    NoteInvited: note_invited,
    NoteWindowClosed: note_window_closed,
    ReadRecipient: read_recipient,
    RecordDeliveryStatus: record_delivery_status,
}


class WhatsAppStateOnBus:
    """The WhatsApp adapter's state port, each call one command on the bus (which
    opens, retries and commits the transaction)."""

    def __init__(self, bus: MessageBus) -> None:
        self.bus = bus

    async def recipient(self, phone: str) -> Recipient:
        return await self.bus.handle(ReadRecipient(phone))

    async def note_inbound(self, phone: str, at: datetime) -> None:
        await self.bus.handle(NoteInbound(phone, at))

    async def note_window_closed(self, phone: str) -> None:
        await self.bus.handle(NoteWindowClosed(phone))

    async def note_invited(self, phone: str, at: datetime) -> None:
        await self.bus.handle(NoteInvited(phone, at))

    async def record_status(self, status: DeliveryStatus, templates: Templates) -> bool:
        return await self.bus.handle(RecordDeliveryStatus(status, templates))

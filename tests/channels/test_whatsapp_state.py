"""The WhatsApp adapter's state port on the bus (staffbot.services.whatsapp_state), on
both databases, and the rule that made it: the channel modules hold no database state."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

from staffbot.app.commands.staff import ChangeStaff
from staffbot.bootstrap import build_bus
from staffbot.channels.base import ChannelName
from staffbot.channels.whatsapp_port import (
    WINDOW,
    DeliveryStatus,
    Recipient,
    Templates,
    WhatsAppState,
)
from staffbot.clock import FixedClock
from staffbot.messages import OutgoingMessage
from staffbot.services import notify
from staffbot.services.whatsapp_state import WhatsAppStateOnBus
from tests.support import ROSTER, Desk

STAFF = "+6281299990001"
APPLICANT = "+6281234567890"
CHANNELS = Path(__file__).resolve().parents[2] / "staffbot" / "channels"


def state_of(desk: Desk) -> WhatsAppState:
    return WhatsAppStateOnBus(build_bus(desk.db, desk.office))


async def sent_row(desk: Desk, phone: str, message_id: str, *, kind: str = "applicant") -> int:
    """An outbox row to ``phone`` the platform accepted as ``message_id``."""
    async with desk.uow() as uow:
        row = await notify.queue(
            uow,
            desk.office,
            address=notify.Address(ChannelName.WHATSAPP, phone),
            kind=kind,
            message=OutgoingMessage("📄 <b>Kasus PO-2026-00001</b>\nLangkah 3"),
            key=f"test:{message_id}",
        )
        await uow.outbox.mark_sent(
            row.id or 0, at=desk.office.now(), platform_message_id=message_id
        )
        await uow.commit()
    assert row.id is not None
    return row.id


async def test_the_window_as_the_adapter_sees_it(desk: Desk, clock: FixedClock) -> None:
    await desk.bus.handle(ChangeStaff(ROSTER["operator_penerima_wa"], whatsapp=STAFF))
    state = state_of(desk)
    now = clock.now()
    assert await state.recipient(APPLICANT) == Recipient(APPLICANT, is_staff=False)
    assert (await state.recipient(STAFF)).is_staff

    await state.note_inbound(APPLICANT, now)
    seen = await state.recipient(APPLICANT)
    assert seen.last_inbound_at == now and seen.window_open(now)
    # five minutes of margin: a message at the very edge would be refused by Meta
    assert not seen.window_open(now + WINDOW - timedelta(minutes=4))

    await state.note_invited(STAFF, now)
    invited = await state.recipient(STAFF)
    assert invited.invited_since_reply() and not invited.invitation_due(now + timedelta(hours=1))
    assert invited.invitation_due(now + WINDOW)  # at most one a day

    await state.note_window_closed(APPLICANT)
    assert not (await state.recipient(APPLICANT)).window_open(now)


async def test_a_status_is_recorded_once_and_a_window_failure_reengages_once(
    desk: Desk,
) -> None:
    state = state_of(desk)
    templates = Templates()
    assert not await state.record_status(
        DeliveryStatus("wamid.unknown", "sent", APPLICANT), templates
    )

    row_id = await sent_row(desk, APPLICANT, "wamid.1")
    await state.note_inbound(APPLICANT, desk.office.now())
    assert await state.record_status(DeliveryStatus("wamid.1", "delivered", APPLICANT), templates)
    failed = DeliveryStatus("wamid.1", "failed", APPLICANT, window_closed=True)
    assert await state.record_status(failed, templates)
    assert await state.record_status(failed, templates)  # Meta redelivers the webhook

    async with desk.db.uow(readonly=True) as uow:
        row = await uow.outbox.get(row_id)
        pending = [r for r in await uow.outbox.listing(status="pending") if r.chat_id == APPLICANT]
    assert row is not None and row.delivery_status == "failed"
    [again] = pending  # said again once, as the applicant template
    assert again.idempotency_key == f"reengage:{row_id}"
    assert OutgoingMessage.from_payload(again.payload).template == templates.applicant
    assert not (await state.recipient(APPLICANT)).window_open(desk.office.now())


async def test_a_staff_member_gets_one_invitation_not_one_per_failed_card(desk: Desk) -> None:
    await desk.bus.handle(ChangeStaff(ROSTER["operator_penerima_wa"], whatsapp=STAFF))
    state = state_of(desk)
    templates = Templates()
    await state.note_inbound(STAFF, desk.office.now())
    first = await sent_row(desk, STAFF, "wamid.card1", kind="card")
    await sent_row(desk, STAFF, "wamid.card2", kind="card")
    for message_id in ("wamid.card1", "wamid.card2"):
        failed = DeliveryStatus(message_id, "failed", STAFF, window_closed=True)
        assert await state.record_status(failed, templates)
    async with desk.db.uow(readonly=True) as uow:
        pending = [r for r in await uow.outbox.listing(status="pending") if r.chat_id == STAFF]
    [invitation] = pending
    message = OutgoingMessage.from_payload(invitation.payload)
    assert invitation.idempotency_key == f"reengage:{first}"
    assert (message.template, message.template_params) == (
        templates.card,
        ("📄 <b>Kasus PO-2026-00001</b>",),
    )
    assert (await state.recipient(STAFF)).invited_since_reply()


def test_channels_hold_no_database_state() -> None:
    """Outbound channels reach the office only through their ports: no channel module
    imports storage, a service or the application layer."""
    offenders = {}
    for path in sorted(CHANNELS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            modules = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            bad = [
                m
                for m in modules
                if m.split(".")[0] == "storage"
                or m.startswith(("staffbot.services", "staffbot.app", "staffbot.chat"))
            ]
            if bad:
                offenders[path.name] = bad
    assert offenders == {}

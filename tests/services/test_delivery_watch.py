"""The scheduler's watch over the applicant's documents: the proof of registration the
dispatcher gave up on, and the signed PDF that WhatsApp took but never reported
delivered within the limit (office hours), each alert whoever sent it and the Kasi
Inovasi, once; sending them again is for those people only. Runs on SQLite and on
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from staffbot.app.commands.cases import Who
from staffbot.app.commands.deliveries import ResendToApplicant, WatchDeliveries
from staffbot.channels.base import Channel, Delivered, Delivery
from staffbot.channels.web import WebChannel
from staffbot.clock import FixedClock
from staffbot.dispatcher import OutboxDispatcher
from staffbot.errors import RecipientUnreachable, ValidationError
from staffbot.richtext import to_plain
from storage.tables import Outbox
from tests.conftest import START
from tests.support import ROSTER, Desk

LIMIT = 4.0  # office hours


class Applicant(Channel):
    """WhatsApp as the applicant's phone sees it: the proof of registration cannot be
    delivered, everything else is taken (and never reported delivered)."""

    name = "whatsapp"

    async def deliver(self, delivery: Delivery) -> Delivered:
        if ":terdaftar" in delivery.idempotency_key:
            raise RecipientUnreachable(channel="whatsapp", problem="131026 Message undeliverable")
        return Delivered(message_id=f"wamid.{delivery.idempotency_key}")


async def alerts(desk: Desk) -> list[tuple[str, str, str]]:
    """(trouble, role of the person alerted, text) of every delivery alert queued."""
    async with desk.db.uow(readonly=True) as uow:
        rows = [
            r
            for r in await uow.outbox.listing(limit=1000)
            if r.idempotency_key.startswith("delivery-alert:")
        ]
        staff = {s.id: s for s in await uow.staff.all()}
        roles = await uow.staff.roles_for([i for i in staff if i is not None])
    out = []
    for row in sorted(rows, key=lambda r: r.id or 0):
        _, _, trouble, staff_id = row.idempotency_key.split(":")
        [role] = roles[int(staff_id)]
        out.append((trouble, role, to_plain(str(row.payload["text"]))))
    return out


async def test_a_failed_proof_and_a_late_pdf_alert_their_senders_once(
    desk: Desk, clock: FixedClock
) -> None:
    number = (await desk.new_case()).number
    await desk.advance_to(number, "kirim_pdf")
    await desk.act(number, "send_pdf")
    dispatcher = OutboxDispatcher(
        desk.db, {"web": WebChannel(), "whatsapp": Applicant()}, clock=clock
    )
    await dispatcher.drain()
    watch = desk.bus.handle

    # now: the proof failed (step 6's clerk and the Kasi Inovasi hear of it); the PDF,
    # sent just now, is not late
    assert await watch(WatchDeliveries(now=START, late_hours=LIMIT)) == 2
    assert await watch(WatchDeliveries(now=START, late_hours=LIMIT)) == 0
    told = await alerts(desk)
    assert [(trouble, role) for trouble, role, _ in told] == [
        ("failed", "petugas_loket_pendaftaran"),
        ("failed", "kasi_inovasi"),
    ]
    assert "Bukti pendaftaran (PDF)" in told[0][2] and "131026" in told[0][2]
    assert number in told[0][2] and "+62 812-****-7890" in told[0][2]

    # four office hours after it was sent (Wednesday 09:00 -> 13:00), no delivery status
    almost = START + timedelta(hours=LIMIT) - timedelta(minutes=1)
    assert await watch(WatchDeliveries(now=almost, late_hours=LIMIT)) == 0
    late = START + timedelta(hours=LIMIT)
    assert await watch(WatchDeliveries(now=late, late_hours=LIMIT)) == 2
    assert await watch(WatchDeliveries(now=late + timedelta(hours=1), late_hours=LIMIT)) == 0
    told = await alerts(desk)
    assert [(trouble, role) for trouble, role, _ in told[2:]] == [
        ("late", "operator_pengirim_pdf"),
        ("late", "kasi_inovasi"),
    ]
    assert "belum sampai" in told[2][2] and "4 jam kerja" in told[2][2]
    # without a limit only failures are watched
    assert await watch(WatchDeliveries(now=late + timedelta(days=1))) == 0

    # sending again: not for anyone, then both documents once
    with pytest.raises(ValidationError):
        await watch(ResendToApplicant(Who(nip=ROSTER["kepala_bidang"]), number))
    kasi = Who(nip=ROSTER["kasi_inovasi"])
    result = await watch(ResendToApplicant(kasi, number))
    assert len(result.documents) == 2 and result.to == "+62 812-****-7890"
    assert (await watch(ResendToApplicant(kasi, number))).documents == ()
    async with desk.db.uow(readonly=True) as uow:
        again: list[Outbox] = [
            r
            for r in await uow.outbox.listing(limit=1000)
            if r.idempotency_key.startswith("resend:")
        ]
    assert len(again) == 2 and all(r.chat_id == "+6281234567890" for r in again)

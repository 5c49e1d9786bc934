"""When wrong PINs lock a staff member's signing, their supervisor hears of it at once.

Registered as an ``Office.pin_lock_hooks`` hook in main.build_office; it runs inside
the transaction that records the lock, so the alert exists iff the lock does.
"""

from __future__ import annotations

import logging

from staffbot.messages import OutgoingMessage
from staffbot.richtext import esc
from staffbot.services import notify
from staffbot.services.context import Office
from staffbot.texts import t
from storage.tables import Staff
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


async def alert_supervisor(uow: UnitOfWork, office: Office, staff: Staff) -> None:
    """Queue the alert to the supervisor (Staff.supervisor_id).

    The head of the office has no supervisor: then the people who report to them
    directly are told instead, so that someone who can pick up a phone and call
    always hears of it.
    """
    assert staff.id is not None and staff.pin_locked_until is not None
    recipients = await _recipients(uow, staff)
    if not recipients:
        log.warning("signing of staff %s locked; nobody to alert", staff.id)
        return
    until = staff.pin_locked_until.astimezone(office.tz).strftime("%H:%M")
    stamp = staff.pin_locked_until.strftime("%Y%m%d%H%M%S")
    for person in recipients:
        assert person.id is not None
        lang = notify.staff_language(office, person)
        text = t(
            "security.pin_locked_alert",
            lang,
            name=esc(staff.name),
            count=office.pin_max_failures,
            until=until,
        )
        await notify.queue(
            uow,
            office,
            address=notify.address_of(person),
            kind="text",
            message=OutgoingMessage(text=text),
            key=f"pinlock:{staff.id}:{stamp}:{person.id}",
            staff=person,
        )


async def _recipients(uow: UnitOfWork, staff: Staff) -> list[Staff]:
    if staff.supervisor_id is not None:
        supervisor = await uow.staff.get(staff.supervisor_id)
        if supervisor is not None and supervisor.active:
            return [supervisor]
    reports = [
        s
        for s in await uow.staff.all()
        if s.supervisor_id == staff.id and s.active and s.id != staff.id
    ]
    return reports


__all__ = ["alert_supervisor"]

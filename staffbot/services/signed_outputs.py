"""Signed outputs that reach people, as effects of the signing steps.

The signed Berita Acara (SOP step 15) goes to the Kasi Inovasi who made it and, where
the office named one (``STAFFBOT_UPT_CONTACTS``), to the UPT of its kecamatan: a bound
staff account (by NIP, on that person's channel) or a WhatsApp number. Each is an
outbox row written in the signing's transaction, so it goes out if and only if the
signature was committed, and the dispatcher delivers it like every other message.

The signer's own card is edited to carry the signed PDF by the transition itself
(:func:`staffbot.services.transitions.edit_old_cards`), for letters and BAs alike.
"""

from __future__ import annotations

import logging

from staffbot.errors import ConfigurationError, ValidationError
from staffbot.messages import Attachment, OutgoingMessage
from staffbot.richtext import esc
from staffbot.services import notify
from staffbot.services.context import EffectHandler, Office
from staffbot.services.effects import CARD_DOCUMENT, EffectContext
from staffbot.texts import t
from staffbot.timefmt import short_time
from staffbot.validation import normalise_phone
from storage.tables import Document, Staff
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

#: The role that makes Berita Acara (SOP step 14): told when one is signed.
MAKER_ROLE = "kasi_inovasi"


async def deliver_signed_ba(uow: UnitOfWork, office: Office, ctx: EffectContext) -> None:
    """SOP step 15 done: the signed Berita Acara to its maker and to the UPT."""
    ba = ctx.ba
    if ba is None or ba.id is None:
        raise ConfigurationError(problem="deliver:berita_acara needs a Berita Acara")
    document = ctx.made.get(CARD_DOCUMENT) or await _latest(uow, ba.id)
    assert document.id is not None
    attachment = Attachment(document.id, document.filename)
    facts = {
        "number": ba.number,
        "kecamatan": ba.kecamatan,
        "count": len(ctx.cases),
        "signer": ctx.actor.name,
        "at": short_time(ctx.now, office.tz, ctx.now, office.language),
    }
    for person in await _makers(uow, ba.created_by):
        lang = notify.staff_language(office, person)
        await notify.queue(
            uow,
            office,
            address=notify.address_of(person),
            kind="document",
            message=OutgoingMessage(
                text=esc(t("ba.signed_to_maker", lang, **facts)), attachment=attachment
            ),
            key=f"ba_ttd:{ba.id}:{person.id}",
            staff=person,
            ba_id=ba.id,
            later=True,
        )
    upt = await upt_address(uow, office, ba.kecamatan)
    if upt is not None:
        address, contact = upt
        lang = notify.staff_language(office, contact) if contact is not None else office.language
        await notify.queue(
            uow,
            office,
            address=address,
            kind="document",
            message=OutgoingMessage(
                text=esc(t("ba.signed_to_upt", lang, **facts)), attachment=attachment
            ),
            key=f"ba_ttd:{ba.id}:upt",
            staff=contact,
            ba_id=ba.id,
            later=True,
        )


async def _latest(uow: UnitOfWork, ba_id: int) -> Document:
    found = await uow.documents.of_ba(ba_id, "berita_acara_ttd")
    if not found:
        raise ConfigurationError(problem="a signed Berita Acara is delivered after it is stored")
    return found[-1]


async def _makers(uow: UnitOfWork, created_by: int | None) -> list[Staff]:
    """The Kasi Inovasi who made the BA; if they left, whoever holds the role now."""
    maker = await uow.staff.get(created_by) if created_by is not None else None
    if maker is not None and maker.active:
        return [maker]
    return [s for s in await uow.staff.holders(MAKER_ROLE) if s.active]


async def upt_address(
    uow: UnitOfWork, office: Office, kecamatan: str
) -> tuple[notify.Address, Staff | None] | None:
    """Where the UPT of ``kecamatan`` is reached, if the office named it: a WhatsApp
    number (a staff member's own, when it is one: then on their chosen channel), or the
    NIP of the UPT's staff account."""
    contacts = office.reference.upt_contacts
    wanted = kecamatan.strip().casefold()
    value = next((v for k, v in contacts.items() if k.strip().casefold() == wanted), None)
    if not value:
        return None
    try:
        phone = normalise_phone(value)
    except ValidationError:
        staff = await uow.staff.by_nip(value.strip())
        if staff is None or not staff.active:
            # The signature stands; only this copy cannot go (said at every signing).
            log.warning(
                "STAFFBOT_UPT_CONTACTS: %s names neither a WhatsApp number nor an active "
                "staff NIP; its signed Berita Acara stays on paper",
                kecamatan,
            )
            return None
        return notify.address_of(staff), staff
    staff = await uow.staff.by_whatsapp(phone)
    if staff is not None and staff.active:
        return notify.address_of(staff), staff
    return notify.Address(notify.WHATSAPP, phone), None


def delivery_effects() -> dict[str, EffectHandler]:
    return {"deliver:berita_acara": deliver_signed_ba}

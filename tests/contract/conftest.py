"""An office whose staff sit on the given platforms, with the doubles and the dispatcher."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

from staffbot.app.commands.staff import ChangeStaff, SeedDemo
from staffbot.bootstrap import build_bus
from staffbot.channels.base import Channel
from staffbot.channels.telegram_common import TelegramChannel
from staffbot.channels.web import WebChannel
from staffbot.chat.service import ChatService
from staffbot.clock import SystemClock
from staffbot.dispatcher import OutboxDispatcher
from staffbot.services.context import Office
from storage.db import Database
from tests.channels.support import (
    TG_TOKEN,
    WA_PHONE_ID,
    WA_SECRET,
    WA_TOKEN,
    Recorder,
    document_loader,
    serve,
    telegram_channel,
    whatsapp_channel,
)
from tests.contract.harness import Desk, Person
from tests.doubles.telegram import TelegramDouble
from tests.doubles.whatsapp import WhatsAppDouble


def telegram_id(staff_id: int) -> int:
    return 700_000 + staff_id


def whatsapp_phone(staff_id: int) -> str:
    return f"+62812000{staff_id:05d}"


@contextlib.asynccontextmanager
async def open_desk(
    db: Database,
    office: Office,
    data_dir: Path,
    platforms: Mapping[str, str],
    *,
    library: str = "ptb",
) -> AsyncIterator[Desk]:
    """``platforms``: role -> web | telegram | whatsapp (roles not named stay on web)."""
    await build_bus(db, office).handle(SeedDemo())
    async with db.uow(readonly=True) as uow:
        roster = list(await uow.staff.all())
        roles = await uow.staff.roles_for([s.id for s in roster if s.id is not None])
    people: dict[str, Person] = {}
    for member in roster:
        assert member.id is not None
        [role] = sorted(roles[member.id])
        platform = platforms.get(role, "web")
        changes: dict[str, Any] = {"channel": platform}
        address = str(member.id)
        if platform == "telegram":
            changes["telegram_id"] = telegram_id(member.id)
            address = str(telegram_id(member.id))
        elif platform == "whatsapp":
            changes["whatsapp"] = address = whatsapp_phone(member.id)
        await build_bus(db, office).handle(ChangeStaff(member.nip, **changes))
        people[role] = Person(role, member.id, member.nip, member.name, platform, address)

    on_telegram = "telegram" in platforms.values()
    async with contextlib.AsyncExitStack() as stack:
        tg = await stack.enter_async_context(TelegramDouble(TG_TOKEN)) if on_telegram else None
        wa = await stack.enter_async_context(
            WhatsAppDouble(WA_TOKEN, phone_id=WA_PHONE_ID, app_secret=WA_SECRET)
        )
        chat = ChatService(build_bus(db, office))
        recorder = Recorder(chat.handle)
        web = WebChannel()
        whatsapp = whatsapp_channel(wa.url, recorder, db, office)
        await whatsapp.initialize()
        stack.push_async_callback(whatsapp.shutdown)
        channels: dict[str, Channel] = {"web": web, "whatsapp": whatsapp}
        routes = list(whatsapp.receiver().routes())
        telegram: TelegramChannel | None = None
        if tg is not None:
            telegram = telegram_channel(library, tg.url, recorder, office, data_dir)
            await telegram.initialize()
            stack.push_async_callback(telegram.shutdown)
            channels["telegram"] = telegram
        url = await stack.enter_async_context(serve(routes))
        wa.configure_webhook(f"{url}/whatsapp/webhook")
        if telegram is not None:
            receiver = telegram.receiver()
            await receiver.start()
            stack.push_async_callback(receiver.stop)
        dispatcher = OutboxDispatcher(
            db, channels, clock=SystemClock(), load_document=document_loader(db, office)
        )
        desk = Desk(db, office, chat, recorder, dispatcher, tg=tg, wa=wa)
        desk.people = people
        yield desk

"""The built-in web channel: needs no account anywhere.

The outbox itself is the web transcript: a web "delivery" marks the row sent and
wakes the browsers of that chat, which then read the new rows (`id > last seen`)
from the database. So a page reload shows the whole history, and a browser
connected to one bot process sees messages delivered by another.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from staffbot.channels.base import Channel, ChannelName, Delivered, Delivery


class WebChannel(Channel):
    name = ChannelName.WEB
    can_delete_user_messages = True

    def __init__(self) -> None:
        self._listeners: dict[str, set[asyncio.Event]] = defaultdict(set)

    async def deliver(self, delivery: Delivery) -> Delivered:
        # The message's id on this channel is its outbox key: edits find it by that.
        message_id = delivery.message_id if delivery.kind != "send" else delivery.idempotency_key
        return Delivered(message_id=message_id)

    async def confirmed(self, delivery: Delivery) -> None:
        # Only now is the row marked sent: a woken page that re-reads finds it.
        for event in list(self._listeners.get(delivery.chat_id, ())):
            event.set()

    def listen(self, chat_id: str) -> asyncio.Event:
        """An event set whenever something is delivered to ``chat_id``."""
        event = asyncio.Event()
        self._listeners[chat_id].add(event)
        return event

    def unlisten(self, chat_id: str, event: asyncio.Event) -> None:
        listeners = self._listeners.get(chat_id)
        if listeners is not None:
            listeners.discard(event)
            if not listeners:
                self._listeners.pop(chat_id, None)

    def notify_all(self) -> None:
        for listeners in list(self._listeners.values()):
            for event in list(listeners):
                event.set()

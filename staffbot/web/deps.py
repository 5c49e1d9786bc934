"""What the web application needs, handed in by staffbot/runner.py (the web app builds nothing).

No database: every page reads and writes through commands on the bus."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.routing import BaseRoute

from staffbot.app.bus import MessageBus
from staffbot.channels.web import WebChannel
from staffbot.chat.service import ChatService
from staffbot.services.context import Office


@dataclass
class WebDeps:
    office: Office
    bus: MessageBus
    chat: ChatService
    channel: WebChannel
    public_url: str
    #: The demo role picker instead of login links (embedded defaults, demo roster).
    demo: bool
    #: True when the database answers and the dispatcher runs (GET /healthz).
    health: Callable[[], Awaitable[bool]]
    #: Prometheus text exposition (GET /metrics).
    metrics: Callable[[], Awaitable[str]]
    #: Routes of other channels (Telegram / WhatsApp webhooks), mounted as they are.
    extra_routes: list[BaseRoute] = field(default_factory=list)
    #: Cookie "Secure" flag: on when the public URL is https.
    secure_cookies: bool = False

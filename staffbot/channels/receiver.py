"""How a platform's updates come in: polling loops to start, webhook routes to mount."""

from __future__ import annotations

from typing import Protocol

from starlette.routing import BaseRoute


class Receiver(Protocol):
    async def start(self) -> None:
        """Begin receiving (start polling, or register the webhook). Idempotent."""

    async def stop(self) -> None:
        """Stop receiving; updates not yet confirmed are received again after restart."""

    def routes(self) -> list[BaseRoute]:
        """Webhook routes to mount on the bot's web server (empty when polling)."""

"""How Telegram's updates come in: our own getUpdates loop, or the webhook route with
setWebhook's secret token (generated once, kept in the data dir)."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import os
import secrets
import time
from pathlib import Path
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from staffbot.channels.telegram_updates import update_chat
from staffbot.errors import ChannelError

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
SECRET_FILE = "telegram_webhook_secret"  # noqa: S105 (a file name)


class UpdateSource(Protocol):
    """What the receivers need of the channel (telegram_common.TelegramChannel): the
    library's Bot API calls, and the handling of one update."""

    async def process(self, update: dict[str, Any]) -> None: ...

    async def _get_updates(self, offset: int | None, long_poll: int) -> list[dict[str, Any]]: ...

    async def _delete_webhook(self) -> None: ...

    async def _set_webhook(self, url: str, secret: str) -> None: ...


# -- webhook secret ------------------------------------------------------------------------


def webhook_secret(data_dir: Path) -> str:
    """The secret_token for setWebhook: generated once, kept in the data dir (mode 600).

    Several bot processes share the data dir and may start at the same moment: the
    secret is written to a file of its own and linked into place in one step, so a
    process either makes the file whole or reads the one another made, never half of it
    (two different secrets would make one process refuse every update).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SECRET_FILE
    for attempt in range(10):
        try:
            secret = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            secret = ""
        else:
            if not secret:  # being written by an older version, or left empty by a crash
                time.sleep(0.05 * (attempt + 1))
                continue
        if secret:
            path.chmod(0o600)
            return secret
        try:
            return _link_new_secret(data_dir, path)
        except FileExistsError:
            continue  # another process got there first: read its secret
    # an empty file nobody fills: make a new secret in its place
    return _link_new_secret(data_dir, path, replace=True)


def _link_new_secret(data_dir: Path, path: Path, *, replace: bool = False) -> str:
    # Allowed characters: A-Z a-z 0-9 _ - (token_urlsafe uses exactly these).
    secret = secrets.token_urlsafe(48)
    draft = data_dir / f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret)
    try:
        if replace:
            draft.replace(path)
        else:
            os.link(draft, path)  # atomic: fails if the file exists
    finally:
        draft.unlink(missing_ok=True)
    return secret


# -- receivers ----------------------------------------------------------------------------------


class TelegramPolling:
    """getUpdates long polling, the same loop for both libraries.

    An update is confirmed to Telegram (the next getUpdates' offset) only after it was
    handled: a bot killed in the middle of a batch gets the batch again when it comes
    back, and the chat service drops what it had already done (processed_update). The
    libraries' own loops confirm a batch as soon as it is fetched, so a crash could
    lose the presses and PINs still waiting in their queue.

    A batch is handled chat by chat, in order within a chat, several chats at once.
    An update whose handling fails (the database restarting) is tried again with the
    next fetch; one that fails ``max_failures`` times is logged and skipped, so a
    malformed update cannot stop the bot for good.
    """

    max_failures = 5
    concurrency = 8

    def __init__(self, channel: UpdateSource, *, poll_timeout: int) -> None:
        self.channel = channel
        self.poll_timeout = poll_timeout
        self._task: asyncio.Task[None] | None = None
        self._failures: dict[int, int] = {}

    async def start(self) -> None:
        if self._task is not None and not self._task.done():
            return
        await self.channel._delete_webhook()
        self._task = asyncio.create_task(self._loop(), name="telegram-polling")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    def routes(self) -> list[BaseRoute]:
        return []

    async def _loop(self) -> None:
        offset: int | None = None
        pause = 0.5
        while True:
            try:
                updates = await self.channel._get_updates(offset, self.poll_timeout)
            except ChannelError as exc:
                # Telegram unreachable, 5xx, or a 409 while another poller runs: wait.
                log.warning("getUpdates failed: %s", exc)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)
                continue
            pause = 0.5
            if updates:
                offset = await self._handle(updates)
                if offset is not None and offset <= min(int(u["update_id"]) for u in updates):
                    await asyncio.sleep(1.0)  # nothing could be handled: do not spin

    async def _handle(self, updates: list[dict[str, Any]]) -> int:
        """Handle a batch; returns the offset that confirms what is done."""
        chats: dict[str, list[dict[str, Any]]] = {}
        for update in sorted(updates, key=lambda u: int(u["update_id"])):
            chats.setdefault(update_chat(update), []).append(update)
        gate = asyncio.Semaphore(self.concurrency)
        undone: list[int] = []

        async def one_chat(queue: list[dict[str, Any]]) -> None:
            async with gate:
                for update in queue:
                    if not await self._one(update):
                        # the chat's later updates wait, so they keep their order
                        undone.append(int(update["update_id"]))
                        return

        await asyncio.gather(*(one_chat(queue) for queue in chats.values()))
        if undone:
            return min(undone)
        return max(int(u["update_id"]) for u in updates) + 1

    async def _one(self, update: dict[str, Any]) -> bool:
        update_id = int(update["update_id"])
        try:
            await self.channel.process(update)
        except Exception as exc:
            failures = self._failures.get(update_id, 0) + 1
            self._failures[update_id] = failures
            if failures < self.max_failures:
                log.warning("telegram update %s failed (%s), trying again", update_id, exc)
                return False
            log.exception("telegram update %s failed %s times: skipped", update_id, failures)
        self._failures.pop(update_id, None)
        return True


class TelegramWebhook:
    """POST /telegram/webhook on the bot's web server, with setWebhook's secret_token.

    The secret header is compared in constant time before the body is even read: a
    request without it gets 401, a wrong one 403, and nothing is parsed or processed.
    """

    def __init__(self, channel: UpdateSource, url: str, secret: str) -> None:
        self.channel = channel
        self.url = url
        self._secret = secret.encode()

    async def start(self) -> None:
        await self.channel._set_webhook(self.url, self._secret.decode())

    async def stop(self) -> None:
        # The webhook stays registered: Telegram keeps updates until we are back.
        return None

    def routes(self) -> list[BaseRoute]:
        return [Route(WEBHOOK_PATH, self.handle, methods=["POST"])]

    async def handle(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return PlainTextResponse("secret token missing", status_code=401)
        if not hmac.compare_digest(given.encode(), self._secret):
            return PlainTextResponse("secret token wrong", status_code=403)
        try:
            update = json.loads(await request.body())
        except ValueError:
            return PlainTextResponse("not JSON", status_code=400)
        if not isinstance(update, dict):
            return PlainTextResponse("not an update", status_code=400)
        try:
            await self.channel.process(update)
        except Exception:
            # Telegram delivers the update again; the chat service drops what it has done.
            log.exception("telegram update %s failed", update.get("update_id"))
            return PlainTextResponse("failed", status_code=500)
        return PlainTextResponse("ok")

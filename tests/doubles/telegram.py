"""A local test double of the Telegram Bot API, for the real PTB and aiogram clients.

    async with TelegramDouble(token="123:ABC") as tg:
        app = Application.builder().token("123:ABC").base_url(f"{tg.url}/bot") \\
            .base_file_url(f"{tg.url}/file/bot").build()
        uid = tg.push_text(chat_id=42, user_id=42, text="/start")
        ...
        assert tg.chat(42).bot_messages()[-1].text == "Selamat datang"

Standalone: `python -m tests.doubles.telegram --port 8081 --token 123:ABC` prints
`READY http://127.0.0.1:8081` and serves the control API under /_control/ (README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import mimetypes
import re
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web

from ._common import (
    Clock,
    FaultPlan,
    PayloadTooLarge,
    SlidingWindow,
    Upload,
    json_response,
    read_request_fields,
    run_standalone,
)
from ._telegram_api import SENDING_METHODS, BotApiMethods, WebhookConfig
from ._telegram_control import TelegramControl
from ._telegram_model import (
    MAX_UPLOAD,
    ApiError,
    CallbackState,
    ChatState,
    StoredFile,
    StoredMessage,
    bad_request,
    coerce_params,
    command_entities,
    inline_markup,
)

__all__ = ["ApiError", "ChatState", "StoredMessage", "TelegramDouble", "WebhookConfig"]

_Handler = Callable[[dict[str, Any], dict[str, Upload]], Awaitable[Any]]


class TelegramDouble(BotApiMethods):
    """Bot API double. See README.md for the full surface; the key attributes:

    chats / chat(id) -> per-chat transcript (StoredMessage with history of edits)
    calls            -> every API call (CallRecord), faults included
    callbacks        -> CallbackState per callback query id (answered or not)
    flood_429s       -> 429s caused by the flood limits (not by the fault plan)
    """

    default_fault_methods = SENDING_METHODS

    def __init__(
        self,
        token: str = "123456:TEST-token",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock | None = None,
        faults: FaultPlan | None = None,
        enforce_limits: bool = False,
        limit_edits: bool = True,
        private_limit: tuple[int, float] = (1, 1.0),
        group_limit: tuple[int, float] = (20, 60.0),
        global_limit: tuple[int, float] = (30, 1.0),
        callback_max_age: float = 15.0,
        known_chats_only: bool = False,
        webhook_timeout: float = 10.0,
        webhook_retry_delay: float = 0.2,
        bot_username: str = "staffbot_double_bot",
    ) -> None:
        super().__init__(host=host, port=port, clock=clock, faults=faults)
        self.token = token
        prefix = token.split(":", 1)[0]
        self.bot_user = {
            "id": int(prefix) if prefix.isdigit() else 1,
            "is_bot": True,
            "first_name": "Staffbot Double",
            "username": bot_username,
        }
        self.enforce_limits = enforce_limits
        self.limit_edits = limit_edits
        self._private = SlidingWindow(*private_limit)
        self._group = SlidingWindow(*group_limit)
        self._global = SlidingWindow(*global_limit)
        self.callback_max_age = callback_max_age
        self.known_chats_only = known_chats_only
        self.webhook_timeout = webhook_timeout
        self.webhook_retry_delay = webhook_retry_delay

        self.chats: dict[int, ChatState] = {}
        self.files: dict[str, StoredFile] = {}
        self.callbacks: dict[str, CallbackState] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.blocked: set[int] = set()
        self.flood_429s = 0
        self.flood_429s_by_chat: Counter[int] = Counter()
        self.pushed: dict[int, dict[str, Any]] = {}
        self.confirmed: set[int] = set()
        self.webhook: WebhookConfig | None = None
        self.webhook_deliveries: list[dict[str, Any]] = []
        self._queue: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._next_file = 1
        self._next_query = 1
        self._allowed_updates: list[str] | None = None
        self._active_poll = 0
        self._http: aiohttp.ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._methods: dict[str, tuple[str, _Handler]] = {
            name.lower(): (name, fn)
            for name, fn in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "sendDocument": self._send_document,
                "getFile": self._get_file,
                "logOut": self._true,
                "close": self._true,
            }.items()
        }

    # == inspection ======================================================================
    def chat(self, chat_id: int) -> ChatState:
        if chat_id not in self.chats:
            self.chats[chat_id] = ChatState(chat_id)
        return self.chats[chat_id]

    def message(self, chat_id: int, message_id: int) -> StoredMessage:
        return self.chats[chat_id].messages[message_id]

    def sent(self, chat_id: int) -> list[StoredMessage]:
        """The bot's messages in a chat, in order, deleted ones excluded."""
        return self.chat(chat_id).bot_messages() if chat_id in self.chats else []

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return list(self._queue)

    async def wait_consumed(self, update_id: int, within: float = 5.0) -> None:
        """Until the bot confirmed the update (getUpdates offset) or its webhook took it."""
        await self.wait_until(lambda: update_id in self.confirmed, within)

    def state(self) -> dict[str, Any]:
        return super().state() | {
            "flood_429s": self.flood_429s,
            "pending_updates": len(self._queue),
            "webhook": self.webhook.url if self.webhook else None,
            "webhook_delivered": self.webhook.delivered if self.webhook else 0,
            "chats": len(self.chats),
            "messages_sent": sum(len(c.bot_messages()) for c in self.chats.values()),
        }

    # == inbound updates (what users do) =================================================
    def push_text(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        *,
        first_name: str = "Pengguna",
        username: str | None = None,
        language_code: str = "id",
    ) -> int:
        """A user writes `text` (a leading /command gets its bot_command entity)."""
        user = self._user(user_id, first_name, username, language_code)
        msg = self._store(chat_id, from_bot=False, user=user, text=text)
        entities = command_entities(text)
        msg.entities = entities or None
        payload = self._message_json(msg)
        return self._enqueue({"message": payload})

    def push_document(
        self,
        chat_id: int,
        user_id: int,
        filename: str,
        data: bytes,
        mime: str = "application/pdf",
        *,
        caption: str | None = None,
        first_name: str = "Pengguna",
    ) -> int:
        """A user sends a file; the bot can getFile/download it."""
        user = self._user(user_id, first_name, None, "id")
        stored = self._store_file(filename, data, mime)
        msg = self._store(chat_id, from_bot=False, user=user, document=stored, caption=caption)
        return self._enqueue({"message": self._message_json(msg)})

    def push_callback(
        self,
        chat_id: int,
        user_id: int,
        message_id: int,
        data: str,
        *,
        first_name: str = "Pengguna",
    ) -> int:
        """A user presses an inline button of the bot's message `message_id`.

        `data` is sent as given (forged data is allowed: real clients can be modified).
        """
        message = self.message(chat_id, message_id)
        query_id = f"{self.bot_user['id']}{self._next_query:010d}"
        self._next_query += 1
        self.callbacks[query_id] = CallbackState(
            query_id,
            chat_id,
            message_id,
            user_id,
            data,
            created=self.clock(),
        )
        chat_instance = str(int(hashlib.sha1(str(chat_id).encode()).hexdigest()[:15], 16))
        return self._enqueue(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self._user(user_id, first_name, None, "id"),
                    "message": self._message_json(message),
                    "chat_instance": chat_instance,
                    "data": data,
                }
            }
        )

    def push_update(self, update: dict[str, Any]) -> int:
        """Any raw update body (without update_id)."""
        return self._enqueue(dict(update))

    def resend(self, update_id: int) -> int:
        """The same update (same callback query id) again under a new update_id,
        as clients do after reconnecting."""
        body = {k: v for k, v in self.pushed[update_id].items() if k != "update_id"}
        return self._enqueue(body)

    def redeliver(self, update_id: int) -> None:
        """Queue the identical update (same update_id) again, as a webhook retry does.
        In polling mode the client's offset makes it disappear once confirmed again."""
        self.confirmed.discard(update_id)
        self._queue.append(self.pushed[update_id])
        self._queue.sort(key=lambda u: u["update_id"])
        self.notify()

    def _enqueue(self, body: dict[str, Any]) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        update = {"update_id": update_id, **body}
        self.pushed[update_id] = update
        self._queue.append(update)
        self.notify()
        return update_id

    def _user(
        self,
        user_id: int,
        first_name: str,
        username: str | None,
        language_code: str,
    ) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        if username:
            user["username"] = username
        return user

    # == storage helpers =================================================================
    def _store(
        self,
        chat_id: int,
        *,
        from_bot: bool,
        user: dict[str, Any],
        **fields: Any,
    ) -> StoredMessage:
        chat = self.chat(chat_id)
        if chat_id > 0 and not from_bot:
            chat.first_name = chat.first_name or user.get("first_name")
        msg = StoredMessage(
            chat_id=chat_id,
            message_id=chat.next_message_id,
            date=int(self.clock()),
            from_bot=from_bot,
            user=user,
            **fields,
        )
        chat.next_message_id += 1
        chat.messages[msg.message_id] = msg
        return msg

    def _store_file(self, filename: str, data: bytes, mime: str | None) -> StoredFile:
        n = self._next_file
        self._next_file += 1
        digest = hashlib.sha256(data).hexdigest()
        ext = "".join(re.findall(r"\.[A-Za-z0-9]{1,8}$", filename))
        stored = StoredFile(
            file_id=f"BQACAgUAAxkB{n:06d}{digest[:20]}",
            file_unique_id=f"AgAD{n:04d}{digest[:6]}",
            file_name=filename,
            mime_type=mime or mimetypes.guess_type(filename)[0] or "application/octet-stream",
            data=data,
            file_path=f"documents/file_{n}{ext}",
        )
        self.files[stored.file_id] = stored
        return stored

    def _message_json(self, msg: StoredMessage) -> dict[str, Any]:
        out: dict[str, Any] = {
            "message_id": msg.message_id,
            "from": self.bot_user if msg.from_bot else msg.user,
            "chat": self.chat(msg.chat_id).chat_json(),
            "date": msg.date,
        }
        if msg.text is not None:
            out["text"] = msg.text
        if msg.entities:
            out["entities"] = msg.entities
        if msg.document is not None:
            out["document"] = msg.document.document_json()
        if msg.caption is not None:
            out["caption"] = msg.caption
        if msg.edit_date is not None:
            out["edit_date"] = msg.edit_date
        markup = inline_markup(msg.reply_markup)
        if markup is not None:
            out["reply_markup"] = markup
        return out

    # == HTTP ============================================================================
    def _add_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)

    def _add_control_routes(self, app: web.Application) -> None:
        super()._add_control_routes(app)
        TelegramControl(self).register(app)

    async def _on_start(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self.webhook_timeout)
        self._http = aiohttp.ClientSession(timeout=timeout)

    async def _on_stop(self) -> None:
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return json_response(ApiError(401, "Unauthorized").payload(), 401)
        entry = self._methods.get(request.match_info["method"].lower())
        if entry is None:
            return json_response(ApiError(404, "Not Found").payload(), 404)
        name, handler = entry
        try:
            fields, uploads, ctype = await read_request_fields(request, MAX_UPLOAD)
            params = coerce_params(fields)
        except PayloadTooLarge:
            return json_response(ApiError(413, "Request Entity Too Large").payload(), 413)
        except ApiError as err:
            return json_response(err.payload(), err.status)
        except ValueError:
            return json_response(bad_request("can't parse JSON").payload(), 400)
        record = self._new_record(name, {**params, **uploads}, ctype)

        async def apply() -> web.StreamResponse:
            try:
                result = await handler(params, uploads)
            except ApiError as err:
                record.error = err.description
                return json_response(err.payload(), err.status)
            record.ok = True
            return json_response({"ok": True, "result": result})

        return await self.run_with_fault(request, record, apply, self._fault_response)

    def _fault_response(self, kind: str) -> web.Response:
        if kind == "429":
            n = self.faults.retry_after
            err = ApiError(429, f"Too Many Requests: retry after {n}", {"retry_after": n})
        else:
            err = ApiError(500, "Internal Server Error")
        return json_response(err.payload(), err.status)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return json_response(ApiError(401, "Unauthorized").payload(), 401)
        path = request.match_info["path"]
        for stored in self.files.values():
            if stored.file_path == path:
                return web.Response(body=stored.data, content_type=stored.mime_type)
        return json_response(ApiError(404, "Not Found").payload(), 404)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Telegram Bot API test double")
    parser.add_argument("--token", default="123456:TEST-token")
    parser.add_argument("--enforce-limits", action="store_true")
    parser.add_argument("--callback-max-age", type=float, default=15.0)
    run_standalone(
        lambda a: TelegramDouble(
            a.token,
            host=a.host,
            port=a.port,
            enforce_limits=a.enforce_limits,
            callback_max_age=a.callback_max_age,
        ),
        parser,
        argv,
    )


if __name__ == "__main__":
    main()

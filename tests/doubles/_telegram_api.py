"""The Bot API methods of the Telegram double (mixed into TelegramDouble)."""

from __future__ import annotations

import asyncio
import json
import math
import mimetypes
import re
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import aiohttp

from ._common import DoubleServer, SlidingWindow, Upload
from ._telegram_model import (
    MAX_CALLBACK_ANSWER,
    MAX_CAPTION,
    MAX_GETFILE,
    MAX_TEXT,
    ApiError,
    CallbackState,
    ChatState,
    StoredFile,
    StoredMessage,
    bad_request,
    inline_markup,
    render_text,
    upload_or_ref,
    utf16_len,
    validate_markup,
)

SENDING_METHODS = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "editMessageText",
        "editMessageReplyMarkup",
        "deleteMessage",
    }
)
_DEFAULT_UPDATE_TYPES_OFF = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None
    delivered: int = 0


class BotApiMethods(DoubleServer):
    """One coroutine per Bot API method: (params, uploads) -> result or ApiError.

    State lives in TelegramDouble; it is declared here so the methods read plainly.
    """

    token: str
    bot_user: dict[str, Any]
    enforce_limits: bool
    limit_edits: bool
    _private: SlidingWindow
    _group: SlidingWindow
    _global: SlidingWindow
    callback_max_age: float
    known_chats_only: bool
    webhook_retry_delay: float
    chats: dict[int, ChatState]
    files: dict[str, StoredFile]
    callbacks: dict[str, CallbackState]
    commands: dict[tuple[str, str], list[dict[str, Any]]]
    blocked: set[int]
    flood_429s: int
    flood_429s_by_chat: Counter[int]
    confirmed: set[int]
    webhook: WebhookConfig | None
    webhook_deliveries: list[dict[str, Any]]
    _queue: list[dict[str, Any]]
    _allowed_updates: list[str] | None
    _active_poll: int
    _http: aiohttp.ClientSession | None
    _webhook_task: asyncio.Task[None] | None

    def _store(
        self,
        chat_id: int,
        *,
        from_bot: bool,
        user: dict[str, Any],
        **fields: Any,
    ) -> StoredMessage:
        raise NotImplementedError

    def _store_file(self, filename: str, data: bytes, mime: str | None) -> StoredFile:
        raise NotImplementedError

    def _message_json(self, msg: StoredMessage) -> dict[str, Any]:
        raise NotImplementedError

    # == checks shared by the sending methods ============================================
    def _target_chat(self, params: dict[str, Any]) -> int:
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            raise bad_request("chat_id is empty")
        if not isinstance(chat_id, int):
            raise bad_request("chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if self.known_chats_only and chat_id not in self.chats:
            if chat_id > 0:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            raise bad_request("chat not found")
        return chat_id

    def _flood(self, chat_id: int) -> None:
        """Telegram's limits: 1 msg/s per private chat, 20/min per group, 30/s overall."""
        if not self.enforce_limits:
            return
        now = self.clock()
        windows = [(self._global, "*"), (self._private if chat_id > 0 else self._group, chat_id)]
        wait = max(w.wait_needed(key, now) for w, key in windows)
        if wait > 0:
            self.flood_429s += 1
            self.flood_429s_by_chat[chat_id] += 1
            n = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {n}", {"retry_after": n})
        for window, key in windows:
            window.hit(key, now)

    def _own_message(self, params: dict[str, Any], action: str) -> StoredMessage:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat_id = self._target_chat(params)
        message_id = params.get("message_id")
        chat = self.chats.get(chat_id)
        msg = chat.messages.get(message_id) if chat and isinstance(message_id, int) else None
        if msg is None or msg.deleted:
            raise bad_request(f"message to {action} not found")
        if not msg.from_bot and action == "edit":
            raise bad_request("message can't be edited")
        return msg

    # == methods =========================================================================
    async def _true(self, params: dict[str, Any], uploads: dict[str, Upload]) -> bool:
        return True

    async def _get_me(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        return self.bot_user | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        self._check_no_webhook()
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        if "allowed_updates" in params:
            self._allowed_updates = list(params["allowed_updates"] or []) or None
        offset = int(params.get("offset") or 0)
        if offset:
            self._confirm(offset)
        self._active_poll += 1
        me = self._active_poll
        self.notify()  # an older long poll ends with 409, as on the real server
        deadline = time.monotonic() + timeout
        while True:
            if self._active_poll != me:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            self._check_no_webhook()
            ready = self._deliverable()[:limit]
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0 or self._closing:
                return ready
            await self.wait_changed(remaining)

    def _check_no_webhook(self) -> None:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            gone = [u for u in self._queue if u["update_id"] < offset]
        else:
            gone = self._queue[:offset] if -offset < len(self._queue) else []
        for update in gone:
            self._queue.remove(update)
            self.confirmed.add(update["update_id"])
        if gone:
            self.notify()

    def _deliverable(self) -> list[dict[str, Any]]:
        """Pending updates of allowed types; the others are dropped like the server does."""
        allowed = self._allowed_updates
        keep = []
        for update in list(self._queue):
            kind = next(k for k in update if k != "update_id")
            ok = kind in allowed if allowed else kind not in _DEFAULT_UPDATE_TYPES_OFF
            if ok:
                keep.append(update)
            else:
                self._queue.remove(update)
                self.confirmed.add(update["update_id"])
        return keep

    async def _set_webhook(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        url = str(params.get("url") or "")
        if not url:
            return await self._delete_webhook(params, uploads)
        if not re.match(r"https?://", url):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._drop_pending()
        if "allowed_updates" in params:
            self._allowed_updates = list(params["allowed_updates"] or []) or None
        self.webhook = WebhookConfig(url, secret, int(params.get("max_connections") or 40))
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._webhook_loop())
        self.notify()
        return True

    async def _delete_webhook(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._drop_pending()
        self.notify()
        return True

    def _drop_pending(self) -> None:
        for update in self._queue:
            self.confirmed.add(update["update_id"])
        self._queue.clear()

    async def _get_webhook_info(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook.url if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if self.webhook is not None:
            info["max_connections"] = self.webhook.max_connections
            info["ip_address"] = "127.0.0.1"
            if self.webhook.last_error_date is not None:
                info["last_error_date"] = self.webhook.last_error_date
                info["last_error_message"] = self.webhook.last_error_message
        if self._allowed_updates:
            info["allowed_updates"] = self._allowed_updates
        return info

    async def _webhook_loop(self) -> None:
        """Deliver pending updates one at a time, in order; retry with backoff."""
        delay = self.webhook_retry_delay
        while not self._closing:
            hook = self.webhook
            ready = self._deliverable() if hook is not None else []
            if hook is None or not ready:
                await self.wait_changed(0.5)
                continue
            update = ready[0]
            headers = {"Content-Type": "application/json"}
            if hook.secret_token:
                headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
            status, error = 0, ""
            assert self._http is not None
            try:
                async with self._http.post(hook.url, data=json.dumps(update), headers=headers) as r:
                    await r.read()
                    status = r.status
                    error = f"Wrong response from the webhook: {r.status} {r.reason}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = f"Connection failed: {type(exc).__name__}"
            self.webhook_deliveries.append(
                {"update_id": update["update_id"], "status": status, "at": self.clock()}
            )
            if 200 <= status < 300:
                if update in self._queue:
                    self._queue.remove(update)
                self.confirmed.add(update["update_id"])
                hook.delivered += 1
                delay = self.webhook_retry_delay
                self.notify()
            else:
                hook.last_error_date = int(self.clock())
                hook.last_error_message = error
                self.notify()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    async def _set_my_commands(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands are invalid")
        for cmd in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(cmd.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _get_my_commands(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        return self.commands.get(self._commands_key(params), [])

    async def _delete_my_commands(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _send_message(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        chat_id = self._target_chat(params)
        raw = params.get("text")
        if not isinstance(raw, str):
            raise bad_request("message text is empty")
        text = render_text(raw, params.get("parse_mode"))
        if not text.strip():
            raise bad_request("message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise bad_request("message is too long")
        markup = validate_markup(params.get("reply_markup"))
        self._flood(chat_id)
        msg = self._store(
            chat_id,
            from_bot=True,
            user=self.bot_user,
            text=text,
            raw_text=raw,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
        )
        return self._message_json(msg)

    async def _edit_message_text(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        msg = self._own_message(params, "edit")
        if msg.text is None:
            raise bad_request("there is no text in the message to edit")
        raw = params.get("text")
        if not isinstance(raw, str):
            raise bad_request("message text is empty")
        text = render_text(raw, params.get("parse_mode"))
        if not text.strip():
            raise bad_request("message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise bad_request("MESSAGE_TOO_LONG")
        # Omitting reply_markup removes the inline keyboard, as on the real server.
        markup = validate_markup(params.get("reply_markup"))
        if text == msg.text and raw == msg.raw_text and markup == msg.reply_markup:
            raise self._not_modified()
        if self.limit_edits:
            self._flood(msg.chat_id)
        msg.history.append(msg.snapshot())
        msg.text, msg.raw_text, msg.parse_mode = text, raw, params.get("parse_mode")
        msg.reply_markup = markup
        msg.edit_date = int(self.clock())
        return self._message_json(msg)

    async def _edit_message_reply_markup(
        self,
        params: dict[str, Any],
        uploads: dict[str, Upload],
    ) -> Any:
        msg = self._own_message(params, "edit")
        markup = validate_markup(params.get("reply_markup"))
        if inline_markup(markup) == inline_markup(msg.reply_markup):
            raise self._not_modified()
        if self.limit_edits:
            self._flood(msg.chat_id)
        msg.history.append(msg.snapshot())
        msg.reply_markup = markup
        msg.edit_date = int(self.clock())
        return self._message_json(msg)

    @staticmethod
    def _not_modified() -> ApiError:
        return bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )

    async def _delete_message(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        msg = self._own_message(params, "delete")
        msg.deleted = True
        return True

    async def _answer_callback_query(
        self,
        params: dict[str, Any],
        uploads: dict[str, Upload],
    ) -> Any:
        state = self.callbacks.get(str(params.get("callback_query_id", "")))
        if (
            state is None
            or state.answered_at is not None
            or self.clock() - state.created > self.callback_max_age
        ):
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = str(params.get("text") or "")
        if len(text) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        state.answered_at = self.clock()
        state.answer = {
            "text": text or None,
            "show_alert": bool(params.get("show_alert")),
            "url": params.get("url"),
            "cache_time": params.get("cache_time"),
        }
        return True

    async def _send_document(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        chat_id = self._target_chat(params)
        ref = upload_or_ref(params.get("document"), uploads, "document")
        if isinstance(ref, Upload):
            if not ref.data:
                raise bad_request("file must be non-empty")
            stored = self._store_file(ref.filename, ref.data, _mime(ref))
        elif ref in self.files:
            stored = self.files[ref]
        elif re.match(r"https?://", ref):
            stored = self._store_file(ref.rsplit("/", 1)[-1] or "file", b"", None)
        else:
            raise bad_request("wrong file identifier/HTTP URL specified")
        caption = params.get("caption")
        if caption is not None:
            caption = render_text(str(caption), params.get("parse_mode"))
            if utf16_len(caption) > MAX_CAPTION:
                raise bad_request("message caption is too long")
        markup = validate_markup(params.get("reply_markup"))
        self._flood(chat_id)
        msg = self._store(
            chat_id,
            from_bot=True,
            user=self.bot_user,
            document=stored,
            caption=caption,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
        )
        return self._message_json(msg)

    async def _get_file(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        stored = self.files.get(str(params.get("file_id", "")))
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.data) > MAX_GETFILE:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }


def _mime(upload: Upload) -> str | None:
    ctype = (upload.content_type or "").split(";")[0].strip()
    if ctype and ctype != "application/octet-stream":
        return ctype
    return mimetypes.guess_type(upload.filename)[0]

"""State and validation rules of the Telegram double (no HTTP here)."""

from __future__ import annotations

import base64
import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ._common import Upload

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
MAX_UPLOAD = 50 * 1024 * 1024
MAX_GETFILE = 20 * 1024 * 1024

# Parameters that clients send JSON-encoded in form fields (PTB and aiogram both do).
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "commands",
        "scope",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
    }
)
INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "cache_time",
        "max_connections",
        "message_thread_id",
        "from_chat_id",
        "user_id",
    }
)
BOOL_FIELDS = frozenset(
    {
        "drop_pending_updates",
        "show_alert",
        "disable_notification",
        "protect_content",
        "disable_web_page_preview",
        "disable_content_type_detection",
        "allow_sending_without_reply",
    }
)


class ApiError(Exception):
    """An error answer of the Bot API: {"ok": false, "error_code", "description"}."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(text: str) -> ApiError:
    return ApiError(400, f"Bad Request: {text}")


def coerce_params(fields: dict[str, Any]) -> dict[str, Any]:
    """Typed parameters from JSON bodies or string form fields."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, str):
            if key in JSON_FIELDS:
                try:
                    value = json.loads(value)
                except ValueError as exc:
                    raise bad_request(f"can't parse {key} JSON object") from exc
            elif key in INT_FIELDS and re.fullmatch(r"-?\d+", value):
                value = int(value)
            elif key in BOOL_FIELDS:
                value = value.lower() in ("true", "1")
        out[key] = value
    return out


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def command_entities(text: str) -> list[dict[str, Any]]:
    """bot_command entity for a leading /command (what CommandHandler/Command() look for)."""
    match = re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?", text)
    if not match:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]


# -- HTML parse mode ------------------------------------------------------------------
_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
        "tg-time",
    }
)
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(\s[^<>]*)?>")
_ENTITY_RE = re.compile(r"&(#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);")
_NAMED_ENTITIES = frozenset({"lt", "gt", "amp", "quot"})


def html_to_text(source: str) -> str:
    """Plain text of an HTML-formatted message, or the Bot API's parse error."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(source):
        char = source[i]
        offset = len(source[:i].encode())
        if char == "<":
            match = _TAG_RE.match(source, i)
            if match is None:
                raise bad_request(
                    f'can\'t parse entities: Unsupported start tag "" at byte offset {offset}'
                )
            closing, name = match.group(1), match.group(2).lower()
            if name not in _HTML_TAGS:
                raise bad_request(
                    f'can\'t parse entities: Unsupported start tag "{name}" at byte offset {offset}'
                )
            if closing:
                if not stack or stack[-1] != name:
                    expected = f', expected "</{stack[-1]}>"' if stack else ""
                    raise bad_request(
                        "can't parse entities: Unmatched end tag at byte offset "
                        f'{offset}{expected}, found "</{name}>"'
                    )
                stack.pop()
            else:
                stack.append(name)
            i = match.end()
        elif char == "&":
            match = _ENTITY_RE.match(source, i)
            if match and (match.group(1).startswith("#") or match.group(1) in _NAMED_ENTITIES):
                out.append(html.unescape(match.group(0)))
                i = match.end()
            elif match:
                raise bad_request(
                    f"can't parse entities: Unsupported HTML entity at byte offset {offset}"
                )
            else:
                out.append(char)
                i += 1
        elif char == ">":
            raise bad_request(
                f"can't parse entities: Unexpected end of name token at byte offset {offset}"
            )
        else:
            out.append(char)
            i += 1
    if stack:
        raise bad_request(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return "".join(out)


def render_text(text: str, parse_mode: str | None) -> str:
    """The text as Telegram stores it (entities stripped). MarkdownV2 is not validated."""
    if not parse_mode:
        return text
    mode = parse_mode.lower()
    if mode == "html":
        return html_to_text(text)
    if mode == "markdownv2":
        return re.sub(r"\\(.)", r"\1", text)
    if mode == "markdown":
        return text
    raise bad_request(f"unsupported parse_mode {parse_mode!r}")


# -- keyboards -------------------------------------------------------------------------
_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "login_url",
    "web_app",
    "copy_text",
)


def validate_markup(markup: Any) -> dict[str, Any] | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup  # reply keyboards, remove_keyboard, force_reply: accepted as is
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    if sum(len(r) for r in rows) > 100:
        raise bad_request("reply markup is too long")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request("can't parse inline keyboard button: Text buttons are unallowed")
            if not any(k in button for k in _BUTTON_ACTIONS):
                raise bad_request("text buttons are unallowed in the inline keyboard")
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in button and not re.match(r"(https?|tg)://", str(button["url"])):
                raise bad_request("BUTTON_URL_INVALID")
    return markup


def inline_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """Telegram echoes only inline keyboards in the returned Message."""
    if markup and "inline_keyboard" in markup:
        return markup
    return None


# -- stored state ----------------------------------------------------------------------
@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_name: str
    mime_type: str
    data: bytes
    file_path: str

    def document_json(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "file_size": len(self.data),
        }


@dataclass
class StoredMessage:
    """A message's current state in a chat; `history` keeps each earlier version."""

    chat_id: int
    message_id: int
    date: int
    from_bot: bool
    user: dict[str, Any]
    text: str | None = None
    raw_text: str | None = None
    parse_mode: str | None = None
    entities: list[dict[str, Any]] | None = None
    caption: str | None = None
    reply_markup: dict[str, Any] | None = None
    document: StoredFile | None = None
    edit_date: int | None = None
    deleted: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Inline keyboard as rows of (text, callback_data)."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [[(b.get("text", ""), b.get("callback_data")) for b in row] for row in rows]

    def snapshot(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "raw_text": self.raw_text,
            "caption": self.caption,
            "reply_markup": self.reply_markup,
            "edit_date": self.edit_date,
        }

    def to_json(self) -> dict[str, Any]:
        """Transcript form (control API): includes file bytes as base64."""
        doc = None
        if self.document is not None:
            doc = self.document.document_json() | {
                "base64": base64.b64encode(self.document.data).decode(),
            }
        return {
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "date": self.date,
            "from_bot": self.from_bot,
            "user_id": self.user.get("id"),
            "text": self.text,
            "raw_text": self.raw_text,
            "parse_mode": self.parse_mode,
            "caption": self.caption,
            "reply_markup": self.reply_markup,
            "document": doc,
            "edit_date": self.edit_date,
            "deleted": self.deleted,
            "history": self.history,
        }


@dataclass
class ChatState:
    chat_id: int
    title: str | None = None
    first_name: str | None = None
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1

    def chat_json(self) -> dict[str, Any]:
        if self.chat_id > 0:
            return {"id": self.chat_id, "type": "private", "first_name": self.first_name or "User"}
        kind = "supergroup" if str(self.chat_id).startswith("-100") else "group"
        return {"id": self.chat_id, "type": kind, "title": self.title or f"Group {self.chat_id}"}

    def bot_messages(self, *, include_deleted: bool = False) -> list[StoredMessage]:
        return [
            m for m in self.messages.values() if m.from_bot and (include_deleted or not m.deleted)
        ]


@dataclass
class CallbackState:
    query_id: str
    chat_id: int
    message_id: int
    user_id: int
    data: str
    created: float
    answered_at: float | None = None
    answer: dict[str, Any] | None = None


def upload_or_ref(value: Any, uploads: dict[str, Upload], field_name: str) -> Upload | str:
    """Resolve an InputFile parameter: direct multipart part, attach://name, or a file_id/URL."""
    if field_name in uploads:
        return uploads[field_name]
    if isinstance(value, str) and value.startswith("attach://"):
        name = value.removeprefix("attach://")
        if name not in uploads:
            raise bad_request(f'file to attach "{name}" not found')
        return uploads[name]
    if isinstance(value, str) and value:
        return value
    raise bad_request(f"there is no {field_name} in the request")

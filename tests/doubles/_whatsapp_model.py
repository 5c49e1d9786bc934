"""State and the Cloud API's rules for outgoing messages (no HTTP here)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any

MAX_TEXT = 4096
MAX_BODY = 1024
MAX_CAPTION = 1024
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_BUTTON_ID = 256
MAX_LIST_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_ID = 200
MAX_ROW_DESCRIPTION = 72
MAX_DOCUMENT = 100 * 1024 * 1024
MAX_IMAGE = 5 * 1024 * 1024
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})
MEDIA_TYPES = ("document", "image", "video", "audio", "sticker")
FREE_FORM_TYPES = frozenset(
    {
        "text",
        "interactive",
        "document",
        "image",
        "video",
        "audio",
        "sticker",
        "location",
        "contacts",
        "reaction",
    }
)


class GraphError(Exception):
    """A Graph API error answer: {"error": {"message", "type", "code", "error_data", ...}}."""

    def __init__(
        self,
        code: int,
        title: str,
        details: str | None = None,
        *,
        status: int = 400,
        kind: str = "OAuthException",
    ) -> None:
        super().__init__(f"({code}) {title}")
        self.code = code
        self.title = title
        self.details = details
        self.status = status
        self.kind = kind

    def payload(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "message": f"(#{self.code}) {self.title}",
            "type": self.kind,
            "code": self.code,
            "fbtrace_id": "A" + secrets.token_urlsafe(16),
        }
        if self.details is not None:
            error["error_data"] = {"messaging_product": "whatsapp", "details": self.details}
        return {"error": error}

    def webhook_error(self) -> dict[str, Any]:
        """The same error as it appears in a failed status webhook."""
        return {
            "code": self.code,
            "title": self.title,
            "message": self.title,
            "error_data": {"details": self.details or self.title},
            "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
        }


def invalid(details: str) -> GraphError:
    return GraphError(100, "Invalid parameter", details)


def not_valid(details: str) -> GraphError:
    return GraphError(131009, "Parameter value is not valid", details)


RE_ENGAGEMENT = GraphError(
    131047,
    "Re-engagement message",
    "Message failed to send because more than 24 hours have passed since the customer "
    "last replied to this number.",
)
PAIR_RATE = GraphError(
    131056,
    "(Business Account, Consumer Account) pair rate limit hit",
    "Message failed to send because there were too many messages sent from this phone "
    "number to the same phone number in a short period of time.",
)
THROUGHPUT = GraphError(130429, "Rate limit hit", "Cloud API message throughput has been reached.")
BAD_TOKEN = GraphError(190, "Invalid OAuth access token - Cannot parse access token", status=401)
UNKNOWN = GraphError(1, "An unknown error has occurred.", status=500)


def new_wamid() -> str:
    return "wamid.HBgN" + base64.b64encode(secrets.token_bytes(24)).decode().rstrip("=")


# -- state ------------------------------------------------------------------------------
@dataclass
class MediaObject:
    id: str
    data: bytes
    mime_type: str
    filename: str | None
    uploaded_by: str  # "business" (POST /media) or "user" (arrived in a webhook)

    @property
    def sha256_hex(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def sha256_b64(self) -> str:
        """Webhook payloads carry the digest base64-encoded; GET /{media_id} gives hex."""
        return base64.b64encode(hashlib.sha256(self.data).digest()).decode()


@dataclass
class WaMessage:
    """One message in a user's thread, in either direction, with its current status."""

    id: str
    phone: str
    direction: str  # "out" (business -> user) or "in"
    type: str
    at: float
    content: dict[str, Any]
    context_id: str | None = None
    statuses: list[str] = field(default_factory=list)
    failed_with: int | None = None

    @property
    def text(self) -> str | None:
        """What the user reads: text body, interactive body, caption or template name."""
        c = self.content
        if self.type == "text":
            return c.get("body")
        if self.type == "interactive":
            if "button_reply" in c or "list_reply" in c:
                return (c.get("button_reply") or c.get("list_reply") or {}).get("title")
            return (c.get("body") or {}).get("text")
        if self.type == "template":
            return c.get("name")
        return c.get("caption")

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """Reply buttons as (id, title)."""
        action = self.content.get("action") or {}
        return [(b["reply"]["id"], b["reply"]["title"]) for b in action.get("buttons") or []]

    @property
    def rows(self) -> list[tuple[str, str]]:
        """List rows as (id, title)."""
        action = self.content.get("action") or {}
        return [
            (row["id"], row["title"])
            for section in action.get("sections") or []
            for row in section.get("rows") or []
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "phone": self.phone,
            "direction": self.direction,
            "type": self.type,
            "at": self.at,
            "content": self.content,
            "context_id": self.context_id,
            "statuses": self.statuses,
            "failed_with": self.failed_with,
            "text": self.text,
        }


@dataclass
class UserThread:
    phone: str
    name: str | None = None
    messages: list[WaMessage] = field(default_factory=list)
    last_inbound: float | None = None
    last_outbound: float | None = None

    @property
    def user_id(self) -> str:
        """Business-scoped user id (BSUID), stable per phone: pywa 4.5 requires it."""
        return "ID." + str(int(hashlib.sha256(self.phone.encode()).hexdigest()[:15], 16))

    def sent(self) -> list[WaMessage]:
        return [m for m in self.messages if m.direction == "out" and m.failed_with is None]


# -- validation of POST /{phone_id}/messages ---------------------------------------------
def _length(value: Any, low: int, high: int) -> bool:
    return isinstance(value, str) and low <= len(value) <= high


def validate_outbound(
    body: dict[str, Any], media: dict[str, MediaObject], known_templates: frozenset[str] | None
) -> tuple[str, dict[str, Any]]:
    """(type, content) of a valid send request, or the GraphError the Cloud API gives."""
    if body.get("messaging_product") != "whatsapp":
        raise invalid("The parameter messaging_product is required.")
    if not body.get("to") and not body.get("recipient"):
        raise invalid("The parameter to is required.")
    kind = body.get("type", "text")
    content = body.get(kind)
    if not isinstance(content, dict):
        raise invalid(f"The parameter {kind} is required.")
    if kind == "text":
        if not _length(content.get("body"), 1, MAX_TEXT):
            raise invalid(f"Param text['body'] must be at most {MAX_TEXT} characters long.")
    elif kind == "interactive":
        _validate_interactive(content)
    elif kind in MEDIA_TYPES:
        _validate_media(kind, content, media)
    elif kind == "template":
        name = content.get("name")
        if not name or not (content.get("language") or {}).get("code"):
            raise invalid("Template name and language code are required.")
        if known_templates is not None and name not in known_templates:
            raise GraphError(
                132001,
                "Template name does not exist in the translation",
                f"template name ({name}) does not exist in {content['language']['code']}",
            )
    elif kind not in FREE_FORM_TYPES:
        raise invalid(f'Unexpected key "{kind}" on param "type".')
    return kind, content


def _validate_interactive(content: dict[str, Any]) -> None:
    itype = content.get("type")
    body_text = (content.get("body") or {}).get("text")
    if itype in ("button", "list") and not _length(body_text, 1, MAX_BODY):
        raise invalid(f"Param interactive['body']['text'] must be 1-{MAX_BODY} characters long.")
    header = content.get("header") or {}
    if header.get("type") == "text" and not _length(header.get("text"), 1, 60):
        raise not_valid("Header text length invalid. Min length: 1, Max length: 60")
    footer = content.get("footer") or {}
    if footer and not _length(footer.get("text"), 1, 60):
        raise not_valid("Footer text length invalid. Min length: 1, Max length: 60")
    action = content.get("action") or {}
    if itype == "button":
        buttons = action.get("buttons") or []
        if not 1 <= len(buttons) <= MAX_BUTTONS:
            raise not_valid(f"Buttons count is invalid. Min: 1, Max: {MAX_BUTTONS}")
        ids, titles = set(), set()
        for button in buttons:
            reply = button.get("reply") or {}
            if button.get("type") != "reply":
                raise not_valid("Button type is invalid. Expected: reply")
            if not _length(reply.get("title"), 1, MAX_BUTTON_TITLE):
                raise not_valid(
                    f"Button title length invalid. Min length: 1, Max length: {MAX_BUTTON_TITLE}"
                )
            if not _length(reply.get("id"), 1, MAX_BUTTON_ID):
                raise not_valid(
                    f"Button id length invalid. Min length: 1, Max length: {MAX_BUTTON_ID}"
                )
            if reply["id"] in ids or reply["title"] in titles:
                raise not_valid("Button title and id must be unique.")
            ids.add(reply["id"])
            titles.add(reply["title"])
    elif itype == "list":
        if not _length(action.get("button"), 1, 20):
            raise not_valid("Button label length invalid. Min length: 1, Max length: 20")
        sections = action.get("sections") or []
        rows = [row for section in sections for row in section.get("rows") or []]
        if not sections or len(sections) > 10 or not rows:
            raise not_valid("Sections count is invalid. Min: 1, Max: 10")
        if len(rows) > MAX_LIST_ROWS:
            raise not_valid(f"Total row count exceed max allowed count: {MAX_LIST_ROWS}")
        if len(sections) > 1 and not all(s.get("title") for s in sections):
            raise not_valid("Section title is required when there is more than one section.")
        seen: set[str] = set()
        for row in rows:
            if not _length(row.get("id"), 1, MAX_ROW_ID) or row["id"] in seen:
                raise not_valid(f"Row id is invalid or not unique. Max length: {MAX_ROW_ID}")
            seen.add(row["id"])
            if not _length(row.get("title"), 1, MAX_ROW_TITLE):
                raise not_valid(
                    f"Row title length invalid. Min length: 1, Max length: {MAX_ROW_TITLE}"
                )
            if "description" in row and not _length(row["description"], 0, MAX_ROW_DESCRIPTION):
                raise not_valid(
                    f"Row description length invalid. Max length: {MAX_ROW_DESCRIPTION}"
                )


def _validate_media(kind: str, content: dict[str, Any], media: dict[str, MediaObject]) -> None:
    has_id, has_link = "id" in content, "link" in content
    if has_id == has_link:
        raise invalid(f"Param {kind} must have exactly one of id or link.")
    if has_id and str(content["id"]) not in media:
        raise GraphError(131053, "Media upload error", f"Unknown media id {content['id']}.")
    if "caption" in content and not _length(content["caption"], 0, MAX_CAPTION):
        raise invalid(f"Param {kind}['caption'] must be at most {MAX_CAPTION} characters long.")

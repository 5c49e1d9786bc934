"""What goes out to Telegram: the Bot API's limits, inline keyboards, long texts cut at
line ends, and platform failures as the port's errors.

Shared by both library adapters (telegram_ptb, telegram_aiogram), so both render and
translate the same way by construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from staffbot.channels.base import ChannelName
from staffbot.errors import (
    BadChannelRequest,
    ChannelError,
    ChannelUnavailable,
    RecipientUnreachable,
    RetryAfter,
)
from staffbot.messages import Choice

NAME = ChannelName.TELEGRAM
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_ANSWER = 200

ErrorKind = Literal["retry_after", "unavailable", "bad_request", "unreachable"]


@dataclass(frozen=True)
class Button:
    label: str
    data: str


Keyboard = list[list[Button]]


def keyboard(choices: Sequence[Choice]) -> Keyboard | None:
    """Inline keyboard rows: short labels share a row (up to 3, about 30 characters)."""
    if not choices:
        return None
    rows: Keyboard = []
    row: list[Button] = []
    width = 0
    for choice in choices:
        data = choice.token
        if not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
            raise BadChannelRequest(
                channel=NAME, problem=f"callback_data must be 1-{MAX_CALLBACK_DATA} bytes"
            )
        label = choice.label.strip() or "•"
        if row and (len(row) == 3 or width + len(label) > 30):
            rows.append(row)
            row, width = [], 0
        row.append(Button(label, data))
        width += len(label)
    rows.append(row)
    return rows


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut a long text at line ends (our rich-text tags never span lines)."""
    text = text or "\u2063"  # Telegram refuses empty texts
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


def caption_for(text: str) -> str | None:
    return text if text and len(text) <= MAX_CAPTION else None


# -- errors ------------------------------------------------------------------------------


def channel_error(kind: ErrorKind, problem: str, retry_after: float | None = None) -> ChannelError:
    """The port's error for a classified platform failure (raise it ``from`` the original)."""
    if kind == "retry_after":
        return RetryAfter(channel=NAME, problem=problem, retry_after=retry_after or 1.0)
    if kind == "bad_request":
        return BadChannelRequest(channel=NAME, problem=problem)
    if kind == "unreachable":
        return RecipientUnreachable(channel=NAME, problem=problem)
    return ChannelUnavailable(channel=NAME, problem=problem)


def _problem(exc: ChannelError) -> str:
    return str(exc.params.get("problem", "")).lower()


def not_modified(exc: ChannelError) -> bool:
    return isinstance(exc, BadChannelRequest) and "not modified" in _problem(exc)


def already_deleted(exc: ChannelError) -> bool:
    return isinstance(exc, BadChannelRequest) and "message to delete not found" in _problem(exc)

"""A chat's transcript as JSON, and its live stream (Server-Sent Events).

The outbox is the transcript: the delivered rows of (channel, chat_id) in id order
(:class:`ReadTranscript` on the bus). The stream reads again whenever the web channel
signals a delivery (or every couple of seconds), so rows delivered by another bot
process arrive too.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from staffbot.app.commands.web import HasNewMessages, ReadTranscript, TranscriptMessage
from staffbot.timefmt import short_time
from staffbot.web.context import Web

#: First page load: the newest rows only (a busy desk has hundreds of cards a week).
FIRST_PAGE = 300
#: Later reads: at most this many rows per answer ("more" says there are others).
PAGE = 500
#: Re-read the database at least this often, woken or not.
POLL_SECONDS = 2.0
#: A comment line this often keeps proxies and phones from closing an idle stream.
HEARTBEAT_SECONDS = 15.0
#: A stream ends after this long; the browser reconnects (Last-Event-ID) at once.
#: Bounds how long a stopping server waits for open streams.
STREAM_SECONDS = 25.0
#: The channel wakes the stream just before the dispatcher marks the row sent:
#: look again after these pauses until the row shows up.
SETTLE = (0.02, 0.05, 0.1, 0.2, 0.4, 0.8)

_ALLOWED_TAG = re.compile(r"(</?(?:b|i|code)>)")

DocUrl = Callable[[int], str]


def safe_rich(text: str) -> str:
    """Bot text is already escaped rich text; make sure no other tag can get through."""
    parts = _ALLOWED_TAG.split(text)
    return "".join(
        part if i % 2 else part.replace("<", "&lt;").replace(">", "&gt;")
        for i, part in enumerate(parts)
    )


def message_json(message: TranscriptMessage, web: Web, doc_url: DocUrl) -> dict[str, Any]:
    office = web.deps.office
    at = message.at
    out: dict[str, Any] = {
        "id": message.id,
        "kind": message.kind,
        "text": safe_rich(message.text),
        "choices": [{"label": c.label, "token": c.token} for c in message.choices],
        "ref_id": message.ref_id,
        "at": short_time(at, office.tz, office.now(), office.language) if at else "",
    }
    attachment = message.attachment
    if attachment:
        out["attachment"] = {
            "id": attachment.document_id,
            "filename": attachment.filename,
            "url": doc_url(attachment.document_id),
        }
    if message.kind == "delete":
        out["message_id"] = message.message_id
    return out


async def transcript(
    web: Web, channel: str, chat_id: str, after: int, doc_url: DocUrl
) -> dict[str, Any]:
    limit = FIRST_PAGE if after <= 0 else PAGE
    page = await web.deps.bus.handle(ReadTranscript(channel, chat_id, after, limit))
    messages = [message_json(m, web, doc_url) for m in page.messages]
    return {
        "messages": messages,
        "last_id": max([after, *(m["id"] for m in messages)]),
        "more": page.more,
        # A PIN prompt is waiting: the page masks its text box and does not echo it.
        "input": "pin" if page.awaiting_pin else "text",
    }


async def _has_new(web: Web, channel: str, chat_id: str, after: int) -> bool:
    return await web.deps.bus.handle(HasNewMessages(channel, chat_id, after))


async def stream(
    web: Web,
    channel: str,
    chat_id: str,
    after: int,
    doc_url: DocUrl,
    still_allowed: Callable[[], Awaitable[bool]],
) -> AsyncIterator[str]:
    """SSE lines for one chat; ends on logout, server stop or after STREAM_SECONDS."""
    web_channel = web.deps.channel
    listener = web_channel.listen(chat_id)
    loop = asyncio.get_running_loop()
    started = last_write = loop.time()
    try:
        yield "retry: 1500\n\n"
        while True:
            listener.clear()
            if not await still_allowed():
                yield "event: logout\ndata: {}\n\n"
                return
            batch = await transcript(web, channel, chat_id, after, doc_url)
            if batch["messages"]:
                after = batch["last_id"]
                yield f"id: {after}\nevent: messages\ndata: {json.dumps(batch)}\n\n"
                last_write = loop.time()
                if batch["more"]:
                    continue
            elif loop.time() - last_write >= HEARTBEAT_SECONDS:
                yield ": ping\n\n"
                last_write = loop.time()
            if web.closing.is_set() or loop.time() - started >= STREAM_SECONDS:
                return
            try:
                await asyncio.wait_for(listener.wait(), timeout=POLL_SECONDS)
            except TimeoutError:
                continue
            for pause in SETTLE:
                if web.closing.is_set() or await _has_new(web, channel, chat_id, after):
                    break
                await asyncio.sleep(pause)
    finally:
        web_channel.unlisten(chat_id, listener)


def after_of(query: str | None, last_event_id: str | None = None) -> int:
    """The cursor: ?after=N, or the Last-Event-ID of a reconnecting EventSource."""
    values = [v for v in (query, last_event_id) if v and v.isdigit() and len(v) < 19]
    return max((int(v) for v in values), default=0)

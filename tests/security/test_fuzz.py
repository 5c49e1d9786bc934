"""Hypothesis-driven fuzzing of what strangers and staff can type or send:

* the webhook parsers (a Telegram update's JSON, a WhatsApp Cloud API payload): any
  JSON at all becomes an event or nothing, never an exception (an exception would be a
  500, and the platform would deliver the same poison again and again);
* the command parser and the intake form, through the chat service: whatever is typed,
  the person gets an answer (the next question, or why the answer was refused) and no
  unhandled exception escapes.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from staffbot.bootstrap import build_bus
from staffbot.channels.base import CommandReceived, Incoming, TextReceived
from staffbot.channels.telegram_updates import parse_update
from staffbot.channels.whatsapp_webhook import parse_payload
from staffbot.chat.service import ChatService
from tests.support import ROSTER, Desk

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
FIGURES: dict[str, int] = {}


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    return sqlite_url


async def _download(_: str) -> bytes:
    return b""


# -- JSON shaped like the platforms' payloads, and not quite -----------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False),
    st.text(max_size=30),
)
anything = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=25,
)


def shaped(keys: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A dict with some of the expected keys (each possibly of the wrong type)."""
    return st.fixed_dictionaries({}, optional={k: st.one_of(v, anything) for k, v in keys.items()})


tg_user = shaped({"id": st.integers(), "is_bot": st.booleans(), "first_name": st.text()})
tg_chat = shaped({"id": st.integers(), "type": st.sampled_from(["private", "group"])})
tg_message = shaped(
    {
        "message_id": st.integers(),
        "from": tg_user,
        "chat": tg_chat,
        "text": st.text(max_size=80),
        "document": shaped(
            {"file_id": st.text(), "file_name": st.text(), "file_size": st.integers()}
        ),
        "photo": st.lists(shaped({"file_id": st.text(), "file_size": st.integers()}), max_size=3),
        "caption": st.text(),
    }
)
tg_update = shaped(
    {
        "update_id": st.integers(),
        "message": tg_message,
        "callback_query": shaped(
            {"id": st.text(), "from": tg_user, "message": tg_message, "data": st.text()}
        ),
    }
)

wa_message = shaped(
    {
        "from": st.text(max_size=16),
        "id": st.text(max_size=20),
        "type": st.sampled_from(["text", "interactive", "button", "image", "document", "x"]),
        "text": shaped({"body": st.text()}),
        "interactive": shaped(
            {
                "button_reply": shaped({"id": st.text(), "title": st.text()}),
                "list_reply": shaped({"id": st.text()}),
            }
        ),
        "button": shaped({"payload": st.text()}),
        "image": shaped({"id": st.text(), "mime_type": st.text()}),
        "document": shaped({"id": st.text(), "filename": st.text(), "mime_type": st.text()}),
        "context": shaped({"id": st.text()}),
    }
)
wa_value = shaped(
    {
        "metadata": shaped({"phone_number_id": st.sampled_from(["111", "222"])}),
        "contacts": st.lists(
            shaped({"wa_id": st.text(), "profile": shaped({"name": st.text()})}), max_size=2
        ),
        "messages": st.lists(wa_message, max_size=3),
        "statuses": st.lists(
            shaped(
                {
                    "id": st.text(),
                    "status": st.text(),
                    "recipient_id": st.text(),
                    "errors": st.lists(shaped({"code": st.integers()}), max_size=2),
                }
            ),
            max_size=2,
        ),
    }
)
wa_payload = shaped(
    {
        "object": st.just("whatsapp_business_account"),
        "entry": st.lists(
            shaped(
                {
                    "id": st.text(),
                    "changes": st.lists(
                        shaped({"field": st.just("messages"), "value": wa_value}), max_size=2
                    ),
                }
            ),
            max_size=2,
        ),
    }
)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(tg_update, anything))
def test_any_telegram_update_is_an_event_or_nothing(update: Any) -> None:
    FIGURES["telegram updates"] = FIGURES.get("telegram updates", 0) + 1
    if not isinstance(update, dict):
        return  # the webhook answers 400 before parsing anything that is not an object
    parsed = parse_update(update, now=NOW, download=_download)
    assert parsed is None or isinstance(parsed.event, Incoming)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(wa_payload, anything))
def test_any_whatsapp_payload_is_events_or_nothing(payload: Any) -> None:
    FIGURES["whatsapp payloads"] = FIGURES.get("whatsapp payloads", 0) + 1
    if not isinstance(payload, dict):
        return
    batch = parse_payload(payload, phone_id="111", now=NOW, download=_download)
    assert all(isinstance(e, Incoming) for e in batch.events)


# -- typed at the bot -------------------------------------------------------------------

typed = st.one_of(
    st.text(max_size=200),
    st.from_regex(r"\A/[a-zA-Z_@]{0,12}( .{0,40})?\Z"),
    st.from_regex(r"\A[0-9 +.\-]{0,25}\Z"),
    st.sampled_from(
        [
            "1806054501900001",
            "0812 3456 7890",
            "Kota Agung",
            "KTP-el",
            "<b>x</b>",
            "'; DROP TABLE cases; --",
            "\u202e",
            "\x00",
            "/start " + "A" * 300,
        ]
    ),
)
_ids = itertools.count(1)


def _events(staff_id: int, texts: list[str]) -> list[Incoming]:
    out: list[Incoming] = []
    for text in texts:
        base = {
            "channel": "web",
            "chat_id": str(staff_id),
            "user_id": str(staff_id),
            "at": NOW,
            "update_id": f"fuzz:{next(_ids)}",
        }
        if text.startswith("/") and len(text) > 1:
            command, _, args = text[1:].partition(" ")
            out.append(CommandReceived(**base, command=command.lower(), args=args.strip()))
        else:
            out.append(TextReceived(**base, text=text, message_id=base["update_id"]))
    return out


@pytest.mark.slow
async def test_commands_and_the_intake_form_answer_whatever_is_typed(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    chat = ChatService(desk.bus)
    async with desk.db.uow(readonly=True) as uow:
        staff = await uow.staff.by_nip(ROSTER["petugas_call_center"])
        assert staff is not None and staff.id is not None
        staff_id = staff.id
    tried = 0

    @settings(
        max_examples=60 if os.environ.get("STAFFBOT_SOAK") != "full" else 400,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(typed, min_size=1, max_size=8))
    def conversation(texts: list[str]) -> None:
        nonlocal tried
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(_talk(chat, desk, staff_id, ["/baru", *texts]))
        finally:
            loop.close()
        tried += len(texts) + 1

    # hypothesis drives a synchronous function; the database is reached from a loop of
    # its own for each example, so the engines are made and closed in that loop too
    await asyncio.to_thread(conversation)
    FIGURES["typed inputs"] = tried
    # docs/SECURITY.md's figures (the parsers' counts when their tests ran before this one)
    with capsys.disabled():
        print(f"\nfuzz: {FIGURES}")


async def _talk(chat: ChatService, desk: Desk, staff_id: int, texts: list[str]) -> None:
    from storage.db import Database

    db = Database(desk.db.url)
    await db.initialize()
    try:
        service = ChatService(build_bus(db, desk.office))
        for event in _events(staff_id, texts):
            before = await _replies(db, staff_id)
            answer = await service.handle(event)
            after = await _replies(db, staff_id)
            # an answer: a toast, or at least one new message in the chat
            assert answer.text or after > before, event
    finally:
        await db.shutdown()


async def _replies(db: Any, staff_id: int) -> int:
    async with db.uow(readonly=True) as uow:
        return len(await uow.outbox.for_chat("web", str(staff_id), limit=100_000))

"""What one button press costs in SQL statements, fixed per step.

Not a timing test: the number of statements a press sends is a property of the code,
the same on every machine. A change that adds a query to the hot path (an N+1 over the
holders of a role, a lazy load, a second commit) shows up here as a different number;
a change that saves one updates the table. docs/PERFORMANCE.md explains the figures.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from staffbot.channels.base import ChoicePressed
from staffbot.chat.service import ChatService
from tests.perf.support import statements_sent
from tests.support import ROSTER, Desk

AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
_ids = itertools.count(1)

#: Statements sent by one press of the step's button (the chat layer: token lookup,
#: checks, the transition, its audit event and outbox rows, the commit), per database.
#: SQLite's extra one per transaction is its BEGIN IMMEDIATE.
PRESS_BUDGET = {
    "sqlite": {
        "terima_wa": 18,
        # + the printable dossier: its document row and attachments, and the register's
        # look for an earlier version it replaces (services/register.py)
        "angkat_data": 23,
        "cetak_berkas": 18,
        # + the registration number and the bukti pendaftaran (and its register look)
        "loket": 26,
        "verifikasi_kasi": 18,
        "cetak_dokumen": 19,
        "paraf_kabid": 18,
        "pilah": 19,
    },
}
PRESS_BUDGET["postgresql"] = {step: n - 1 for step, n in PRESS_BUDGET["sqlite"].items()}
#: The one-tap buttons of the SOP, pressed in order (step key, button label).
PRESSES = (
    ("terima_wa", "Teruskan"),
    ("angkat_data", "Selesai"),
    ("cetak_berkas", "Selesai"),
    ("loket", "Setujui"),
    ("verifikasi_kasi", "Setujui"),
)
PRESSES_AFTER_SIGNING = (
    ("cetak_dokumen", "Selesai"),
    ("paraf_kabid", "Paraf"),
    ("pilah", "Selesai"),
)


async def press(desk: Desk, chat: ChatService, role: str, label: str) -> list[tuple[str, Any]]:
    async with desk.db.uow(readonly=True) as uow:
        staff = await uow.staff.by_nip(ROSTER[role])
        assert staff is not None
        rows = await uow.outbox.for_chat(staff.channel or "web", str(staff.id))
    token = next(
        choice["token"]
        for row in reversed(rows)
        for choice in row.payload.get("choices", [])
        if choice["label"] == label
    )
    who = str(staff.id)
    pressed = ChoicePressed(
        channel="web", chat_id=who, user_id=who, at=AT, update_id=f"u{next(_ids)}", token=token
    )
    with statements_sent(desk.db) as seen:
        answer = await chat.handle(pressed)
    assert answer.text, answer
    return seen


async def test_statements_per_press(desk: Desk) -> None:
    chat = ChatService(desk.bus)
    number = (await desk.new_case()).number
    flow = desk.office.flow
    spent: dict[str, int] = {}
    for step, label in PRESSES:
        assert await desk.step_of(number) == step
        spent[step] = len(await press(desk, chat, flow.step(step).role, label))
    await desk.act(number, "submit_tte")
    await desk.act(number, "sign")
    for step, label in PRESSES_AFTER_SIGNING:
        assert await desk.step_of(number) == step
        spent[step] = len(await press(desk, chat, flow.step(step).role, label))
    assert spent == PRESS_BUDGET["sqlite" if desk.db.is_sqlite else "postgresql"]

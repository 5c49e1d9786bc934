"""An office on Telegram for the crash and scale-out tests: a roster bound to Telegram ids
(`staff add --telegram`), cases recorded by the call center, and a crowd of staff who
press the buttons they see in the Telegram double, in bursts, racing each other.

Everything here reads what the platform (the standalone double) shows and what the
database holds; nothing asks the bot's code how it went.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from staffbot.app.commands.cases import IntakeForm, RecordCase, Who
from staffbot.app.commands.staff import DEMO_PIN, DEMO_ROSTER
from staffbot.bootstrap import open_app
from staffbot.cli.root import app
from staffbot.messages import EDIT_SENDS_DOCUMENT
from staffbot.settings import Settings
from tests.doubles.control import ControlClient

TOKEN = "424242:CRASH-test-token"
#: Full rounds with `make soak` (STAFFBOT_SOAK=full), short rounds in CI.
FULL = os.environ.get("STAFFBOT_SOAK") == "full"

#: role -> how many holders (several holders of a role race for the same card)
HOLDERS = {
    "operator_penerima_wa": 3,
    "operator_pengangkat_data": 2,
    "operator_cetak_berkas": 2,
    "petugas_loket_pendaftaran": 2,
    "kasi_identitas_penduduk": 1,
    "operator": 3,
    "kepala_dinas": 1,
    "kepala_bidang": 1,
    "petugas_pemilah_berkas": 2,
    "operator_pengirim_pdf": 1,
    "kasi_inovasi": 1,
}
FIRST_NAMES = (
    "Agus Salim",
    "Bayu Pratama",
    "Citra Dewi",
    "Dian Puspita",
    "Eko Wahyudi",
    "Fajar Nugroho",
    "Gita Permata",
    "Hadi Susanto",
    "Indah Lestari",
    "Joko Widodo",
    "Kartika Sari",
    "Lukman Hakim",
    "Mega Utami",
    "Nanda Putra",
    "Oki Setiawan",
    "Putri Anggraini",
    "Rahmat Hidayat",
    "Sinta Maharani",
    "Taufik Rahman",
)
#: Buttons the crowd presses (never Tolak: every case goes forward).
FORWARD = ("Teruskan", "Selesai", "Setujui", "Ajukan TTE", "Buat Surat Tanggapan")
FORWARD += ("Tanda Tangani", "Paraf", "Kirim PDF", "Buat BA")
PIN_PROMPT = "Masukkan PIN"
CALL_CENTER = "199001012015032005"
NIK = "1806054501900001"
PHONE = "+6281234567890"


@dataclass(frozen=True)
class Member:
    role: str
    name: str
    nip: str
    telegram_id: int


def roster() -> list[Member]:
    members = []
    kadis_name, kadis_nip = DEMO_ROSTER[0][1], DEMO_ROSTER[0][2]  # the demo PKI's signer
    n = 0
    for role, count in HOLDERS.items():
        for _ in range(count):
            if role == "kepala_dinas":
                name, nip = kadis_name, kadis_nip
            else:
                name = FIRST_NAMES[n % len(FIRST_NAMES)]
                nip = f"1990010120150310{n:02d}"
            members.append(Member(role, name, nip, 810_000 + n))
            n += 1
    return members


def cli(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def add_roster(env: dict[str, str], members: Iterable[Member]) -> None:
    """Every member with `staff add --telegram`, plus the call center (web)."""
    cli(
        env,
        "staff",
        "add",
        "--name",
        "Rina Marlina",
        "--nip",
        CALL_CENTER,
        "--role",
        "petugas_call_center",
    )
    for m in members:
        args = ["staff", "add", "--name", m.name, "--nip", m.nip, "--role", m.role]
        args += ["--telegram", str(m.telegram_id)]
        if m.role == "kepala_dinas":
            args += ["--pin", DEMO_PIN]
        cli(env, *args)


async def record_cases(settings: Settings, n: int, *, kecamatan: str = "Gisting") -> list[str]:
    numbers = []
    async with open_app(settings) as rt:
        for i in range(n):
            form = IntakeForm(
                name=f"Pemohon Uji {chr(65 + i % 26)}",
                nik=NIK,
                wa=PHONE,
                kecamatan=kecamatan,
                layanan="KK",
                keluhan="Perubahan data KK",
            )
            result = await rt.bus.handle(RecordCase(Who(nip=CALL_CENTER), form))
            numbers.append(result.number)
    return numbers


# -- the crowd -------------------------------------------------------------------------


@dataclass
class Press:
    chat_id: int
    message_id: int
    label: str
    update_id: int
    kind: str  # press, resend (same callback again), tap (a second tap)


@dataclass
class Crowd:
    """Staff pressing whatever forward button they see, several at once."""

    ctl: ControlClient
    rng: random.Random
    #: a press never answered is repeated after this long (it was lost in a crash) ...
    repress_after: float = 8.0
    #: ... and an answered one whose card still has its buttons after this long
    stalled_after: float = 60.0
    presses: list[Press] = field(default_factory=list)
    pins: int = 0
    _last: dict[tuple[int, int, str], float] = field(default_factory=dict)
    _answered_prompts: set[tuple[int, int]] = field(default_factory=set)

    async def round(self) -> int:
        """One look at every chat; press what is due. Returns how many updates went in."""
        chats: dict[str, list[dict[str, Any]]] = await self.ctl.get("chats")
        answered = {
            (c["chat_id"], c["message_id"], c["data"])
            for c in (await self.ctl.get("callbacks")).values()
            if c["answered_at"] is not None
        }
        jobs = []
        now = time.monotonic()
        for chat_key, messages in chats.items():
            chat_id = int(chat_key)
            for m in messages:
                if not m["from_bot"] or m["deleted"]:
                    continue
                if PIN_PROMPT in (m["text"] or "") and (chat_id, m["message_id"]) not in (
                    self._answered_prompts
                ):
                    self._answered_prompts.add((chat_id, m["message_id"]))
                    jobs.append(self._pin(chat_id))
                    continue
                label = _forward_button(m)
                if label is None:
                    continue
                key = (chat_id, m["message_id"], label)
                last = self._last.get(key)
                if last is not None:
                    # A card is pressed again when its press was lost in a crash (never
                    # answered), or when nothing came of it for long (a PIN lost after
                    # the press); a prompt's button is pressed once.
                    lost = (chat_id, m["message_id"], _buttons(m)[label]) not in answered
                    wait = self.repress_after if lost else self.stalled_after
                    if not _is_card(m) or now - last < wait:
                        continue
                self._last[key] = now
                jobs.append(self._press(chat_id, m, label))
        self.rng.shuffle(jobs)
        await asyncio.gather(*jobs)
        return len(jobs)

    async def _press(self, chat_id: int, message: dict[str, Any], label: str) -> None:
        data = _buttons(message)[label]
        body = {
            "chat_id": chat_id,
            "user_id": chat_id,
            "message_id": message["message_id"],
            "data": data,
        }
        first = (await self.ctl.post("push/callback", **body))["update_id"]
        self.presses.append(Press(chat_id, message["message_id"], label, first, "press"))
        roll = self.rng.random()
        if roll < 0.25:
            # the client resends the same press after reconnecting (same callback id)
            again = (await self.ctl.post("resend", update_id=first))["update_id"]
            self.presses.append(Press(chat_id, message["message_id"], label, again, "resend"))
        elif roll < 0.45:
            # an impatient second tap: a new callback query for the same button
            again = (await self.ctl.post("push/callback", **body))["update_id"]
            self.presses.append(Press(chat_id, message["message_id"], label, again, "tap"))

    async def _pin(self, chat_id: int) -> None:
        await self.ctl.post("push/text", chat_id=chat_id, user_id=chat_id, text=DEMO_PIN)
        self.pins += 1


def _buttons(message: dict[str, Any]) -> dict[str, str]:
    markup = message.get("reply_markup") or {}
    return {
        b["text"]: b["callback_data"]
        for row in markup.get("inline_keyboard", [])
        for b in row
        if "callback_data" in b
    }


def _is_card(message: dict[str, Any]) -> bool:
    text = (message["history"][0] if message["history"] else message).get("text") or ""
    return text.startswith(("📄", "🗂"))


def _forward_button(message: dict[str, Any]) -> str | None:
    buttons = _buttons(message)
    for label in buttons:
        if label in FORWARD or label.startswith("Semua ("):
            return label
    return None


# -- what happened ------------------------------------------------------------------------


@dataclass
class Figures:
    presses: int = 0
    pins: int = 0
    crashes: int = 0
    transitions: int = 0
    duplicates: int = 0
    delivered: int = 0
    outbox_rows: int = 0
    cases: int = 0
    closed: int = 0
    seconds: float = 0.0
    kills: list[float] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def line(self, title: str) -> str:
        parts = [
            f"presses sent {self.presses} (+{self.pins} PIN messages)",
            f"crashes {self.crashes}",
            f"transitions {self.transitions}",
            f"duplicates {self.duplicates}",
            f"messages delivered {self.delivered}",
            f"outbox rows {self.outbox_rows}",
            f"cases {self.cases} ({self.closed} closed)",
            f"{self.seconds:.0f} s",
        ]
        parts += [f"{k} {v}" for k, v in self.extra.items()]
        return f"{title}: " + ", ".join(parts)


def message_keys(payload: dict[str, Any]) -> list[str]:
    """The Telegram messages one outbox row becomes (a card with a file: two; an edit
    that brings a new file, the signed PDF: that file)."""
    if payload.get(EDIT_SENDS_DOCUMENT):
        return [json.dumps(["doc", None])]
    tokens = [c["token"] for c in payload.get("choices") or []]
    text = str(payload.get("text") or "")
    if payload.get("attachment"):
        if not tokens and 0 < len(text) <= 1024:
            return [json.dumps(["doc", text])]
        return [json.dumps(["text", text, tokens]), json.dumps(["doc", None])]
    return [json.dumps(["text", text or "\u2063", tokens])]


def shown_key(message: dict[str, Any]) -> str:
    first = message["history"][0] if message["history"] else message
    if message.get("document") is not None:
        return json.dumps(["doc", first.get("caption") and message.get("caption")])
    markup = first.get("reply_markup") or {}
    tokens = [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]
    return json.dumps(["text", first.get("raw_text") or first.get("text"), tokens])


def duplicates_in(
    chats: dict[str, list[dict[str, Any]]], rows: Iterable[tuple[str, dict[str, Any]]]
) -> tuple[Counter[str], Counter[str]]:
    """Messages the platform shows more often than the outbox asked for, per chat, and
    messages it asked for that the platform never showed (both should be tiny / empty).

    ``rows``: (chat id, payload) of every sent Telegram outbox row that makes a message.
    """
    wanted: dict[str, Counter[str]] = {}
    for chat_id, payload in rows:
        wanted.setdefault(chat_id, Counter()).update(message_keys(payload))
    extra: Counter[str] = Counter()
    missing: Counter[str] = Counter()
    for chat_id in set(chats) | set(wanted):
        shown = Counter(shown_key(m) for m in chats.get(chat_id, []) if m["from_bot"])
        asked = wanted.get(chat_id, Counter())
        extra[chat_id] = sum((shown - asked).values())
        missing[chat_id] = sum((asked - shown).values())
    return +extra, +missing


def repeated_spans(
    chats: dict[str, list[dict[str, Any]]], rows: Iterable[tuple[str, dict[str, Any]]]
) -> list[tuple[str, int, int]]:
    """(chat, first date, last date) of every message shown more often than asked for."""
    wanted: dict[str, Counter[str]] = {}
    for chat_id, payload in rows:
        wanted.setdefault(chat_id, Counter()).update(message_keys(payload))
    spans = []
    for chat_id, messages in chats.items():
        dates: dict[str, list[int]] = {}
        for m in messages:
            if m["from_bot"]:
                dates.setdefault(shown_key(m), []).append(int(m["date"]))
        for key, seen in dates.items():
            if len(seen) > wanted.get(chat_id, Counter())[key]:
                spans.append((chat_id, min(seen), max(seen)))
    return spans


async def telegram_rows(url: str) -> list[tuple[str, dict[str, Any]]]:
    """(chat, payload) of the sent rows that make a message: not edits and deletes, but
    an edit that brings a new file (which follows the edited card as a message)."""
    found = [
        (chat, kind, json.loads(payload) if isinstance(payload, str) else payload)
        for chat, kind, payload in await rows(
            url,
            "SELECT chat_id, kind, payload FROM outbox WHERE channel = 'telegram' "
            "AND kind != 'delete' AND status = 'sent' ORDER BY id",
        )
    ]
    return [
        (chat, payload)
        for chat, kind, payload in found
        if kind != "edit" or payload.get(EDIT_SENDS_DOCUMENT)
    ]


async def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a query on the bot's database (SQLite file or PostgreSQL), from outside."""
    if url.startswith("sqlite"):
        return await asyncio.to_thread(sqlite_rows, Path(url.split("///", 1)[1]), sql)
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        return [tuple(r) for r in await conn.fetch(sql)]
    finally:
        await conn.close()


async def settled(ctl: ControlClient, url: str, *, within: float) -> None:
    """Until every case is closed, the outbox is empty and no update waits."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            open_cases = await rows(url, "SELECT count(*) FROM cases WHERE status <> 'closed'")
            pending = await rows(url, "SELECT count(*) FROM outbox WHERE status = 'pending'")
        except OSError:  # the database is restarting
            await asyncio.sleep(0.5)
            continue
        state = await ctl.get("state")
        if open_cases == [(0,)] and pending == [(0,)] and state["pending_updates"] == 0:
            return
        await asyncio.sleep(0.5)
    steps = await rows(url, "SELECT number, step, status FROM cases")
    raise AssertionError(f"not settled: {steps}")


async def gather_figures(
    url: str,
    figures: Figures,
    crowd: Crowd,
    chats: dict[str, list[dict[str, Any]]],
    callbacks: dict[str, dict[str, Any]],
) -> None:
    figures.presses = len(crowd.presses)
    figures.pins = crowd.pins
    extra, _ = duplicates_in(chats, await telegram_rows(url))
    figures.duplicates = sum(extra.values())
    figures.delivered = sum(1 for ms in chats.values() for m in ms if m["from_bot"])
    [(figures.transitions,)] = await rows(
        url, "SELECT count(*) FROM audit_event WHERE kind = 'transition'"
    )
    [(figures.outbox_rows,)] = await rows(url, "SELECT count(*) FROM outbox")
    [(figures.cases,)] = await rows(url, "SELECT count(*) FROM cases")
    [(figures.closed,)] = await rows(url, "SELECT count(*) FROM cases WHERE status = 'closed'")
    processed = {
        external
        for (external,) in await rows(
            url, "SELECT external_id FROM processed_update WHERE source = 'telegram'"
        )
    }
    figures.extra["presses lost"] = len([q for q in callbacks if f"cb:{q}" not in processed])
    figures.extra["callbacks unanswered"] = sum(
        1 for c in callbacks.values() if c["answered_at"] is None
    )
    figures.extra["edits"] = sum(len(m["history"]) for ms in chats.values() for m in ms)


async def check_books(
    url: str,
    numbers: list[str],
    figures: Figures,
    chats: dict[str, list[dict[str, Any]]],
    *,
    per_chat_repeats: int,
) -> None:
    """What every run must leave behind, whatever crashed on the way."""
    # no press was lost: each reached the chat service (updates are confirmed to Telegram
    # only once handled; a redelivered one is answered and changes nothing)
    assert figures.extra["presses lost"] == 0
    # no press made two transitions: one event per task (and case, for a BA's cases)
    doubled = await rows(
        url,
        "SELECT task_id, case_id, count(*) FROM audit_event WHERE kind = 'transition' "
        "GROUP BY task_id, case_id HAVING count(*) > 1",
    )
    assert doubled == []
    # ... and every closed task has its event (the call itself: `case_created`)
    unaccounted = await rows(
        url,
        "SELECT id FROM task WHERE NOT is_open AND id NOT IN (SELECT task_id FROM audit_event "
        "WHERE kind IN ('transition', 'case_created') AND task_id IS NOT NULL)",
    )
    assert unaccounted == []
    # every case went all the way (nothing stuck without an open task)
    statuses = await rows(url, "SELECT number, status FROM cases ORDER BY id")
    assert [n for n, _ in statuses] == numbers
    assert {s for _, s in statuses} == {"closed"}, statuses
    assert await rows(url, "SELECT count(*) FROM task WHERE is_open") == [(0,)]
    # every message was delivered
    outbox = await rows(url, "SELECT status, count(*) FROM outbox GROUP BY status")
    assert {s for s, _ in outbox} == {"sent"}, outbox
    # ... the platform shows each of them, and shows one twice only inside a crash window:
    # at most one per chat and crash (the dispatcher has one message per chat in flight)
    sent = await telegram_rows(url)
    extra, missing = duplicates_in(chats, sent)
    assert missing == {}
    assert all(n <= per_chat_repeats for n in extra.values()), (
        extra,
        repeated_spans(chats, sent),
        figures.kills,
    )
    for chat, first, last in repeated_spans(chats, sent):
        assert any(first - 1 <= k <= last + 1 for k in figures.kills), (chat, first, last)


def sqlite_rows(path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return list(conn.execute(sql, params).fetchall())


#: Personal data and secrets that must never be in a log line.
def leaks(text: str, secrets: Iterable[str] = ()) -> list[str]:
    found = []
    for pattern in (r"(?<!\d)\d{16}(?!\d)", r"(?<!\d)(?:\+?62|0)8\d{8,11}(?!\d)"):
        found += re.findall(pattern, text)
    found += [s for s in secrets if s and s in text]
    return found

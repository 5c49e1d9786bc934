"""Footprint of `python main.py run`: start-up time to ready, and memory idle and after
1,000 cases.

    .venv/bin/python -m bench.footprint [--cases 1000] [--starts 5]
        [--out bench/results/footprint.json]

The bot is the real command (`main.py run`) as a process of its own, on SQLite, with
python-telegram-bot polling the Bot API double in this process (so the library is
imported, initialised and polling, as in production), or aiogram, or no Telegram at all.

* Start-up: from spawning the process to ready, that is /healthz answering 200 (the
  database answers, the dispatcher runs) and, with Telegram, the first getUpdates
  reaching the double. The first start of a data dir is *cold* (migrations, the demo
  roster, the demo signing key); the others are *warm* (the office's usual restart).
  Goal: warm start < 2 s with python-telegram-bot.
* Memory: RSS (and its peak, VmHWM) of the PTB bot idle after start, then after 1,000
  cases: they are recorded into its database (intake through the services, in this
  process: the bot's dispatcher picks their cards up on its sweep) and every one is
  pressed on ("Teruskan", step 3) by the WA receiver through the web channel's HTTP
  API, and 100 of them on again ("Selesai", step 4: the document worker renders their
  printable dossiers), so the bot runs 1,100 transitions and delivers some 4,500
  messages (cards, card edits, the applicant's messages). Goal: < 150 MB for the bot;
  the document worker's memory is reported beside it, and the sum.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.common import (
    ROOT,
    bench_settings,
    build_bench_office,
    intake_form,
    machine,
    remove,
    stop_gently,
    write_result,
)

TOKEN = "123456:TEST-footprint"
GOAL_START_S = 2.0
GOAL_RSS_MB = 150.0
_FORM_CSRF = re.compile(r'<input type="hidden" name="csrf" value="([^"]+)">')
_META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
_PICKER = re.compile(r'name="staff_id" value="(\d+)" class="role"><b>([^<]+)</b>')
WA_RECEIVER = "Andi"  # the demo roster's operator_penerima_wa (step 3)
DATA_LIFTER = "Dewi"  # operator_pengangkat_data: her "Selesai" renders the dossier (step 5)


@dataclass
class Bot:
    proc: asyncio.subprocess.Process
    url: str
    ready_s: float


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_mb(pid: int) -> dict[str, float]:
    """Resident memory now and at its peak, from /proc (MB)."""
    found: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found["rss_mb" if key == "VmRSS" else "peak_mb"] = round(
                int(value.split()[0]) / 1024, 1
            )
    return found


def children_of(pid: int) -> list[int]:
    """Direct child processes (the document worker) from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def with_workers(pid: int) -> dict[str, float]:
    """The bot's memory, its worker processes' and the sum (what the server gives up)."""
    own = memory_mb(pid)
    workers = [memory_mb(child).get("rss_mb", 0.0) for child in children_of(pid)]
    return {
        **own,
        "workers": len(workers),
        "workers_rss_mb": round(sum(workers), 1),
        "total_rss_mb": round(own.get("rss_mb", 0.0) + sum(workers), 1),
    }


def env_for(folder: Path, port: int, library: str | None, api_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STAFFBOT_")}
    env.update(
        {
            "STAFFBOT_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'staffbot.db'}",
            "STAFFBOT_DATA_DIR": str(folder / "data"),
            "STAFFBOT_WEB_HOST": "127.0.0.1",
            "STAFFBOT_WEB_PORT": str(port),
            "STAFFBOT_PUBLIC_URL": f"http://127.0.0.1:{port}",
        }
    )
    if library is not None and api_url is not None:
        env.update(
            {
                "STAFFBOT_TELEGRAM_TOKEN": TOKEN,
                "STAFFBOT_TELEGRAM_API_URL": api_url,
                "STAFFBOT_TELEGRAM_LIBRARY": library,
            }
        )
    return env


@contextlib.asynccontextmanager
async def running(folder: Path, library: str | None, tg: Any) -> AsyncIterator[Bot]:
    """`main.py run` until ready; stopped with SIGTERM (as Ctrl-C / systemd stop)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    polls_before = len(tg.calls_to("getUpdates")) if tg is not None else 0
    folder.mkdir(parents=True, exist_ok=True)
    log = (folder / "bot.log").open("ab")
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "main.py"),
        "run",
        cwd=folder,
        env=env_for(folder, port, library, tg.url if tg is not None else None),
        stdout=log,
        stderr=log,
    )
    try:
        async with httpx.AsyncClient(timeout=1.0) as client:
            healthy = False
            while True:
                if proc.returncode is not None:
                    raise RuntimeError(f"the bot exited; see {folder / 'bot.log'}")
                if not healthy:
                    with contextlib.suppress(httpx.HTTPError):
                        healthy = (await client.get(f"{url}/healthz")).status_code == 200
                polling = tg is None or len(tg.calls_to("getUpdates")) > polls_before
                if healthy and polling:
                    break
                if time.perf_counter() - started > 60:
                    raise TimeoutError(f"not ready after 60 s; see {folder / 'bot.log'}")
                await asyncio.sleep(0.01)
        yield Bot(proc, url, time.perf_counter() - started)
    finally:
        await stop_gently(proc)
        log.close()


async def start_times(folder: Path, library: str | None, starts: int, tg: Any) -> dict[str, Any]:
    cold_dir = folder / f"start-{library or 'web'}"
    async with running(cold_dir, library, tg) as bot:
        cold = bot.ready_s
    warm = []
    for _ in range(starts):
        async with running(cold_dir, library, tg) as bot:
            warm.append(bot.ready_s)
    return {
        "telegram": library or "off (web channel only)",
        "cold_s": round(cold, 2),
        "warm_median_s": round(statistics.median(warm), 2),
        "warm_max_s": round(max(warm), 2),
        "warm_runs": len(warm),
    }


async def record_cases(folder: Path, count: int) -> None:
    """Intake of ``count`` cases into the bot's database, from this process."""
    from staffbot.app.commands.cases import RecordCase, Who
    from staffbot.app.commands.staff import DEMO_ROSTER
    from staffbot.bootstrap import build_bus
    from staffbot.clock import SystemClock
    from storage.db import Database

    url = f"sqlite+aiosqlite:///{folder / 'staffbot.db'}"
    settings = bench_settings(url, folder / "data")
    office = await asyncio.to_thread(build_bench_office, settings, SystemClock())
    call_center = next(nip for role, _n, nip, _s in DEMO_ROSTER if role == "petugas_call_center")
    places = list(settings.kecamatan)
    db = Database(url)
    await db.initialize()
    bus = build_bus(db, office)
    try:
        for i in range(count):
            form = intake_form(i, places[i % len(places)])
            await bus.handle(RecordCase(Who(nip=call_center), form))
    finally:
        await db.shutdown()


def pending_rows(folder: Path) -> int:
    with contextlib.closing(sqlite3.connect(folder / "staffbot.db", timeout=30)) as conn:
        return int(
            conn.execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
        )


async def drained(folder: Path, within: float) -> None:
    deadline = time.monotonic() + within
    while pending_rows(folder):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{pending_rows(folder)} outbox rows still pending")
        await asyncio.sleep(0.25)


async def web_session(client: httpx.AsyncClient, name: str) -> str:
    """Demo login as the roster member whose name starts with ``name``; the CSRF token."""
    page = await client.get("/")
    csrf = _FORM_CSRF.search(page.text)
    assert csrf is not None, page.text[:300]
    ids = {label: i for i, label in _PICKER.findall(page.text)}
    staff_id = next(i for label, i in ids.items() if label.startswith(name))
    response = await client.post("/demo/login", data={"csrf": csrf.group(1), "staff_id": staff_id})
    assert response.status_code == 303, response.text[:300]
    chat = await client.get("/chat")
    meta = _META_CSRF.search(chat.text)
    assert meta is not None
    return meta.group(1)


def waiting_tokens(folder: Path, who: str, label: str) -> list[str]:
    """The tokens of ``label`` on the cards in ``who``'s web chat, read from the database
    (the chat page pages its transcript; the presses still go through the web API)."""
    with contextlib.closing(sqlite3.connect(folder / "staffbot.db", timeout=30)) as conn:
        rows = conn.execute(
            "SELECT o.payload FROM outbox o JOIN staff s ON o.chat_id = CAST(s.id AS TEXT) "
            "WHERE o.channel = 'web' AND o.kind = 'card' AND s.name LIKE ? ORDER BY o.id",
            (f"{who}%",),
        ).fetchall()
    return [
        choice["token"]
        for (payload,) in rows
        for choice in json.loads(payload).get("choices") or []
        if choice["label"].startswith(label)
    ]


async def press_all(url: str, folder: Path, who: str, label: str, limit: int | None = None) -> int:
    """``who`` presses ``label`` on every card waiting in her web chat (or ``limit``)."""
    tokens = waiting_tokens(folder, who, label)[:limit]
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        csrf = await web_session(client, who)
        for n, token in enumerate(tokens):
            response = await client.post(
                "/api/press",
                json={"token": token, "id": f"bench-{who}-{n:06d}"},
                headers={"X-CSRF-Token": csrf},
            )
            response.raise_for_status()
        return len(tokens)


async def memory(folder: Path, cases: int, documents: int, tg: Any) -> dict[str, Any]:
    work = folder / "memory-ptb"
    async with running(work, "ptb", tg):
        pass  # the first start migrates and seeds; the office's bot runs from a later one
    async with running(work, "ptb", tg) as bot:
        await asyncio.sleep(5)  # idle: the scheduler's first passes, the polling loop
        idle = with_workers(bot.proc.pid)
        started = time.perf_counter()
        await record_cases(work, cases)
        await drained(work, within=300)
        pressed = await press_all(bot.url, work, WA_RECEIVER, "Teruskan")
        await drained(work, within=300)
        # a share of them on to step 5: the worker renders their printable dossiers
        rendered = await press_all(bot.url, work, DATA_LIFTER, "Selesai", limit=documents)
        await drained(work, within=300)
        busy_s = time.perf_counter() - started
        after = with_workers(bot.proc.pid)
        with contextlib.closing(sqlite3.connect(work / "staffbot.db")) as conn:
            sent = int(
                conn.execute("SELECT count(*) FROM outbox WHERE status = 'sent'").fetchone()[0]
            )
    return {
        "telegram": "ptb (polling the double); staff on the web channel",
        "idle": idle,
        "cases": cases,
        "pressed": pressed + rendered,
        "dossiers_rendered": rendered,
        "messages_delivered": sent,
        "seconds": round(busy_s, 1),
        "after_cases": after,
        "database_mb": round((work / "staffbot.db").stat().st_size / 2**20, 1),
    }


async def run(cases: int, starts: int, documents: int = 100) -> dict[str, Any]:
    from tests.doubles.telegram import TelegramDouble

    folder = Path(tempfile.mkdtemp(prefix="staffbot-bench-footprint-"))
    try:
        async with TelegramDouble(TOKEN) as tg:
            startup = [await start_times(folder, lib, starts, tg) for lib in ("ptb", "aiogram")]
            startup.append(await start_times(folder, None, starts, None))
            mem = await memory(folder, cases, documents, tg)
    finally:
        remove(folder)
    ptb = startup[0]
    return {
        "what": "python main.py run: start-up to ready (/healthz 200 and polling), RSS idle and "
        f"after {cases} cases",
        "goal": {"warm_start_s_ptb": GOAL_START_S, "rss_mb": GOAL_RSS_MB},
        "machine": machine(),
        "startup": startup,
        "memory": mem,
        "goal_met": {
            "start": ptb["warm_median_s"] < GOAL_START_S,
            "rss": mem["after_cases"]["rss_mb"] < GOAL_RSS_MB,
        },
    }


def print_table(document: dict[str, Any]) -> None:
    print(f"{'telegram':<24} {'cold s':>7} {'warm s (median)':>16} {'warm max':>9}")
    for row in document["startup"]:
        print(
            f"{row['telegram']:<24} {row['cold_s']:>7.2f} {row['warm_median_s']:>16.2f} "
            f"{row['warm_max_s']:>9.2f}"
        )
    mem = document["memory"]
    after = mem["after_cases"]
    print(
        f"document worker processes: {after['workers']}, RSS {after['workers_rss_mb']:.0f} MB; "
        f"bot and workers together {after['total_rss_mb']:.0f} MB"
    )
    print(
        f"\nRSS idle {mem['idle']['rss_mb']:.0f} MB; after {mem['cases']} cases "
        f"({mem['pressed']} presses, {mem['messages_delivered']} messages, {mem['seconds']:.0f} s) "
        f"{mem['after_cases']['rss_mb']:.0f} MB, peak {mem['after_cases']['peak_mb']:.0f} MB; "
        f"database {mem['database_mb']} MB"
    )
    met = document["goal_met"]
    print(
        f"goal: warm start < {GOAL_START_S:.0f} s with PTB ({'met' if met['start'] else 'MISSED'}),"
        f" RSS < {GOAL_RSS_MB:.0f} MB ({'met' if met['rss'] else 'MISSED'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--documents", type=int, default=100, help="cases taken on to step 5")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    document = asyncio.run(run(args.cases, args.starts, args.documents))
    print_table(document)
    print(f"\nwritten {write_result('footprint', document, args.out)}")


if __name__ == "__main__":
    main()

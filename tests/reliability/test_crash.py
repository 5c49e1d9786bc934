"""SIGKILL at random moments: `python main.py run` (Telegram, polling) is killed and
restarted while a crowd of staff presses buttons in the Telegram double, from intake
to the signed Berita Acara. Afterwards:

* no press made two transitions (audit events per task),
* no press was lost (each reached the chat service),
* every message of every transition reached its chat; a message shows twice only when
  a crash fell between the platform's answer and the outbox row being marked sent
  (at most one row per chat and crash: each chat has one message in flight), and those
  are counted, per crash too,
* the audit chain verifies (`audit verify`), every case is closed (none is stuck
  without an open task), and the bot's log holds no personal data or secret.

Figure printed (no assertion): after each SIGKILL and restart, the seconds from the new
process being ready (/healthz answers) until the first card that was pending at the
kill is delivered, and until every message pending at the kill is. The outbox lease is
the default 60 s: rows the killed process had claimed come back at start, when the new
process finds the old pid gone (staffbot/dispatch_owner.py), not after the lease.

`make soak` runs 20 crashes over 10 cases; CI runs 4 over 2.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from staffbot.settings import Settings
from tests.doubles.control import ControlClient, spawn_double
from tests.reliability.office import (
    FULL,
    NIK,
    PHONE,
    TOKEN,
    Crowd,
    Figures,
    add_roster,
    check_books,
    gather_figures,
    leaks,
    message_keys,
    record_cases,
    roster,
    rows,
    settled,
    shown_key,
    telegram_rows,
)
from tests.reliability.process import ROOT, BotProcess

ROUNDS = 20 if FULL else 4
CASES = 10 if FULL else 2


def bot_env(double_url: str) -> dict[str, str]:
    return {
        "STAFFBOT_TELEGRAM_TOKEN": TOKEN,
        "STAFFBOT_TELEGRAM_API_URL": double_url,
        "STAFFBOT_TELEGRAM_LIBRARY": "ptb",
        "STAFFBOT_DEMO": "off",
        "STAFFBOT_OUTBOX_SWEEP_SECONDS": "1",
        # The default lease: a restart takes a killed process's claims back at once.
        "STAFFBOT_OUTBOX_LEASE_SECONDS": "60",
        "STAFFBOT_ESCALATION_INTERVAL_SECONDS": "3600",
    }


@pytest.mark.slow
@pytest.mark.timeout(1200 if FULL else 300)
def test_sigkill_at_random_moments_loses_nothing(
    tmp_path: Path, sqlite_template: Path, demo_pki: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(sqlite_template, tmp_path / "bot.db")
    shutil.copytree(demo_pki, tmp_path / "data" / "signing")
    started = time.monotonic()
    with spawn_double("telegram", "--token", TOKEN) as double:
        bot = BotProcess(tmp_path, bot_env(double.url))
        env = {k: v for k, v in bot.env.items() if k.startswith("STAFFBOT_")}
        add_roster(env, roster())
        url = env["STAFFBOT_DATABASE_URL"]
        settings = Settings(
            database_url=url, data_dir=Path(env["STAFFBOT_DATA_DIR"]), _env_file=None
        )  # type: ignore[call-arg]
        numbers = asyncio.run(record_cases(settings, CASES))
        try:
            figures = asyncio.run(crash_and_press(bot, double.url, url, numbers))
        finally:
            bot.kill()
    figures.seconds = time.monotonic() - started
    # the audit trail's hash chain
    verify = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "audit", "verify"],
        env=bot.env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    # nothing personal or secret in the bot's own log (stdout and stderr of every run)
    log = bot.log.read_text(encoding="utf-8", errors="replace")
    assert leaks(log, [TOKEN, NIK, PHONE, "123456"]) == []
    with capsys.disabled():
        print("\n" + figures.line("crash harness"))


async def crash_and_press(
    bot: BotProcess, double_url: str, url: str, numbers: list[str]
) -> Figures:
    rng = random.Random(8)
    figures = Figures()
    restarts: list[tuple[float | None, float | None]] = []
    async with ControlClient(double_url, timeout=30) as ctl:
        crowd = Crowd(ctl, rng)
        stop = asyncio.Event()

        async def pressing() -> None:
            while not stop.is_set():
                await crowd.round()
                await asyncio.sleep(0.3)

        presser = asyncio.create_task(pressing())
        try:
            for n in range(ROUNDS):
                in_start_up = n % 5 == 4  # now and then, kill it while it starts
                waiting = await pending_rows(url)
                await asyncio.to_thread(bot.start, wait=not in_start_up)
                if not in_start_up:
                    await restart_figure(url, waiting, restarts)
                await asyncio.sleep(rng.uniform(0.3, 1.5) if in_start_up else rng.uniform(0.5, 4))
                await asyncio.to_thread(bot.kill)
                figures.kills.append(time.time())
                figures.crashes += 1
            waiting = await pending_rows(url)
            await asyncio.to_thread(bot.start)
            await restart_figure(url, waiting, restarts)
            await settled(ctl, url, within=600 if FULL else 240)
        finally:
            stop.set()
            await presser
        assert await asyncio.to_thread(bot.stop) == 0, bot.log.read_text()[-3000:]
        chats = await ctl.get("chats")
        callbacks = await ctl.get("callbacks")
    await gather_figures(url, figures, crowd, chats, callbacks)
    per_crash, most, unplaced = duplicates_per_crash(chats, await telegram_rows(url), figures.kills)
    figures.extra["duplicates per crash"] = per_crash
    figures.extra["most duplicates in one chat and crash"] = most
    if unplaced:
        figures.extra["repeats with no kill since the copy before"] = unplaced
    await check_books(url, numbers, figures, chats, per_chat_repeats=figures.crashes)
    firsts = [f for f, _ in restarts if f is not None]
    figures.extra["restarts with pending cards"] = len(restarts)
    figures.extra["ready → first pending card (s)"] = [_shown(f) for f, _ in restarts]
    figures.extra["ready → all pending at the kill delivered (s)"] = [
        _shown(a) for _, a in restarts
    ]
    figures.extra["worst ready → first card"] = (
        f"{max(firsts):.2f} s (goal < 5 s)" if firsts else "-"
    )
    return figures


def _shown(seconds: float | None) -> str:
    return f"{seconds:.2f}" if seconds is not None else f">{RESTART_PATIENCE:.0f}"


#: How long a restart's figure waits for the messages pending at the kill.
RESTART_PATIENCE = 20.0


async def pending_rows(url: str) -> tuple[list[int], list[int]]:
    """The Telegram messages waiting when the bot is (re)started: the cards, all."""
    found = await rows(
        url,
        "SELECT id, kind FROM outbox WHERE status = 'pending' AND channel = 'telegram' ORDER BY id",
    )
    return [int(i) for i, kind in found if kind == "card"], [int(i) for i, _ in found]


async def restart_figure(
    url: str,
    waiting: tuple[list[int], list[int]],
    restarts: list[tuple[float | None, float | None]],
) -> None:
    """Seconds from now (the new process answers /healthz) until the first card pending
    at the kill is delivered, and until none of the messages pending then still waits;
    None past RESTART_PATIENCE. A restart with no card pending adds nothing."""
    cards, every = waiting
    if not cards:
        return
    ready = time.monotonic()
    first: float | None = None
    while (elapsed := time.monotonic() - ready) < RESTART_PATIENCE:
        done = await rows(
            url,
            f"SELECT id, status FROM outbox WHERE id IN ({','.join(map(str, every))})",
        )
        if first is None and any(i in cards and st == "sent" for i, st in done):
            first = elapsed
        if first is not None and all(st != "pending" for _, st in done):
            restarts.append((first, elapsed))
            return
        await asyncio.sleep(0.05)
    restarts.append((first, None))


def duplicates_per_crash(
    chats: dict[str, list[dict[str, Any]]],
    rows: list[tuple[str, dict[str, Any]]],
    kills: list[float],
) -> tuple[list[int], int, int]:
    """How many repeated messages each crash caused, and the most in one chat for one
    crash. A repeat is a copy shown beyond what the outbox asked for; it belongs to the
    first kill after the copy before it (the message went out, the bot died before
    marking it sent, and sent it again after a restart). A card with a file is one
    outbox row but two Telegram messages, so one crash can repeat two in one chat.
    Repeats with no kill between them and the copy before are returned apart (the
    books' own check only asks that each repeated message's span holds a kill)."""
    wanted: dict[str, Counter[str]] = {}
    for chat_id, payload in rows:
        wanted.setdefault(chat_id, Counter()).update(message_keys(payload))
    per_crash = [0] * len(kills)
    per_chat_and_crash: Counter[tuple[str, int]] = Counter()
    unplaced = 0
    for chat_id, messages in chats.items():
        dates: dict[str, list[int]] = {}
        for m in messages:
            if m["from_bot"]:
                dates.setdefault(shown_key(m), []).append(int(m["date"]))
        for key, seen in dates.items():
            seen.sort()
            for j in range(wanted.get(chat_id, Counter())[key], len(seen)):
                if j == 0:
                    unplaced += 1  # shown, never asked for
                    continue
                after = [i for i, k in enumerate(kills) if seen[j - 1] - 1 <= k <= seen[j] + 1]
                if after:
                    per_crash[after[0]] += 1
                    per_chat_and_crash[(chat_id, after[0])] += 1
                else:
                    unplaced += 1
    return per_crash, max(per_chat_and_crash.values(), default=0), unplaced

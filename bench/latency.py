"""Button-to-card latency: 50 staff on Telegram pressing through the real adapters.

    .venv/bin/python -m bench.latency [--libraries ptb,aiogram] [--modes polling,webhook]
        [--presses 150] [--rate 5] [--burst] [--out bench/results/latency.json]

The bot runs as its own process (bench/latency_bot.py: staffbot.runner.BotApp, the way `run` starts
it, Telegram pacing off), on SQLite, against the Telegram Bot API double in this process
(python-telegram-bot or aiogram; getUpdates long polling or the webhook). 50 staff: the
demo roster plus four more holders for each of the nine roles that press a one-tap
button (steps 3, 4, 5, 6, 7, 10, 11, 12, 13), all on Telegram. Every card goes to all
five holders of its role, as the bot does; the holder chosen for a case presses.

Cases wait at step 3 (they go on to step 8, four of the five presses render a PDF or
not: step 4 renders the printable dossier, step 6 the proof of registration) and at step
10 (on to step 14; the cards of 11 and 13 carry the signed PDF). Presses arrive as a
Poisson stream at ``--rate`` per second, each one a callback update pushed into the
double; the latency of a press is the time from that push (the update handed to the
bot) to the double receiving the next role's card (sendMessage), and to the last of the
five copies. ``--burst`` adds one round where every presser with a card presses at once.
Goal: p50 < 30 ms and p99 < 150 ms on both libraries.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import shutil
import socket
import sys
import tempfile
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import (
    RESULTS,
    ROOT,
    bench_settings,
    build_bench_office,
    machine,
    remove,
    stop_gently,
    summary_ms,
    write_result,
)

TOKEN = "123456:TEST-token"
GOAL_P50_MS = 30.0
GOAL_P99_MS = 150.0
HOLDERS = 5
#: the one-tap steps and the role that presses there
PRESSING = (
    "operator_penerima_wa",
    "operator_pengangkat_data",
    "operator_cetak_berkas",
    "petugas_loket_pendaftaran",
    "kasi_identitas_penduduk",
    "operator",
    "kepala_bidang",
    "petugas_pemilah_berkas",
    "operator_pengirim_pdf",
)
#: who holds each step of the two pools, from the first press to the card that ends it
POOL_A = (
    "operator_penerima_wa",
    "operator_pengangkat_data",
    "operator_cetak_berkas",
    "petugas_loket_pendaftaran",
    "kasi_identitas_penduduk",
    "operator",  # step 8: Ajukan TTE (a prompt, not pressed here)
)
POOL_B = (
    "operator",  # step 10
    "kepala_bidang",
    "petugas_pemilah_berkas",
    "operator_pengirim_pdf",
    "kasi_inovasi",  # step 14: Buat BA (a picker, not pressed here)
)
CASE_RE = re.compile(r"PO-\d{4}-\d{5}")
#: presses whose transition renders a document inside it (the dossier, the bukti)
RENDERS = ("operator_pengangkat_data", "petugas_loket_pendaftaran")


@dataclass
class Template:
    folder: Path
    db_file: Path
    data_dir: Path
    holders: dict[str, list[int]]
    cases: dict[str, tuple[str, ...]]  # number -> roles from its first press to its end
    index: dict[str, int]


@dataclass
class Track:
    number: str
    roles: tuple[str, ...]
    index: int
    at: int = 0  # position in roles of the card now waiting
    pushed: float | None = None
    cards: int = 0
    burst: bool = False


@dataclass
class Run:
    first: list[float] = field(default_factory=list)
    #: next-card latencies by the role that pressed (its step renders a PDF or not)
    by_presser: dict[str, list[float]] = field(default_factory=dict)
    last: list[float] = field(default_factory=list)
    burst_first: list[float] = field(default_factory=list)
    burst_last: list[float] = field(default_factory=list)
    refused: int = 0
    idle_ticks: int = 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def prepare(folder: Path, pool_a: int, pool_b: int) -> Template:
    """A database with the roster on Telegram and the cases waiting; made once, copied."""
    from sqlalchemy import text

    from staffbot.app.commands.staff import AddStaff, ChangeStaff, SeedDemo
    from staffbot.bootstrap import build_bus
    from staffbot.clock import SystemClock
    from storage.db import Database
    from storage.migrate import upgrade
    from tests.support import Desk

    folder.mkdir(parents=True, exist_ok=True)
    db_file = folder / "staffbot.db"
    url = f"sqlite+aiosqlite:///{db_file}"
    data_dir = folder / "data"
    await upgrade(url)
    settings = bench_settings(url, data_dir)
    office = await asyncio.to_thread(build_bench_office, settings, SystemClock())
    db = Database(url)
    await db.initialize()
    try:
        await build_bus(db, office).handle(SeedDemo())
        async with db.uow(readonly=True) as uow:
            demo = list(await uow.staff.all())
        next_id = 800_001
        for member in demo:
            await build_bus(db, office).handle(
                ChangeStaff(member.nip, telegram_id=next_id, channel="telegram")
            )
            next_id += 1
        extra = [(role, n) for role in PRESSING for n in range(HOLDERS - 1)]
        extra += [("kasi_inovasi", 0), ("petugas_call_center", 0)]
        for i, (role, n) in enumerate(extra):
            await build_bus(db, office).handle(
                AddStaff(
                    name=f"Petugas {role.replace('_', ' ').title()} {n + 2}",
                    nip=f"19900101{2020000000 + i:010d}",
                    roles=(role,),
                    telegram_id=next_id,
                    channel="telegram",
                )
            )
            next_id += 1
        async with db.uow(readonly=True) as uow:
            everyone = list(await uow.staff.all())
            roles = await uow.staff.roles_for([s.id for s in everyone if s.id is not None])
        holders: dict[str, list[int]] = {}
        for member in everyone:
            for role in roles.get(member.id or 0, ()):
                holders.setdefault(role, []).append(int(member.telegram_id or 0))
        desk = Desk(db, office)
        cases: dict[str, tuple[str, ...]] = {}
        index: dict[str, int] = {}
        for i in range(pool_a + pool_b):
            number = (await desk.new_case()).number
            index[number] = i
            if i < pool_a:
                cases[number] = POOL_A
            else:
                await desk.advance_to(number, "cetak_dokumen")
                cases[number] = POOL_B
        # Only the cards waiting now matter: what the preparation sent before is history.
        async with db.write_engine.begin() as conn:
            await conn.execute(
                text(
                    "UPDATE outbox SET status = 'cancelled' WHERE NOT (kind = 'card' AND "
                    "task_id IN (SELECT id FROM task WHERE is_open = 1))"
                )
            )
    finally:
        await db.shutdown()
    return Template(folder, db_file, data_dir, holders, cases, index)


def presser(template: Template, track: Track) -> int:
    role = track.roles[track.at]
    chats = sorted(template.holders[role])
    return chats[track.index % len(chats)]


class Driver:
    """Watches the double's sendMessage calls, keeps the cards ready to press, presses."""

    def __init__(self, template: Template, tg: Any) -> None:
        self.template = template
        self.tg = tg
        self.tracks = {n: Track(n, roles, template.index[n]) for n, roles in template.cases.items()}
        self.ready: deque[tuple[str, int, int, str]] = deque()
        self.run = Run()
        self.pending = 0
        self.cards_seen = 0
        self.changed = asyncio.Event()
        name, handler = tg._methods["sendmessage"]

        async def watched(params: dict[str, Any], uploads: dict[str, Any]) -> Any:
            result = await handler(params, uploads)
            self.sent(result)
            return result

        tg._methods["sendmessage"] = (name, watched)

    def sent(self, result: dict[str, Any]) -> None:
        now = time.monotonic()
        rows = (result.get("reply_markup") or {}).get("inline_keyboard") or []
        found = CASE_RE.search(result.get("text") or "")
        if not rows or found is None or found.group(0) not in self.tracks:
            return
        self.cards_seen += 1
        track = self.tracks[found.group(0)]
        chat = int(result["chat"]["id"])
        if track.pushed is not None:
            elapsed = now - track.pushed
            track.cards += 1
            if track.cards == 1:
                (self.run.burst_first if track.burst else self.run.first).append(elapsed)
                if not track.burst:
                    pressed_by = track.roles[track.at - 1]
                    self.run.by_presser.setdefault(pressed_by, []).append(elapsed)
            role = track.roles[track.at]
            if track.cards == len(self.template.holders[role]):
                (self.run.burst_last if track.burst else self.run.last).append(elapsed)
                track.pushed = None
                self.pending -= 1
        if track.at < len(track.roles) - 1 and chat == presser(self.template, track):
            label, token = rows[0][0]["text"], rows[0][0]["callback_data"]
            self.ready.append((track.number, chat, int(result["message_id"]), token))
            del label
        self.changed.set()

    def press(self, number: str, chat: int, message_id: int, token: str, *, burst: bool) -> None:
        track = self.tracks[number]
        track.at += 1
        track.cards = 0
        track.burst = burst
        self.pending += 1
        self.tg.push_callback(chat, chat, message_id, token)
        track.pushed = time.monotonic()

    async def until(self, predicate: Callable[[], bool], within: float) -> None:
        deadline = time.monotonic() + within
        while not predicate():
            self.changed.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the bot did not answer in time")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), min(remaining, 0.5))

    async def stream(self, presses: int, rate: float, seed: int) -> float:
        rng = random.Random(seed)
        done = 0
        started = time.monotonic()
        next_at = started
        while done < presses:
            next_at += rng.expovariate(rate)
            delay = next_at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if not self.ready:
                self.run.idle_ticks += 1
                continue
            self.press(*self.ready.popleft(), burst=False)
            done += 1
        await self.until(lambda: self.pending == 0, 60)
        return time.monotonic() - started

    async def burst(self) -> int:
        chosen: dict[int, tuple[str, int, int, str]] = {}
        for card in list(self.ready):
            chosen.setdefault(card[1], card)
        for card in chosen.values():
            self.ready.remove(card)
        for card in chosen.values():
            self.press(*card, burst=True)
        await self.until(lambda: self.pending == 0, 120)
        return len(chosen)


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


@contextlib.asynccontextmanager
async def running_bot(env: dict[str, str], log: Path) -> Any:
    with log.open("wb") as errors:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.latency_bot",
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=errors,
        )
        try:
            assert proc.stdout is not None
            async with asyncio.timeout(90):
                while True:
                    line = (await proc.stdout.readline()).decode()
                    if not line:
                        raise RuntimeError(f"the bot exited before READY; see {log}")
                    if line.startswith("READY"):
                        break
            yield proc
        finally:
            await stop_gently(proc)


async def one_config(
    template: Template,
    library: str,
    mode: str,
    presses: int,
    rate: float,
    burst: bool,
    profile: bool = False,
) -> dict[str, Any]:
    from tests.doubles.telegram import TelegramDouble

    folder = template.folder.parent / f"{library}-{mode}"
    remove(folder)
    shutil.copytree(template.data_dir, folder / "data")
    shutil.copy(template.db_file, folder / "staffbot.db")
    port = free_port()
    async with TelegramDouble(TOKEN) as tg:
        driver = Driver(template, tg)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("STAFFBOT_")},
            "STAFFBOT_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'staffbot.db'}",
            "STAFFBOT_DATA_DIR": str(folder / "data"),
            "STAFFBOT_TELEGRAM_TOKEN": TOKEN,
            "STAFFBOT_TELEGRAM_API_URL": tg.url,
            "STAFFBOT_TELEGRAM_LIBRARY": library,
            "STAFFBOT_WEB_HOST": "127.0.0.1",
            "STAFFBOT_WEB_PORT": str(port),
            "STAFFBOT_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "STAFFBOT_DEMO": "off",
        }
        if profile:
            env["STAFFBOT_BENCH_PROFILE"] = str(RESULTS / f"latency-{library}-{mode}.profile.txt")
        if mode == "webhook":
            env["STAFFBOT_TELEGRAM_WEBHOOK_URL"] = f"http://127.0.0.1:{port}/telegram/webhook"
        async with running_bot(env, folder / "bot.log") as proc:
            expected = sum(len(template.holders[roles[0]]) for roles in template.cases.values())
            await driver.until(lambda: driver.cards_seen >= expected, 120)
            cpu_before = _cpu_seconds(proc.pid)
            seconds = await driver.stream(presses, rate, seed=7)
            cpu = _cpu_seconds(proc.pid) - cpu_before
            burst_size = await driver.burst() if burst else 0
        refused = sum(
            1
            for state in tg.callbacks.values()
            if state.answer and "sudah" in str(state.answer.get("text", "")).lower()
        )
    run = driver.run
    result = {
        "library": library,
        "mode": mode,
        "presses": len(run.first),
        "offered_rate_per_s": rate,
        "achieved_rate_per_s": round(len(run.first) / seconds, 2),
        "next_card": summary_ms(run.first),
        "all_copies": summary_ms(run.last),
        "bot_cpu_ms_per_press": round(cpu * 1000 / max(len(run.first), 1), 1),
        "next_card_by_presser": {
            role: summary_ms(times) for role, times in sorted(run.by_presser.items())
        },
        "refused": refused,
        "idle_ticks": run.idle_ticks,
    }
    if burst:
        result["burst"] = {
            "presses": burst_size,
            "next_card": summary_ms(run.burst_first),
            "all_copies": summary_ms(run.burst_last),
        }
    result["goal_met"] = (
        result["next_card"]["p50_ms"] < GOAL_P50_MS and result["next_card"]["p99_ms"] < GOAL_P99_MS
    )
    return result


def print_table(results: list[dict[str, Any]]) -> None:
    print(
        f"{'library':<8} {'mode':<8} {'presses':>7} {'rate/s':>6} {'p50 ms':>7} {'p90 ms':>7} "
        f"{'p99 ms':>7} {'max ms':>7} {'all p99':>8} {'cpu/press':>9}  goal"
    )
    for r in results:
        c = r["next_card"]
        print(
            f"{r['library']:<8} {r['mode']:<8} {r['presses']:>7} {r['achieved_rate_per_s']:>6.1f} "
            f"{c['p50_ms']:>7.1f} {c['p90_ms']:>7.1f} {c['p99_ms']:>7.1f} {c['max_ms']:>7.1f} "
            f"{r['all_copies']['p99_ms']:>8.1f} {r['bot_cpu_ms_per_press']:>9.1f}  "
            f"{'met' if r['goal_met'] else 'MISSED'}"
        )
    bursts = [r for r in results if "burst" in r]
    if bursts:
        print("\nburst: every presser with a card presses at the same moment")
        for r in bursts:
            b = r["burst"]
            print(
                f"{r['library']:<8} {r['mode']:<8} {b['presses']:>7} presses: next card p50 "
                f"{b['next_card']['p50_ms']:.0f} ms, p99 {b['next_card']['p99_ms']:.0f} ms; "
                f"all copies p99 {b['all_copies']['p99_ms']:.0f} ms"
            )
    if results:
        print("\nnext card p50 / p99 ms by the step pressed (* its transition renders a PDF)")
        for role in results[0]["next_card_by_presser"]:
            mark = " *" if role in RENDERS else ""
            cells = "  ".join(
                f"{r['library']}/{r['mode']} "
                f"{r['next_card_by_presser'].get(role, {}).get('p50_ms', float('nan')):.0f}/"
                f"{r['next_card_by_presser'].get(role, {}).get('p99_ms', float('nan')):.0f}"
                for r in results
            )
            print(f"  {role + mark:<28} {cells}")
    print(f"goal: next card p50 < {GOAL_P50_MS:.0f} ms, p99 < {GOAL_P99_MS:.0f} ms")


async def run(
    libraries: list[str],
    modes: list[str],
    presses: int,
    rate: float,
    burst: bool,
    progress: Callable[[str], Awaitable[None] | None] | None = None,
    profile: bool = False,
) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="staffbot-bench-latency-"))
    pool_b = max(4, presses // 12)
    pool_a = max(6, (presses + 60) // 4 - pool_b)
    try:
        template = await prepare(folder / "template", pool_a, pool_b)
        results = []
        for library in libraries:
            for mode in modes:
                results.append(
                    await one_config(template, library, mode, presses, rate, burst, profile)
                )
                if progress is not None:
                    progress(f"latency {library}/{mode} done")
    finally:
        remove(folder)
    return {
        "what": "press (callback update handed to the bot) to the next role's card "
        "(sendMessage received by the Bot API double), 50 staff on Telegram",
        "staff": sum(len(v) for v in template.holders.values()),
        "cases": {"from_step_3": pool_a, "from_step_10": pool_b},
        "goal": {"p50_ms": GOAL_P50_MS, "p99_ms": GOAL_P99_MS},
        "machine": machine(),
        "results": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--libraries", default="ptb,aiogram")
    parser.add_argument("--modes", default="polling,webhook")
    parser.add_argument("--presses", type=int, default=150)
    parser.add_argument("--rate", type=float, default=5.0)
    parser.add_argument("--burst", action="store_true")
    parser.add_argument(
        "--profile", action="store_true", help="pyinstrument the bot into bench/results/"
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    document = asyncio.run(
        run(
            args.libraries.split(","),
            args.modes.split(","),
            args.presses,
            args.rate,
            args.burst,
            profile=args.profile,
        )
    )
    print_table(document["results"])
    print(f"\nwritten {write_result('latency', document, args.out)}")


if __name__ == "__main__":
    main()

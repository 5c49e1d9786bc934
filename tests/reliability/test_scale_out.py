"""Three (CI: two) `python main.py run` workers on one PostgreSQL database, Telegram in webhook mode
behind a round-robin forwarder (the load balancer), while a crowd presses buttons:

* the same press reaches all three workers at the same moment (Telegram retrying on
  another connection) and holders of one role press one card on different workers:
  one transition each;
* overdue tasks are scanned by all three at once: each escalation fires once;
* one worker is killed mid-burst: the others drain its share of the outbox (its claimed
  rows come back at their next heartbeat, which finds its pid gone, not when the lease
  runs out) and the load balancer stops sending to it;
* no message is sent twice except one in flight in the killed worker (counted).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from staffbot.channels.telegram_receivers import SECRET_HEADER, webhook_secret
from staffbot.settings import Settings
from tests.conftest import PG_HOST, _pg_admin
from tests.doubles.control import ControlClient, spawn_double
from tests.reliability.office import (
    FULL,
    TOKEN,
    Crowd,
    Figures,
    _buttons,
    _forward_button,
    add_roster,
    check_books,
    cli,
    gather_figures,
    record_cases,
    roster,
    rows,
    settled,
)
from tests.reliability.process import ROOT, BotProcess, free_port
from tests.reliability.test_crash import bot_env

pytestmark = pytest.mark.postgres
WORKERS = 3 if FULL else 2
CASES = 6 if FULL else 1


class Forwarder:
    """The load balancer: each webhook POST goes to the next live worker."""

    def __init__(self, targets: list[str]) -> None:
        self.targets = targets
        self.turn = 0
        self.served: Counter[str] = Counter()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/telegram/webhook"

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {"Content-Type": "application/json"}
        if SECRET_HEADER in request.headers:
            headers[SECRET_HEADER] = request.headers[SECRET_HEADER]
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
            for _ in range(len(self.targets)):
                target = self.targets[self.turn % len(self.targets)]
                self.turn += 1
                try:
                    async with http.post(
                        f"{target}/telegram/webhook", data=body, headers=headers
                    ) as answer:
                        self.served[target] += 1
                        return web.Response(status=answer.status, body=await answer.read())
                except aiohttp.ClientError:
                    continue  # a dead worker: the next one
        return web.Response(status=502)

    async def __aenter__(self) -> Forwarder:
        app = web.Application()
        app.router.add_post("/telegram/webhook", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.runner.cleanup()


def test_workers_share_one_webhook_secret_when_they_start_together(tmp_path: Path) -> None:
    found: list[str] = []
    threads = [
        threading.Thread(target=lambda: found.append(webhook_secret(tmp_path))) for _ in range(12)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 12 and len(set(found)) == 1 and len(found[0]) >= 48
    assert sorted(p.name for p in tmp_path.iterdir()) == ["telegram_webhook_secret"]


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_three_workers_on_postgresql(
    tmp_path: Path, demo_pki: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = f"staffbot_scale_{uuid.uuid4().hex[:8]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    url = f"{PG_HOST}/{name}"
    data = tmp_path / "shared-data"
    shutil.copytree(demo_pki, data / "signing")
    try:
        with spawn_double("telegram", "--token", TOKEN) as double:
            workers, forwarder_port = make_workers(tmp_path, data, url, double.url)
            env = {k: v for k, v in workers[0].env.items() if k.startswith("STAFFBOT_")}
            cli(env, "migrate")
            add_roster(env, roster())
            settings = Settings(database_url=url, data_dir=data, _env_file=None)  # type: ignore[call-arg]
            numbers = asyncio.run(record_cases(settings, CASES))
            asyncio.run(make_overdue(url))
            figures = asyncio.run(run_workers(workers, forwarder_port, url, double.url, numbers))
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    with capsys.disabled():
        print("\n" + figures.line(f"scale-out ({WORKERS} workers, PostgreSQL)"))


def make_workers(
    tmp_path: Path, data: Path, url: str, double_url: str
) -> tuple[list[BotProcess], int]:
    forwarder_port = free_port()
    common = {
        **bot_env(double_url),
        "STAFFBOT_DATABASE_URL": url,
        "STAFFBOT_DATA_DIR": str(data),
        "STAFFBOT_TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{forwarder_port}/telegram/webhook",
        "STAFFBOT_ESCALATION_INTERVAL_SECONDS": "5",
        # longer than the slowest delivery here (a card, then its PDF, paced 1 s apart),
        # or a live worker would take a row another live worker is still sending
        "STAFFBOT_OUTBOX_LEASE_SECONDS": "10",
    }
    workers = []
    for i in range(WORKERS):
        (tmp_path / f"w{i}").mkdir()
        workers.append(BotProcess(tmp_path / f"w{i}", common))
    return workers, forwarder_port


async def run_workers(
    workers: list[BotProcess], forwarder_port: int, url: str, double_url: str, numbers: list[str]
) -> Figures:
    figures = Figures()
    forwarder = Forwarder([w.url for w in workers])
    forwarder.port = forwarder_port
    async with forwarder, ControlClient(double_url, timeout=30) as ctl:
        # all workers start at once (systemd starts them together)
        await asyncio.gather(*(asyncio.to_thread(w.start) for w in workers))
        try:
            # every worker's first scan (a second after start) races for the overdue tasks
            await until(lambda: _count(escalations(url)), 1)
            crowd = Crowd(ctl, random.Random(3))
            stop = asyncio.Event()
            racing = Counter[str]()

            async def pressing() -> None:
                while not stop.is_set():
                    await crowd.round()
                    await race(ctl, workers, racing)
                    await asyncio.sleep(0.3)

            presser = asyncio.create_task(pressing())
            try:
                await until(lambda: transitions(url), 3 * CASES)
                [(pending,)] = await rows(
                    url, "SELECT count(*) FROM outbox WHERE status = 'pending'"
                )
                await asyncio.to_thread(workers[0].kill)  # mid-burst
                figures.kills.append(time.time())
                figures.crashes = 1
                figures.extra["pending when killed"] = pending
                await settled(ctl, url, within=300)
            finally:
                stop.set()
                await presser
            chats = await ctl.get("chats")
            callbacks = await ctl.get("callbacks")
        finally:
            for w in workers:
                w.kill()
    await gather_figures(url, figures, crowd, chats, callbacks)
    figures.extra["concurrent duplicate posts"] = racing["posts"]
    figures.extra["served per worker"] = sorted(forwarder.served.values())
    await check_books(url, numbers, figures, chats, per_chat_repeats=1)
    await check_escalations(url, chats)
    figures.extra["escalations"] = len(await escalations(url))
    verify = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(ROOT / "main.py"), "audit", "verify"],
        env=workers[1].env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert all(n > 0 for n in forwarder.served.values()) and len(forwarder.served) == WORKERS
    return figures


async def until(count: Any, at_least: int) -> None:
    """Poll a count until it reaches ``at_least`` (another process does the work)."""
    while True:
        if await count() >= at_least:
            return
        await asyncio.sleep(0.2)


async def _count(found: Any) -> int:
    return len(await found)


async def transitions(url: str) -> int:
    [(n,)] = await rows(url, "SELECT count(*) FROM audit_event WHERE kind = 'transition'")
    return int(n)


async def make_overdue(url: str) -> None:
    """Every open task is a day late: the first scan of each worker finds them all."""
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await conn.execute(
            "UPDATE task SET due_at = now() - interval '1 day', "
            "next_escalation_at = now() - interval '1 minute', escalation_level = 0 "
            "WHERE is_open"
        )
    finally:
        await conn.close()


async def escalations(url: str) -> list[tuple[int, int]]:
    found = await rows(url, "SELECT task_id, data FROM audit_event WHERE kind = 'escalation'")
    out = []
    for task_id, data in found:
        data = json.loads(data) if isinstance(data, str) else data
        out.append((int(task_id), int(data["level"])))
    return out


async def check_escalations(url: str, chats: dict[str, list[dict[str, Any]]]) -> None:
    fired = await escalations(url)
    assert fired, "no escalation fired"
    assert Counter(fired).most_common(1)[0][1] == 1  # each (task, level) once
    keys = await rows(
        url, "SELECT idempotency_key FROM outbox WHERE idempotency_key LIKE 'alert:%'"
    )
    assert len(keys) == len({k for (k,) in keys})


async def race(ctl: ControlClient, workers: list[BotProcess], racing: Counter[str]) -> None:
    """For an open card: the same press posted to every live worker at the same moment
    (as Telegram's retry on another connection would), with a fresh callback id."""
    chats: dict[str, list[dict[str, Any]]] = await ctl.get("chats")
    secret = webhook_secret(Path(workers[0].env["STAFFBOT_DATA_DIR"]))
    for chat_key, messages in chats.items():
        for m in messages:
            label = _forward_button(m) if m["from_bot"] else None
            if label is None or not (m.get("text") or "").startswith("📄"):
                continue
            if random.random() > 0.3:
                continue
            chat_id = int(chat_key)
            update = {
                "update_id": 10_000_000 + racing["posts"],
                "callback_query": {
                    "id": f"race-{uuid.uuid4().hex[:12]}",
                    "from": {"id": chat_id, "is_bot": False, "first_name": "Pengguna"},
                    "message": {
                        "message_id": m["message_id"],
                        "chat": {"id": chat_id, "type": "private"},
                        "date": m["date"],
                    },
                    "chat_instance": "1",
                    "data": _buttons(m)[label],
                },
            }
            body = json.dumps(update).encode()
            live = [w for w in workers if w.proc is not None]

            async def post(worker: BotProcess, body: bytes = body) -> None:
                async with aiohttp.ClientSession() as http:
                    with contextlib.suppress(aiohttp.ClientError):
                        await http.post(
                            f"{worker.url}/telegram/webhook",
                            data=body,
                            headers={SECRET_HEADER: secret, "Content-Type": "application/json"},
                        )

            await asyncio.gather(*(post(w) for w in live))
            racing["posts"] += len(live)
            return  # one race per round

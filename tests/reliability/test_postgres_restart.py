"""PostgreSQL restarted under a running bot (`python main.py run` on PostgreSQL, Telegram
polling) while staff press buttons: the bot reconnects by itself and carries on, and
the books are as if nothing happened (no press lost or doubled, every message sent,
the audit chain intact).

The test starts a PostgreSQL cluster of its own (initdb in a temporary folder, a free
port: tests/reliability/private_pg.py) and restarts that one with `pg_ctl restart`; the
machine's shared server on 127.0.0.1:5432 is never touched (the session-wide check in
tests/conftest.py asserts its start time is unchanged).
"""

from __future__ import annotations

import asyncio
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from staffbot.settings import Settings
from tests.conftest import _shared_server_start
from tests.doubles.control import ControlClient, spawn_double
from tests.reliability.office import (
    FULL,
    TOKEN,
    Crowd,
    Figures,
    add_roster,
    check_books,
    cli,
    gather_figures,
    record_cases,
    roster,
    settled,
)
from tests.reliability.private_pg import PrivateCluster, private_cluster
from tests.reliability.process import ROOT, BotProcess
from tests.reliability.test_crash import bot_env
from tests.reliability.test_scale_out import transitions, until

pytestmark = pytest.mark.postgres


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_bot_carries_on_after_postgresql_restarts(
    tmp_path: Path, demo_pki: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shared_started = asyncio.run(_shared_server_start())
    shutil.copytree(demo_pki, tmp_path / "data" / "signing")
    with private_cluster() as pg:
        url = f"{pg.url}/staffbot"
        create_database(pg.url, "staffbot")
        with spawn_double("telegram", "--token", TOKEN) as double:
            bot = BotProcess(tmp_path, {**bot_env(double.url), "STAFFBOT_DATABASE_URL": url})
            env = {k: v for k, v in bot.env.items() if k.startswith("STAFFBOT_")}
            cli(env, "migrate")
            add_roster(env, roster())
            settings = Settings(
                database_url=url, data_dir=Path(env["STAFFBOT_DATA_DIR"]), _env_file=None
            )  # type: ignore[call-arg]
            numbers = asyncio.run(record_cases(settings, 2 if FULL else 1))
            bot.start()
            try:
                figures = asyncio.run(press_through_a_restart(bot, double.url, pg, numbers))
                verify = subprocess.run(
                    [sys.executable, str(ROOT / "main.py"), "audit", "verify"],
                    env=bot.env,
                    cwd=tmp_path,
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
                assert verify.returncode == 0, verify.stdout + verify.stderr
            finally:
                bot.kill()
    # the restart above was the private cluster's: the shared server never noticed
    assert asyncio.run(_shared_server_start()) == shared_started
    with capsys.disabled():
        print("\n" + figures.line("postgresql restart"))


def create_database(server: str, name: str) -> None:
    import asyncpg

    async def run() -> None:
        dsn = server.replace("postgresql+asyncpg", "postgresql") + "/postgres"
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(run())


async def press_through_a_restart(
    bot: BotProcess, double_url: str, pg: PrivateCluster, numbers: list[str]
) -> Figures:
    url = f"{pg.url}/staffbot"
    figures = Figures()
    async with ControlClient(double_url, timeout=30) as ctl:
        crowd = Crowd(ctl, random.Random(5))
        stop = asyncio.Event()

        async def pressing() -> None:
            while not stop.is_set():
                await crowd.round()
                await asyncio.sleep(0.3)

        presser = asyncio.create_task(pressing())
        try:
            # let some work happen, then pull the database away mid-burst
            await until(lambda: transitions(url), 6)
            started = time.monotonic()
            await asyncio.to_thread(pg.restart)
            figures.extra["restart seconds"] = round(time.monotonic() - started, 1)
            figures.kills.append(time.time())
            await settled(ctl, url, within=240)
        finally:
            stop.set()
            await presser
        async with httpx.AsyncClient() as http:
            assert (await http.get(f"{bot.url}/healthz")).status_code == 200
        assert bot.proc is not None and bot.proc.poll() is None  # it never died
        chats = await ctl.get("chats")
        callbacks = await ctl.get("callbacks")
    await gather_figures(url, figures, crowd, chats, callbacks)
    # a send in flight when the connection dropped may be marked sent only on its retry
    await check_books(url, numbers, figures, chats, per_chat_repeats=1)
    log = bot.log.read_text(encoding="utf-8", errors="replace")
    figures.extra["transient errors retried"] = log.count("transient database error")
    return figures

"""`python main.py run` against a Bot API server at STAFFBOT_TELEGRAM_API_URL (here the
Telegram double, started standalone): it polls, and a staff member added with
`staff add --telegram ID` gets their cards there and acts on them."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from staffbot.cli.root import app
from tests.doubles.control import ControlClient, spawn_double
from tests.reliability.process import BotProcess

TOKEN = "123456:TEST-token"
ANDI = 5005
NIP_WA = "199102022015031006"
NIP_CC = "199001012015032005"


def cli(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def wait(predicate: Any, what: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.1)
    raise TimeoutError(what)


def control(url: str, method: str, path: str, **body: Any) -> Any:
    async def call() -> Any:
        async with ControlClient(url) as ctl:
            return await (ctl.get(path, **body) if method == "get" else ctl.post(path, **body))

    return asyncio.run(call())


@pytest.mark.timeout(120)
def test_main_run_in_polling_mode(tmp_path: Path, sqlite_template: Path, demo_pki: Path) -> None:
    shutil.copy(sqlite_template, tmp_path / "bot.db")
    shutil.copytree(demo_pki, tmp_path / "data" / "signing")
    with spawn_double("telegram", "--token", TOKEN) as double:
        bot = BotProcess(
            tmp_path,
            {
                "STAFFBOT_TELEGRAM_TOKEN": TOKEN,
                "STAFFBOT_TELEGRAM_API_URL": double.url,
                "STAFFBOT_TELEGRAM_LIBRARY": "ptb",
                "STAFFBOT_OUTBOX_SWEEP_SECONDS": "1",
                "STAFFBOT_DEMO": "off",
            },
        )
        env = {k: v for k, v in bot.env.items() if k.startswith("STAFFBOT_")}
        cli(
            env,
            "staff",
            "add",
            "--name",
            "Andi Saputra",
            "--nip",
            NIP_WA,
            "--role",
            "operator_penerima_wa",
            "--telegram",
            str(ANDI),
        )
        cli(
            env,
            "staff",
            "add",
            "--name",
            "Rina Marlina",
            "--nip",
            NIP_CC,
            "--role",
            "petugas_call_center",
        )
        bot.start()
        try:
            calls = wait(
                lambda: (
                    {c["method"] for c in control(double.url, "get", "calls")}
                    >= {"getMe", "setMyCommands", "deleteWebhook", "getUpdates"}
                ),
                "the bot did not start polling",
            )
            assert calls
            cli(
                env,
                "case",
                "new",
                "--name",
                "Siti Aminah",
                "--nik",
                "1806054501900001",
                "--wa",
                "0812-3456-7890",
                "--kecamatan",
                "Gisting",
                "--layanan",
                "KK",
                "--as",
                NIP_CC,
            )

            def card() -> dict[str, Any] | None:
                for message in control(double.url, "get", f"chats/{ANDI}"):
                    if "PO-2026" in (message["text"] or "") and message["reply_markup"]:
                        return dict(message)
                return None

            sent = wait(card, "no card reached the Telegram chat")
            buttons = {
                b["text"]: b["callback_data"]
                for row in sent["reply_markup"]["inline_keyboard"]
                for b in row
            }
            assert set(buttons) == {"Teruskan", "Tolak", "📎 Berkas pemohon"}
            control(
                double.url,
                "post",
                "push/callback",
                chat_id=ANDI,
                user_id=ANDI,
                message_id=sent["message_id"],
                data=buttons["Teruskan"],
            )

            def edited() -> dict[str, Any] | None:
                for message in control(double.url, "get", f"chats/{ANDI}"):
                    if message["message_id"] == sent["message_id"] and message["history"]:
                        return dict(message)
                return None

            closed = wait(edited, "the card was not edited")
            assert "✔ Diteruskan oleh Andi Saputra" in closed["text"]
            assert closed["reply_markup"] is None
            answers = control(double.url, "get", "callbacks")
            assert [(a["answer"] or {}).get("text", "")[:1] for a in answers.values()] == ["✔"]
        finally:
            code = bot.stop()
    assert code == 0, bot.log.read_text()[-2000:]

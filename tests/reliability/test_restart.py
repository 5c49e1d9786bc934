"""Restarts: a half-filled form resumes, a message committed before a crash is delivered."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.process import ROOT, BotProcess, Browser


@pytest.fixture
def bot(tmp_path: Path) -> BotProcess:
    process = BotProcess(tmp_path)
    yield process
    process.kill()


def test_a_half_filled_intake_form_resumes_after_a_crash(bot: BotProcess) -> None:
    bot.start()
    rina = Browser(bot.url)
    rina.demo_login("Rina Marlina")
    rina.say("/baru", "restart-c1")
    rina.say("Siti Aminah", "restart-c2")
    rina.say("1806054501900001", "restart-c3")
    rina.wait_for(lambda ms: ms[-1]["text"].startswith("(3/6)"))
    bot.kill()  # SIGKILL in the middle of the form

    bot.start()
    rina.open()  # the session lives in the database: same cookie after the restart
    rina.say("0812 3456 7890", "restart-c4")
    rina.wait_for(lambda ms: ms[-1]["text"].startswith("(4/6)"))
    rina.press(rina.button("Kota Agung"), "restart-c5")
    rina.wait_for(lambda ms: ms[-1]["text"].startswith("(5/6)"))
    rina.press(rina.button("KK"), "restart-c6")
    rina.say("Perubahan data KK", "restart-c7")
    rina.wait_for(lambda ms: ms[-1]["text"].startswith("Periksa data pengaduan"))
    rina.press(rina.button("Simpan"), "restart-c8")
    messages = rina.wait_for(lambda ms: "Pengaduan dicatat" in ms[-1]["text"])
    assert re.search(r"PO-\d{4}-00001", messages[-1]["text"])
    assert bot.stop() == 0


def test_a_message_committed_before_a_crash_is_delivered_once(bot: BotProcess) -> None:
    env = bot.env
    # The CLI commits the case and its outbox rows and exits: no dispatcher ran.
    for args in (
        ["staff", "seed-demo"],
        [
            "case",
            "new",
            "--name",
            "Siti Aminah",
            "--nik",
            "1806054501900001",
            "--wa",
            "081234567890",
            "--kecamatan",
            "Gisting",
            "--layanan",
            "KK",
        ],
    ):
        subprocess.run(
            [sys.executable, str(ROOT / "main.py"), *args],
            cwd=bot.workdir,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
    bot.start()
    andi = Browser(bot.url)
    andi.demo_login("Andi Saputra")
    cards = andi.wait_for(lambda ms: any(m["kind"] == "card" for m in ms))
    assert [m["kind"] for m in cards] == ["card"]
    bot.kill()
    bot.start()  # after another crash the card is not delivered a second time
    andi.open()
    assert [m["kind"] for m in andi.messages()] == ["card"]

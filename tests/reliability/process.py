"""`python main.py run` as a real process, for restart and crash tests."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
_FORM_CSRF = re.compile(r'<input type="hidden" name="csrf" value="([^"]+)">')
_META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
_PICKER = re.compile(
    r'<button type="submit" name="staff_id" value="(\d+)" class="role"><b>([^<]+)</b>'
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotProcess:
    """Start, kill and restart the bot on one data dir and database."""

    def __init__(self, workdir: Path, env: dict[str, str] | None = None) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "STAFFBOT_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'bot.db'}",
            "STAFFBOT_DATA_DIR": str(workdir / "data"),
            "STAFFBOT_WEB_PORT": str(self.port),
            "STAFFBOT_PUBLIC_URL": self.url,
            **(env or {}),
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = workdir / "bot.log"

    def start(self, timeout: float = 60.0, *, wait: bool = True) -> None:
        """Spawn `main.py run`; with ``wait`` return once /healthz answers 200."""
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, str(ROOT / "main.py"), "run"],
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if not wait:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"bot exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(self.log.read_text()[-3000:])

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, nothing flushed."""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)
            self.proc = None

    def stop(self) -> int:
        if self.proc is None:
            return 0
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=60)
        self.proc = None
        return code


class Browser:
    """One person's session on the web channel of a running bot."""

    def __init__(self, url: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=30)
        self.csrf = ""

    def demo_login(self, name: str) -> None:
        page = self.client.get("/")
        csrf = _FORM_CSRF.search(page.text)
        assert csrf is not None, page.text[:500]
        ids = {n: i for i, n in _PICKER.findall(page.text)}
        response = self.client.post(
            "/demo/login", data={"csrf": csrf.group(1), "staff_id": ids[name]}
        )
        assert response.status_code == 303, response.text
        self.open()

    def open(self) -> None:
        page = self.client.get("/chat")
        match = _META_CSRF.search(page.text)
        assert match is not None, page.text[:300]
        self.csrf = match.group(1)

    def say(self, text: str, cid: str) -> dict[str, Any]:
        response = self.client.post(
            "/api/text", json={"text": text, "id": cid}, headers={"X-CSRF-Token": self.csrf}
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    def press(self, token: str, cid: str) -> dict[str, Any]:
        response = self.client.post(
            "/api/press", json={"token": token, "id": cid}, headers={"X-CSRF-Token": self.csrf}
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    def messages(self) -> list[dict[str, Any]]:
        return list(self.client.get("/api/messages", params={"after": 0}).json()["messages"])

    def wait_for(self, predicate: Any, timeout: float = 15.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = self.messages()
            if predicate(messages):
                return messages
            time.sleep(0.1)
        raise TimeoutError(str(self.messages()[-3:]))

    def button(self, label: str) -> str:
        for message in reversed(self.messages()):
            for choice in message.get("choices") or []:
                if choice["label"] == label:
                    return str(choice["token"])
        raise AssertionError(f"no button {label!r}")

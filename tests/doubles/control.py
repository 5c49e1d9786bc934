"""Driving a standalone double from another process (crash and scale-out tests).

with spawn_double("telegram", "--token", "123:ABC") as proc:     # python -m ...
    async with ControlClient(proc.url) as ctl:
        update_id = (await ctl.post("push/text", chat_id=42, user_id=42, text="/start"))
        chats = await ctl.get("chats/42")
"""

from __future__ import annotations

import contextlib
import selectors
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

_ROOT = Path(__file__).resolve().parents[2]


class ControlClient:
    """Thin async client of a double's /_control/ API (see README.md for the routes)."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self._http = httpx.AsyncClient(base_url=f"{base_url}/_control/", timeout=timeout)

    async def get(self, path: str, **params: Any) -> Any:
        response = await self._http.get(path, params=params)
        response.raise_for_status()
        return response.json()

    async def post(self, path: str, **body: Any) -> Any:
        response = await self._http.post(path, json=body)
        response.raise_for_status()
        return response.json()

    async def delete(self, path: str) -> Any:
        response = await self._http.delete(path)
        response.raise_for_status()
        return response.json()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> ControlClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


@dataclass
class StandaloneDouble:
    process: subprocess.Popen[str]
    url: str


@contextlib.contextmanager
def spawn_double(kind: str, *args: str, ready_timeout: float = 20.0) -> Iterator[StandaloneDouble]:
    """Run `python -m tests.doubles.<kind> --port 0 ARGS` and yield it once it listens."""
    process = subprocess.Popen(
        [sys.executable, "-m", f"tests.doubles.{kind}", "--port", "0", *args],
        cwd=_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = _read_ready(process, ready_timeout)
        yield StandaloneDouble(process, url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _read_ready(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"double exited with {process.returncode}")
            if selector.select(timeout=0.1):
                line = process.stdout.readline()
                if line.startswith("READY "):
                    return line.split(" ", 1)[1].strip()
    raise TimeoutError("double did not become ready")

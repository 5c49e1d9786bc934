"""The live stream: a delivery wakes it and the new message arrives; it cleans up."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.types import Message

from tests.support import Desk
from tests.web.support import Web


class Stream:
    """Drives the ASGI app directly: httpx's ASGI transport waits for the whole body."""

    def __init__(self, web: Web, path: str, query: str, cookie: str) -> None:
        self.web = web
        self.scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(b"host", b"testserver"), (b"cookie", cookie.encode())],
            "client": ("127.0.0.1", 5000),
            "server": ("testserver", 80),
        }
        self.chunks: asyncio.Queue[bytes] = asyncio.Queue()
        self.status = 0
        self.disconnect = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def _receive(self) -> Message:
        await self.disconnect.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        elif message["type"] == "http.response.body":
            await self.chunks.put(message.get("body", b""))

    def start(self) -> None:
        self.task = asyncio.create_task(self.web.app(self.scope, self._receive, self._send))

    async def next_event(self, name: str) -> dict[str, Any]:
        buffer = ""
        async with asyncio.timeout(5.0):
            while True:
                buffer += (await self.chunks.get()).decode()
                for block in buffer.split("\n\n"):
                    lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
                    if lines.get("event") == name:
                        return dict(json.loads(lines["data"]))

    async def stop(self) -> None:
        self.disconnect.set()
        assert self.task is not None
        await asyncio.wait_for(self.task, 5)


async def test_a_delivery_wakes_the_stream(web: Web, desk: Desk) -> None:
    operator = await web.person("operator_penerima_wa")
    cookie = f"sb_session={operator.client.cookies['sb_session']}"
    stream = Stream(web, "/api/events", "after=0", cookie)
    stream.start()
    await asyncio.sleep(0.05)
    assert stream.status == 200
    # the stream is listening on this person's chat
    [chat_id] = list(web.channel._listeners)
    number = (await desk.new_case()).number
    await web.drain()  # the web channel's delivery wakes the stream
    batch = await stream.next_event("messages")
    [card] = [m for m in batch["messages"] if m["kind"] == "card"]
    assert number in card["text"] and [c["label"] for c in card["choices"]] == [
        "Teruskan",
        "Tolak",
        "📎 Berkas pemohon",
    ]
    assert batch["last_id"] == card["id"]

    # pressing the button: the edit arrives on the same stream
    await operator.press(card["choices"][0]["token"])
    batch = await stream.next_event("messages")
    [edit] = [m for m in batch["messages"] if m["kind"] == "edit"]
    assert edit["ref_id"] == card["id"] and edit["choices"] == []
    assert "✔ Diteruskan oleh Andi Saputra" in edit["text"]

    await stream.stop()
    assert chat_id not in web.channel._listeners  # the listener is gone


async def test_the_stream_reads_rows_another_process_delivered(web: Web, desk: Desk) -> None:
    """No wake-up at all (another process delivered): the stream's poll finds the rows."""
    operator = await web.person("operator_penerima_wa")
    stream = Stream(web, "/api/events", "", f"sb_session={operator.client.cookies['sb_session']}")
    stream.start()
    await asyncio.sleep(0.05)
    listeners = dict(web.channel._listeners)
    web.channel._listeners.clear()  # this process's channel never hears of the delivery
    number = (await desk.new_case()).number
    await web.drain()
    batch = await stream.next_event("messages")
    assert any(number in m["text"] for m in batch["messages"])
    web.channel._listeners.update(listeners)
    await stream.stop()


async def test_the_stream_ends_on_logout_and_refuses_strangers(web: Web) -> None:
    stranger = Stream(web, "/api/events", "", "sb_session=nope")
    stranger.start()
    await asyncio.wait_for(stranger.task, 5)  # type: ignore[arg-type]
    assert stranger.status == 401
    operator = await web.person("operator")
    stream = Stream(web, "/api/events", "", f"sb_session={operator.client.cookies['sb_session']}")
    stream.start()
    await asyncio.sleep(0.05)
    await operator.client.post("/logout", data={"csrf": operator.csrf})
    web.channel.notify_all()
    await stream.next_event("logout")
    await stream.stop()
    assert not web.channel._listeners

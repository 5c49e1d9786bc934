"""The web channel as tests drive it: the app over ASGI, one HTTP client per person."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette

from staffbot.app.commands.web_auth import CreateLoginLink
from staffbot.channels.web import WebChannel
from staffbot.chat.service import ChatService
from staffbot.dispatcher import OutboxDispatcher
from staffbot.web.app import create_web_app
from staffbot.web.deps import WebDeps
from tests.support import ROSTER, Desk

BASE = "http://testserver"
_META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
_FORM_CSRF = re.compile(r'<input type="hidden" name="csrf" value="([^"]+)">')
_PICKER = re.compile(
    r'<button type="submit" name="staff_id" value="(\d+)" class="role"><b>([^<]+)</b>'
)


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass
class Web:
    desk: Desk
    chat: ChatService
    channel: WebChannel
    dispatcher: OutboxDispatcher
    deps: WebDeps
    app: Starlette
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    def client(self) -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=BASE)
        self.clients.append(client)
        return client

    async def drain(self) -> None:
        await self.dispatcher.drain()

    async def login_link(self, role: str) -> str:
        url = await self.desk.bus.handle(CreateLoginLink(nip=ROSTER[role], public_url=BASE))
        return url.removeprefix(BASE)

    async def person(self, role: str) -> Person:
        """A browser logged in (by a one-time login link) as the holder of ``role``."""
        client = self.client()
        response = await use_login_link(client, await self.login_link(role))
        assert response.status_code == 303, response.text
        return await Person.open(self, client)

    async def demo_person(self, name: str) -> Person:
        """A browser logged in through the demo role picker, by the staff member's name."""
        client = self.client()
        page = await client.get("/")
        assert page.status_code == 200
        csrf = _FORM_CSRF.search(page.text)
        assert csrf is not None
        ids = {n: i for i, n in _PICKER.findall(page.text)}
        response = await client.post(
            "/demo/login", data={"csrf": csrf.group(1), "staff_id": ids[name]}
        )
        assert response.status_code == 303 and response.headers["location"] == "/chat"
        return await Person.open(self, client)

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()


async def use_login_link(client: httpx.AsyncClient, path: str) -> httpx.Response:
    """Open a login link as a person does: the confirmation page, then "Masuk"."""
    page = await client.get(path)
    if page.status_code != 200:
        return page
    assert "Masuk sebagai" in page.text
    csrf = _FORM_CSRF.search(page.text)
    assert csrf is not None
    return await client.post(path, data={"csrf": csrf.group(1)})


def build_web(desk: Desk, *, demo: bool = True) -> Web:
    channel = WebChannel()
    chat = ChatService(desk.bus)
    dispatcher = OutboxDispatcher(
        desk.db, {"web": channel, "whatsapp": channel}, clock=desk.office.clock
    )

    async def health() -> bool:
        return await desk.db.ping()

    async def metrics() -> str:
        return "staffbot_up 1\n"

    deps = WebDeps(
        office=desk.office,
        bus=desk.bus,
        chat=chat,
        channel=channel,
        public_url=BASE,
        demo=demo,
        health=health,
        metrics=metrics,
    )
    return Web(desk, chat, channel, dispatcher, deps, create_web_app(deps))


def apply_edits(messages: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """The transcript as the page shows it: edits replace text and buttons in place (and
    the card's document, when the edit brings one: the signed PDF)."""
    shown: dict[int, dict[str, Any]] = {}
    for m in messages:
        if m["kind"] == "edit":
            if m["ref_id"] in shown:
                shown[m["ref_id"]] = {
                    **shown[m["ref_id"]],
                    "text": m["text"],
                    "choices": m["choices"],
                    "edited": True,
                    **({"attachment": m["attachment"]} if m.get("attachment") else {}),
                }
        elif m["kind"] != "delete":
            shown[m["id"]] = {**m, "edited": False}
    return shown


@dataclass
class Person:
    web: Web
    client: httpx.AsyncClient
    csrf: str
    name: str

    @classmethod
    async def open(cls, web: Web, client: httpx.AsyncClient) -> Person:
        page = await client.get("/chat")
        assert page.status_code == 200, page.text
        match = _META_CSRF.search(page.text)
        assert match is not None
        name = re.search(r'<div class="who"><b>([^<]+)</b>', page.text)
        assert name is not None
        return cls(web, client, match.group(1), name.group(1))

    @property
    def headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}

    async def messages(self, after: int = 0) -> dict[str, Any]:
        response = await self.client.get("/api/messages", params={"after": after})
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def shown(self) -> dict[int, dict[str, Any]]:
        return apply_edits((await self.messages())["messages"])

    async def last(self) -> dict[str, Any]:
        """The newest message (not an edit) of this chat."""
        return list((await self.shown()).values())[-1]

    async def press(self, token: str, *, cid: str | None = None) -> dict[str, Any]:
        response = await self.client.post(
            "/api/press", json={"token": token, "id": cid or new_id()}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        await self.web.drain()
        return dict(response.json())

    async def press_label(self, message: dict[str, Any], label: str) -> dict[str, Any]:
        [token] = [c["token"] for c in message["choices"] if c["label"] == label]
        return await self.press(token)

    async def say(self, text: str, *, cid: str | None = None) -> dict[str, Any]:
        response = await self.client.post(
            "/api/text", json={"text": text, "id": cid or new_id()}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        await self.web.drain()
        return dict(response.json())

    async def upload(
        self, data: bytes, filename: str, mime: str = "application/pdf"
    ) -> dict[str, Any]:
        response = await self.client.post(
            "/api/file",
            files={"file": (filename, data, mime)},
            data={"id": new_id()},
            headers=self.headers,
        )
        assert response.status_code == 200, response.text
        await self.web.drain()
        return dict(response.json())

    async def tasks(self) -> list[dict[str, Any]]:
        response = await self.client.get("/api/tasks")
        assert response.status_code == 200
        return list(response.json()["tasks"])

"""Pages, headers, documents, uploads, the office view and the demo applicant inbox."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from staffbot.app.commands.office import OfficeGlance
from staffbot.app.commands.staff import DEMO_ROSTER
from staffbot.channels.base import CommandReceived, TextReceived
from staffbot.services.files import store_document
from staffbot.web.api import text_event
from staffbot.web.app import create_web_app
from staffbot.web.transcript import safe_rich
from tests.support import Desk, counts, tiny_pdf
from tests.web.support import Web, new_id


async def test_the_demo_picker_offers_every_role_and_the_applicant(web: Web) -> None:
    page = await web.client().get("/")
    assert page.status_code == 200
    assert "Mode demo — pilih peran" in page.text
    for _role, name, _nip, _sup in DEMO_ROSTER:
        assert f"<b>{name}</b>" in page.text
    assert "<span>Petugas Call Center</span>" in page.text
    assert "Pemohon (simulasi WhatsApp)" in page.text and 'href="/pemohon"' in page.text
    # the call center comes first, in the order of the SOP
    assert page.text.index("Rina Marlina") < page.text.index("Andi Saputra")


async def test_pages_carry_a_strict_policy_and_no_inline_code(web: Web) -> None:
    person = await web.person("petugas_call_center")
    for path in ("/chat", "/kantor", "/"):
        response = await person.client.get(path)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"
        assert not re.search(r"<script(?![^>]*\bsrc=)", response.text)
        assert not re.search(r"\son[a-z]+=", response.text) and " style=" not in response.text
    script = await person.client.get("/static/chat.js")
    assert script.status_code == 200 and "EventSource" in script.text
    assert (await person.client.get("/static/app.css")).status_code == 200


async def test_the_chat_page_shows_the_person_and_their_commands(web: Web) -> None:
    center = await web.person("petugas_call_center")
    page = (await center.client.get("/chat")).text
    assert "Rina Marlina" in page and "Petugas Call Center" in page
    assert 'data-command="/baru"' in page and 'data-command="/tugas"' in page
    assert "Tugas saya" in page and 'type="file"' in page and "Ganti peran" in page
    operator = await web.person("operator")
    assert 'data-command="/baru"' not in (await operator.client.get("/chat")).text


async def test_health_metrics_and_extra_routes(web: Web) -> None:
    client = web.client()
    health = await client.get("/healthz")
    assert (health.status_code, health.text) == (200, "ok")
    metrics = await client.get("/metrics")
    assert metrics.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert metrics.text == "staffbot_up 1\n"

    async def down() -> bool:
        return False

    async def hook(request: object) -> PlainTextResponse:
        return PlainTextResponse("hook")

    web.deps.health = down
    web.deps.extra_routes = [Route("/telegram/webhook", hook, methods=["POST"])]
    app = create_web_app(web.deps)
    import httpx

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        assert (await c.get("/healthz")).status_code == 503
        assert (await c.post("/telegram/webhook")).text == "hook"


async def test_documents_are_for_staff_only_and_never_show_paths(web: Web, desk: Desk) -> None:
    number = (await desk.new_case()).number
    async with desk.uow() as uow:
        case = await uow.cases.by_number(number)
        assert case is not None
        document = await store_document(
            uow,
            desk.office,
            data=tiny_pdf("x"),
            filename="Surat <Siti>.pdf",
            kind="hasil",
            case_id=case.id,
        )
        await uow.commit()
    person = await web.person("kepala_bidang")
    response = await person.client.get(f"/documents/{document.id}")
    assert response.status_code == 200 and response.content == tiny_pdf("x")
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="') and "filename*=UTF-8''" in disposition
    assert document.path not in disposition and "/" not in disposition.split("''")[1]
    assert response.headers["cache-control"] == "no-store, private"
    assert (await person.client.get("/documents/99999")).status_code == 404
    assert (await person.client.get("/documents/abc")).status_code == 404
    assert (await web.client().get(f"/documents/{document.id}")).status_code == 303
    # the applicant inbox serves only what was sent to that phone
    applicant = web.client()
    assert (
        await applicant.get(f"/pemohon/+6281234567890/documents/{document.id}")
    ).status_code == 404


async def test_uploads_are_limited_before_they_are_read(
    web: Web, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("staffbot.web.api.MAX_UPLOAD_BYTES", 1000)
    monkeypatch.setattr("staffbot.web.api.MULTIPART_SLACK", 500)
    person = await web.person("operator")
    before = await counts(desk.db)
    big = b"%PDF-1.4\n" + b"0" * 5000
    response = await person.client.post(
        "/api/file",
        files={"file": ("big.pdf", big, "application/pdf")},
        data={"id": new_id()},
        headers=person.headers,
    )
    assert response.status_code == 413 and "terlalu besar" in response.json()["text"]

    async def chunks():  # no Content-Length: the stream itself is cut off
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n'
        for _ in range(10):
            yield b"0" * 1000

    response = await person.client.post(
        "/api/file",
        content=chunks(),
        headers={**person.headers, "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 413
    # a file nobody asked for is refused by the chat, politely
    response = await person.client.post(
        "/api/file",
        files={"file": ("small.pdf", tiny_pdf(), "application/pdf")},
        data={"id": new_id()},
        headers=person.headers,
    )
    assert response.status_code == 200
    await web.drain()
    assert "Berkas hanya diterima saat diminta" in (await person.last())["text"]
    assert (await counts(desk.db))["document"] == before["document"]


async def test_bad_requests_are_refused(web: Web) -> None:
    person = await web.person("operator")
    post = person.client.post
    assert (await post("/api/text", json={"text": "hi"}, headers=person.headers)).status_code == 400
    assert (
        await post("/api/text", json={"text": " ", "id": new_id()}, headers=person.headers)
    ).status_code == 400
    assert (
        await post("/api/text", content=b"{not json", headers=person.headers)
    ).status_code == 400
    assert (
        await post("/api/text", json={"text": "x" * 5000, "id": new_id()}, headers=person.headers)
    ).status_code == 413
    assert (
        await post("/api/press", json={"token": "t", "id": "short"}, headers=person.headers)
    ).status_code == 400


async def test_tasks_and_commands_from_the_text_box(web: Web, desk: Desk) -> None:
    number = (await desk.new_case()).number
    await web.drain()
    operator = await web.person("operator_penerima_wa")
    [task] = await operator.tasks()
    assert task["number"] == number and task["sop_no"] == 3 and task["kecamatan"] == "Kota Agung"
    assert task["due"] and not task["overdue"]
    await operator.say("/tugas")
    listing = await operator.last()
    assert number in listing["text"] and listing["choices"][0]["label"] == f"Buka {number}"
    await operator.say(f"/cari {number}")
    assert number in (await operator.last())["text"]


def test_text_becomes_a_command_or_a_text() -> None:
    base = {
        "channel": "web",
        "chat_id": "3",
        "user_id": "3",
        "at": None,
        "update_id": "3:abcdefgh12",
        "user_name": "Rina",
    }
    command = text_event("/cari PO-2026-00001", base)
    assert isinstance(command, CommandReceived)
    assert (command.command, command.args) == ("cari", "PO-2026-00001")
    text = text_event("Siti Aminah", base)
    assert isinstance(text, TextReceived) and text.message_id == "abcdefgh12"


def test_rich_text_keeps_only_its_three_tags() -> None:
    assert safe_rich("<b>a</b> <i>b</i> <code>c</code>") == "<b>a</b> <i>b</i> <code>c</code>"
    assert safe_rich('<script>x</script><b onclick="y">z</b>') == (
        '&lt;script&gt;x&lt;/script&gt;&lt;b onclick="y"&gt;z</b>'  # a stray </b> is harmless
    )
    assert safe_rich("a &lt; b") == "a &lt; b"


async def test_the_office_view(web: Web, desk: Desk) -> None:
    first = (await desk.new_case()).number
    await desk.new_case()
    await desk.act(first, "forward")
    desk.office.clock.advance(timedelta(days=3))  # type: ignore[attr-defined]
    view = await desk.bus.handle(OfficeGlance())
    assert view.open_total == 2
    assert [(s.sop_no, s.open) for s in view.per_step] == [(3, 1), (4, 1)]
    assert sorted(o.number for o in view.overdue) == sorted([first, "PO-2026-00002"])
    assert [(k.kecamatan, k.open, k.closed) for k in view.per_kecamatan] == [("Kota Agung", 2, 0)]
    person = await web.person("kepala_dinas")
    page = await person.client.get("/kantor")
    assert page.status_code == 200
    assert "2 kasus terbuka" in page.text and first in page.text and "Kota Agung" in page.text


async def test_the_applicant_inbox_is_demo_only(web: Web, web_off: Web, desk: Desk) -> None:
    await desk.new_case()
    await web.drain()
    off = web_off.client()
    for path in ("/pemohon", "/pemohon/+6281234567890", "/pemohon/+6281234567890/api/messages"):
        assert (await off.get(path)).status_code == 404
    client = web.client()
    page = await client.get("/pemohon/+6281234567890")
    assert page.status_code == 200 and "simulasi WhatsApp" in page.text
    assert (await client.get("/pemohon/not-a-phone")).status_code == 404
    before = await counts(desk.db)
    refused = await client.post(
        "/pemohon/+6281234567890/api/text", json={"text": "halo", "id": new_id()}
    )
    assert refused.status_code == 403 and await counts(desk.db) == before
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert csrf is not None
    sent = await client.post(
        "/pemohon/+6281234567890/api/text",
        json={"text": "halo, berkas menyusul", "id": new_id()},
        headers={"X-CSRF-Token": csrf.group(1)},
    )
    assert sent.status_code == 200
    await web.drain()
    messages = (await client.get("/pemohon/+6281234567890/api/messages")).json()["messages"]
    assert "pesan Anda kami terima" in messages[-1]["text"]

"""Login links, sessions, CSRF: who may read and act on which chat."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import text

from staffbot.app.commands.web_auth import CreateLoginLink
from staffbot.services import web_auth
from staffbot.web.app import create_web_app
from tests.support import ROSTER, Desk, counts
from tests.web.support import BASE, Web, build_web, new_id, use_login_link


async def test_a_login_link_logs_in_once(web: Web) -> None:
    path = await web.login_link("operator_penerima_wa")
    # A chat app's link preview fetches the URL first: that must not use the link.
    preview = await web.client().get(path)
    assert preview.status_code == 200 and "Masuk sebagai Andi Saputra" in preview.text
    assert "sb_session" not in preview.headers.get("set-cookie", "")
    client = web.client()
    response = await use_login_link(client, path)
    assert response.status_code == 303 and response.headers["location"] == "/chat"
    cookie = response.headers["set-cookie"]
    assert "sb_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # http in tests; deps.secure_cookies turns it on
    page = await client.get("/chat")
    assert page.status_code == 200 and "Andi Saputra" in page.text

    again = web.client()
    reused = await use_login_link(again, path)
    assert reused.status_code == 403
    assert "Tautan tidak berlaku" in reused.text and "sb_session" not in reused.headers.get(
        "set-cookie", ""
    )
    # only the hash is stored, never the token or the session id
    token = path.removeprefix("/login/")
    async with web.desk.db.read_engine.connect() as conn:
        hashes = (await conn.execute(text("SELECT token_hash FROM login_link"))).scalars().all()
        sessions = (await conn.execute(text("SELECT id_hash FROM web_session"))).scalars().all()
    assert hashes == [web_auth.digest(token)]
    session_id = client.cookies["sb_session"]
    assert sessions == [web_auth.digest(session_id)]


async def test_expired_and_forged_links_are_refused(web: Web) -> None:
    path = await web.login_link("kepala_dinas")
    web.desk.office.clock.advance(timedelta(hours=25))  # type: ignore[attr-defined]
    client = web.client()
    assert (await client.get(path)).status_code == 403
    assert (await client.get("/login/" + "A" * 43)).status_code == 403
    assert (await client.get("/login/x")).status_code == 403
    assert (await client.get("/chat", follow_redirects=False)).status_code == 303


async def test_login_link_creation_and_use_are_audited_without_the_token(web: Web) -> None:
    url = await web.desk.bus.handle(
        CreateLoginLink(nip=ROSTER["kasi_inovasi"], public_url=BASE + "/")
    )
    assert url.startswith(BASE + "/login/")
    token = url.rsplit("/", 1)[1]
    assert (await use_login_link(web.client(), url.removeprefix(BASE))).status_code == 303
    async with web.desk.db.read_engine.connect() as conn:
        rows = (
            await conn.execute(text("SELECT kind, actor, data FROM audit_event ORDER BY seq"))
        ).all()
    kinds = [(kind, actor) for kind, actor, _ in rows]
    assert ("login_link_created", "admin") in kinds
    assert ("web_login", "Maya Sari, S.Kom.") in kinds
    assert all(token not in str(data) for _, _, data in rows)
    assert any("Maya Sari" in str(data) for kind, _, data in rows if kind == "login_link_created")


async def test_the_api_needs_a_session(web: Web) -> None:
    client = web.client()
    for path in ("/api/messages", "/api/tasks", "/api/events"):
        assert (await client.get(path)).status_code == 401
    for path in ("/api/press", "/api/text"):
        response = await client.post(path, json={"text": "/tugas", "token": "x", "id": new_id()})
        assert response.status_code == 401
    assert (await client.get("/chat")).status_code == 303
    assert (await client.get("/kantor")).status_code == 303
    assert (await client.get("/documents/1")).status_code == 303


async def test_each_staff_member_sees_only_their_own_chat(web: Web) -> None:
    center = await web.person("petugas_call_center")
    operator = await web.person("operator_penerima_wa")
    await center.say("/start")
    await operator.say("/tugas")
    center_texts = [m["text"] for m in (await center.messages())["messages"]]
    operator_texts = [m["text"] for m in (await operator.messages())["messages"]]
    assert any("Rina Marlina" in t for t in center_texts)
    assert not any("Rina Marlina" in t for t in operator_texts)
    # the welcome menu's buttons belong to the call center: the operator cannot use them
    [welcome] = [m for m in (await center.messages())["messages"] if m["choices"]]
    before = await counts(web.desk.db)
    refused = await operator.press(welcome["choices"][0]["token"])
    assert refused["alert"] and "bukan untuk Anda" in refused["text"]
    assert await counts(web.desk.db) == before
    # query parameters cannot pick another chat
    response = await operator.client.get(
        "/api/messages", params={"after": 0, "chat_id": str(center_texts and 1)}
    )
    assert all("Rina Marlina" not in m["text"] for m in response.json()["messages"])


async def test_posts_without_the_csrf_token_change_nothing(web: Web) -> None:
    center = await web.person("petugas_call_center")
    other = await web.person("operator")
    before = await counts(web.desk.db)
    for headers in ({}, {"X-CSRF-Token": "wrong"}, {"X-CSRF-Token": ""}):
        response = await center.client.post(
            "/api/text", json={"text": "/baru", "id": new_id()}, headers=headers
        )
        assert response.status_code == 403 and response.json()["error"] == "csrf"
        response = await center.client.post(
            "/api/file",
            files={"file": ("a.pdf", b"%PDF-1.4", "application/pdf")},
            data={"id": new_id()},
            headers=headers,
        )
        assert response.status_code == 403
    # another person's token does not fit this session either
    response = await center.client.post(
        "/api/text", json={"text": "/baru", "id": new_id()}, headers=other.headers
    )
    assert response.status_code == 403
    assert await counts(web.desk.db) == before
    async with web.desk.db.uow(readonly=True) as uow:
        staff = await uow.staff.by_nip(ROSTER["petugas_call_center"])
        assert staff is not None
        assert await uow.conversations.get(f"web:{staff.id}") is None
    # logout needs it too
    assert (await center.client.post("/logout", data={"csrf": "nope"})).status_code == 403
    assert (await center.client.get("/chat")).status_code == 200


async def test_logout_ends_the_session(web: Web) -> None:
    center = await web.person("petugas_call_center")
    response = await center.client.post("/logout", data={"csrf": center.csrf})
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert (await center.client.get("/api/messages")).status_code == 401
    async with web.desk.db.read_engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM web_session"))).scalar_one() == 0


async def test_demo_login_needs_the_form_token_and_demo_mode(web: Web, web_off: Web) -> None:
    client = web.client()
    await client.get("/")
    response = await client.post("/demo/login", data={"csrf": "forged", "staff_id": "1"})
    assert response.status_code == 403
    fresh = web.client()
    assert (await fresh.post("/demo/login", data={"staff_id": "1"})).status_code == 403
    person = await web.demo_person("Rina Marlina")
    assert person.name == "Rina Marlina"
    off = web_off.client()
    assert (await off.post("/demo/login", data={"staff_id": "1", "csrf": "x"})).status_code == 404
    page = await off.get("/")
    assert "Buka tautan masuk dari admin" in page.text and "pilih peran" not in page.text
    # with a session, the start page goes straight to the chat
    logged = await web_off.person("operator")
    assert (await logged.client.get("/")).headers["location"] == "/chat"


async def test_https_cookies_are_secure_and_host_only(desk: Desk) -> None:
    web = build_web(desk)
    web.deps.secure_cookies = True
    web.app = create_web_app(web.deps)
    try:
        client = web.client()
        client.base_url = httpx.URL("https://testserver")  # Secure cookies need https
        response = await use_login_link(client, await web.login_link("operator"))
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("__Host-sb_session=")
        assert "Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie
        assert "Domain" not in cookie
    finally:
        await web.close()

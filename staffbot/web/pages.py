"""The HTML pages: start (role picker or login), login links, logout, chat, office view."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from staffbot.app.commands.office import OfficeGlance
from staffbot.app.commands.web import RolesOf, StaffPicker
from staffbot.app.commands.web_auth import (
    EndSession,
    LoginWithLink,
    PeekLoginLink,
    SessionInfo,
    StartSession,
)
from staffbot.limits import MAX_UPLOAD_BYTES
from staffbot.web.context import Web
from staffbot.web.security import CSRF_FIELD, BodyTooLarge, read_limited, same_token
from staffbot.web.templating import Safe, join, page, render, tag, void_tag


def case_href(number: str) -> str:
    """The page of a case (GET /kantor/kasus/..., staffbot/web/case_page.py); a Berita
    Acara number holds slashes, so they are escaped."""
    return "/kantor/kasus/" + quote(number, safe="")


def html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status)


def message_page(heading: str, text: str, status: int) -> HTMLResponse:
    return html(page(heading, render("message.html", heading=heading, text=text)), status)


def not_found() -> HTMLResponse:
    return message_page("Tidak ditemukan", "Halaman ini tidak ada.", 404)


async def form_fields(request: Request) -> dict[str, str] | None:
    """A small urlencoded form (login/logout buttons); None when unreadable or too big."""
    from urllib.parse import parse_qs

    try:
        raw = await read_limited(request, 4096)
    except BodyTooLarge:
        return None
    try:
        parsed = parse_qs(raw.decode("ascii"), max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        return None
    return {k: v[0] for k, v in parsed.items() if v}


class Pages:
    def __init__(self, web: Web) -> None:
        self.web = web

    def _labels(self, keys: tuple[str, ...]) -> str:
        flow = self.web.deps.office.flow
        known = {r.key for r in flow.roles}
        return ", ".join(flow.role(k).label if k in known else k for k in keys) or "-"

    # -- GET / --------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        info = await self.web.session(request)
        if not self.web.deps.demo:
            if info is not None:
                return RedirectResponse("/chat", status_code=303)
            return html(page("Masuk", render("login.html")))
        return await self._picker(request, info)

    async def _picker(self, request: Request, info: SessionInfo | None) -> Response:
        staff = await self.web.deps.bus.handle(StaffPicker())
        buttons = [
            tag(
                "button",
                Safe(tag("b", s.name) + tag("span", self._labels(s.roles))),
                type="submit",
                name="staff_id",
                value=str(s.staff_id),
                class_="role",
            )
            for s in staff
        ]
        current = Safe("")
        if info is not None:
            current = Safe(
                tag(
                    "p",
                    Safe(
                        "Sekarang masuk sebagai "
                        + tag("b", info.staff.name)
                        + " · "
                        + tag("a", "lanjut ke chat", href="/chat")
                    ),
                    class_="current",
                )
            )
        token = self.web.pre_csrf(request)
        body = render("picker.html", csrf=token, buttons=join(buttons), current=current)
        response = html(page("Mode demo — pilih peran", body, body_class="demo"))
        self.web.set_pre_csrf(response, token)
        return response

    # -- POST /demo/login -----------------------------------------------------------------

    async def demo_login(self, request: Request) -> Response:
        if not self.web.deps.demo:
            return not_found()
        fields = await form_fields(request)
        if fields is None or not self.web.pre_csrf_ok(request, fields.get(CSRF_FIELD)):
            return message_page(
                "Ditolak", "Formulir kedaluwarsa. Muat ulang halaman awal lalu coba lagi.", 403
            )
        raw = fields.get("staff_id", "")
        new = (
            await self.web.deps.bus.handle(StartSession(int(raw), via="demo"))
            if raw.isdigit() and len(raw) < 12
            else None
        )
        if new is None:
            return message_page("Tidak ditemukan", "Petugas itu tidak ada.", 404)
        # Switching roles: the previous session of this browser ends.
        await self.web.deps.bus.handle(EndSession(request.cookies.get(self.web.session_cookie)))
        response = RedirectResponse("/chat", status_code=303)
        self.web.set_session(response, new)
        return response

    # -- GET /login/{token} -------------------------------------------------------------

    async def login_link(self, request: Request) -> Response:
        """GET shows who the link logs in and a button; only the POST uses the link, so a
        chat app's link preview (which fetches the URL) cannot burn it."""
        token = str(request.path_params.get("token", ""))
        if request.method == "GET":
            staff = await self.web.deps.bus.handle(PeekLoginLink(token))
            if staff is None:
                return self._link_refused()
            csrf = self.web.pre_csrf(request)
            body = render("login_confirm.html", name=staff.name, csrf=csrf)
            confirm = html(page("Masuk", body))
            self.web.set_pre_csrf(confirm, csrf)
            return confirm
        fields = await form_fields(request)
        if fields is None or not self.web.pre_csrf_ok(request, fields.get(CSRF_FIELD)):
            return message_page(
                "Ditolak", "Formulir kedaluwarsa. Buka tautan masuk sekali lagi.", 403
            )
        new = await self.web.deps.bus.handle(LoginWithLink(token))
        if new is None:
            return self._link_refused()
        await self.web.deps.bus.handle(EndSession(request.cookies.get(self.web.session_cookie)))
        response = RedirectResponse("/chat", status_code=303)
        self.web.set_session(response, new)
        return response

    @staticmethod
    def _link_refused() -> Response:
        return message_page(
            "Tautan tidak berlaku",
            "Tautan masuk ini tidak dikenal, sudah dipakai, atau sudah kedaluwarsa. "
            "Minta tautan baru kepada admin.",
            403,
        )

    # -- POST /logout --------------------------------------------------------------------

    async def logout(self, request: Request) -> Response:
        info = await self.web.session(request)
        if info is None:
            response = RedirectResponse("/", status_code=303)
            self.web.clear_session(response)
            return response
        fields = await form_fields(request)
        given = (fields or {}).get(CSRF_FIELD) or request.headers.get("x-csrf-token")
        if not same_token(info.csrf, given):
            return message_page("Ditolak", "Permintaan ditolak (token CSRF).", 403)
        await self.web.deps.bus.handle(EndSession(request.cookies.get(self.web.session_cookie)))
        response = RedirectResponse("/", status_code=303)
        self.web.clear_session(response)
        return response

    # -- GET /chat -------------------------------------------------------------------------

    async def chat(self, request: Request) -> Response:
        info = await self.web.page_session(request)
        if isinstance(info, Response):
            return info
        staff = info.staff
        keys = await self.web.deps.bus.handle(RolesOf(staff.id))
        roles = set(keys)
        flow = self.web.deps.office.flow
        commands = [("Mulai", "/start"), ("Tugas saya", "/tugas")]
        if flow.step("catat").role in roles:
            commands.insert(0, ("Pengaduan baru", "/baru"))
        if any(s.collects_batch and s.role in roles for s in flow.steps):
            commands.append(("Buat BA", "/ba"))
        commands += [("Cari", "/cari "), ("Batal", "/batal"), ("Bantuan", "/bantuan")]
        chips = join(
            [
                tag("button", label, type="button", class_="chip", data_command=cmd)
                for label, cmd in commands
            ],
            sep="",
        )
        demo = self.web.deps.demo
        body = render(
            "chat.html",
            name=staff.name,
            roles=self._labels(keys),
            csrf=info.csrf,
            demo_link=tag("a", "Ganti peran", href="/") if demo else Safe(""),
            demo_banner=tag(
                "p", "Mode demo — pilih peran lain lewat “Ganti peran”", class_="demo-banner slim"
            )
            if demo
            else Safe(""),
            chips=chips,
            max_upload=str(MAX_UPLOAD_BYTES),
        )
        meta = void_tag("meta", name="csrf-token", content=info.csrf)
        return html(page("Chat", body, meta=meta, script="chat.js", body_class="chat-page"))

    # -- GET /kantor -----------------------------------------------------------------------

    async def kantor(self, request: Request) -> Response:
        info = await self.web.page_session(request)
        if isinstance(info, Response):
            return info
        view = await self.web.deps.bus.handle(OfficeGlance())
        empty = Safe('<tr><td colspan="5" class="muted">Tidak ada.</td></tr>')
        steps = [
            Safe(
                "<tr>"
                + tag("td", str(s.sop_no))
                + tag("td", s.title)
                + tag("td", s.role)
                + tag("td", str(s.open), class_="num")
                + "</tr>"
            )
            for s in view.per_step
        ]
        overdue = [
            Safe(
                "<tr>"
                + tag("td", tag("a", o.number, href=case_href(o.number)))
                + tag("td", f"{o.sop_no}. {o.title}")
                + tag("td", o.assignee or o.role)
                + tag("td", o.due)
                + tag("td", "-" if o.escalation_level < 0 else f"tingkat {o.escalation_level}")
                + "</tr>"
            )
            for o in view.overdue
        ]
        kecamatan = [
            Safe(
                "<tr>"
                + tag("td", k.kecamatan)
                + tag("td", str(k.open), class_="num")
                + tag("td", str(k.closed), class_="num")
                + "</tr>"
            )
            for k in view.per_kecamatan
        ]
        body = render(
            "kantor.html",
            at=view.at,
            open_total=str(view.open_total),
            overdue_total=str(view.overdue_total),
            steps=join(steps) if steps else empty,
            overdue=join(overdue) if overdue else empty,
            kecamatan=join(kecamatan) if kecamatan else empty,
        )
        return html(page("Kantor", body))

    # -- health and metrics ------------------------------------------------------------

    async def healthz(self, request: Request) -> Response:
        try:
            ok = await self.web.deps.health()
        except Exception:
            ok = False
        return PlainTextResponse("ok" if ok else "unavailable", 200 if ok else 503)

    async def metrics(self, request: Request) -> Response:
        text = await self.web.deps.metrics()
        return Response(text, media_type="text/plain; version=0.0.4; charset=utf-8")

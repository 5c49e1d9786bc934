"""What every handler of the web app shares: the deps, sessions, cookies, CSRF checks."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from staffbot.app.commands.web_auth import SESSION_HOURS, FindSession, NewSession, SessionInfo
from staffbot.web.deps import WebDeps
from staffbot.web.security import CSRF_HEADER, cookie_names, new_token, same_token


@dataclass
class Web:
    deps: WebDeps
    #: Set when the server is about to stop: live streams end at once.
    closing: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def session_cookie(self) -> str:
        return cookie_names(self.deps.secure_cookies)[0]

    @property
    def csrf_cookie(self) -> str:
        return cookie_names(self.deps.secure_cookies)[1]

    def close_streams(self) -> None:
        self.closing.set()
        self.deps.channel.notify_all()

    # -- sessions ---------------------------------------------------------------------

    async def session(self, request: Request) -> SessionInfo | None:
        return await self.deps.bus.handle(FindSession(request.cookies.get(self.session_cookie)))

    def set_session(self, response: Response, new: NewSession) -> None:
        # SameSite=Lax, not Strict: a login link is opened from another app (Telegram,
        # WhatsApp, mail); with Strict the redirect after it would arrive without the
        # cookie. Every state-changing request is a POST with a CSRF token anyway.
        response.set_cookie(
            self.session_cookie,
            new.cookie,
            max_age=SESSION_HOURS * 3600,
            path="/",
            secure=self.deps.secure_cookies,
            httponly=True,
            samesite="lax",
        )

    def clear_session(self, response: Response) -> None:
        response.delete_cookie(
            self.session_cookie,
            path="/",
            secure=self.deps.secure_cookies,
            httponly=True,
            samesite="lax",
        )

    # -- the pre-session CSRF token (demo picker, applicant inbox) --------------------------

    def pre_csrf(self, request: Request) -> str:
        """The double-submit token of a browser without a session (kept or new)."""
        token = request.cookies.get(self.csrf_cookie, "")
        return token if 20 <= len(token) <= 100 else new_token()

    def set_pre_csrf(self, response: Response, token: str) -> None:
        response.set_cookie(
            self.csrf_cookie,
            token,
            path="/",
            secure=self.deps.secure_cookies,
            httponly=True,
            samesite="strict",
        )

    def pre_csrf_ok(self, request: Request, given: str | None) -> bool:
        return same_token(request.cookies.get(self.csrf_cookie), given)

    # -- guards -------------------------------------------------------------------------

    async def page_session(self, request: Request) -> SessionInfo | Response:
        """A page needs a session: else back to the start page."""
        info = await self.session(request)
        if info is None:
            return RedirectResponse("/", status_code=303)
        return info

    async def api_session(self, request: Request, *, post: bool) -> SessionInfo | Response:
        """The JSON API: 401 without a session, 403 when a POST lacks its CSRF token."""
        info = await self.session(request)
        if info is None:
            return JSONResponse({"error": "login", "text": "Sesi berakhir: masuk lagi."}, 401)
        if post and not same_token(info.csrf, request.headers.get(CSRF_HEADER)):
            return csrf_refused()
        return info


def csrf_refused() -> JSONResponse:
    return JSONResponse({"error": "csrf", "text": "Permintaan ditolak (token CSRF)."}, 403)

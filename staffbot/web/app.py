"""The web server's application: web channel pages and API, demo applicant inbox,
health and metrics, plus the routes other channels hand in (webhooks).

Everything comes from :class:`WebDeps`; nothing is global. Auth and CSRF decisions
are written down in docs/WEB.md.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from staffbot.web.api import ChatApi
from staffbot.web.applicant_inbox import ApplicantInbox
from staffbot.web.case_page import CasePage
from staffbot.web.context import Web
from staffbot.web.deps import WebDeps
from staffbot.web.pages import Pages
from staffbot.web.security import SecurityHeaders


def create_web_app(deps: WebDeps) -> Starlette:
    web = Web(deps)
    pages = Pages(web)
    api = ChatApi(web)
    inbox = ApplicantInbox(web)
    case_page = CasePage(web)
    routes: list[BaseRoute] = [
        *deps.extra_routes,
        Route("/", pages.home, methods=["GET"]),
        Route("/demo/login", pages.demo_login, methods=["POST"]),
        Route("/login/{token}", pages.login_link, methods=["GET", "POST"]),
        Route("/logout", pages.logout, methods=["POST"]),
        Route("/chat", pages.chat, methods=["GET"]),
        Route("/kantor", pages.kantor, methods=["GET"]),
        Route("/kantor/kasus", case_page.show, methods=["GET"]),
        Route("/kantor/kasus/{ref:path}", case_page.show, methods=["GET"]),
        Route("/api/messages", api.messages, methods=["GET"]),
        Route("/api/events", api.events, methods=["GET"]),
        Route("/api/press", api.press, methods=["POST"]),
        Route("/api/text", api.text, methods=["POST"]),
        Route("/api/file", api.file, methods=["POST"]),
        Route("/api/tasks", api.tasks, methods=["GET"]),
        Route("/documents/{document_id}", api.document, methods=["GET"]),
        Route("/pemohon", inbox.inbox, methods=["GET"]),
        Route("/pemohon/{phone}", inbox.conversation, methods=["GET"]),
        Route("/pemohon/{phone}/api/messages", inbox.messages, methods=["GET"]),
        Route("/pemohon/{phone}/api/events", inbox.events, methods=["GET"]),
        Route("/pemohon/{phone}/api/text", inbox.text, methods=["POST"]),
        Route("/pemohon/{phone}/api/file", inbox.file, methods=["POST"]),
        Route("/pemohon/{phone}/documents/{document_id}", inbox.document, methods=["GET"]),
        Route("/healthz", pages.healthz, methods=["GET"]),
        Route("/metrics", pages.metrics, methods=["GET"]),
        Mount("/static", app=StaticFiles(packages=[("staffbot.web", "static")]), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)])
    # For the server's owner: end live streams before stopping (uvicorn waits for them).
    app.state.close_streams = web.close_streams
    return app


__all__ = ["create_web_app"]

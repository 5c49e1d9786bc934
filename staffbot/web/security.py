"""Cookies, CSRF, response headers and body limits of the web channel."""

from __future__ import annotations

import hmac
import secrets

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: No inline script or style anywhere: JS and CSS come from /static only.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"
#: JSON bodies of the chat API are small (a token, a text of a few lines).
JSON_LIMIT = 16 * 1024


class BodyTooLarge(Exception):
    """The request body passed its limit; nothing beyond the limit was read."""


def cookie_names(secure: bool) -> tuple[str, str]:
    """(session cookie, pre-session CSRF cookie). With https the ``__Host-`` prefix
    pins them to this host and path "/" and makes the browser insist on Secure."""
    prefix = "__Host-" if secure else ""
    return prefix + "sb_session", prefix + "sb_csrf"


def same_token(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; an empty or missing token never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def new_token() -> str:
    return secrets.token_urlsafe(32)


def limited_receive(receive: Receive, limit: int) -> Receive:
    """A receive callable that refuses to hand out more than ``limit`` body bytes."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge()
        return message

    return wrapped


async def read_limited(request: Request, limit: int = JSON_LIMIT) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


class SecurityHeaders:
    """Adds the policy headers to every response (pure ASGI: streams stay streams)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CSP)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                # Login links carry their token in the URL: never leak it onwards.
                headers.setdefault("Referrer-Policy", "no-referrer")
                if not str(scope.get("path", "")).startswith("/static/"):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)

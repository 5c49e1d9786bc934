"""Reaching the WhatsApp Cloud API: configuration, routing, and its errors as the port's.

* **Graph API base** is ``STAFFBOT_WHATSAPP_API_URL``: pywa hard-codes
  graph.facebook.com, so an httpx transport reroutes those requests.
* **Errors**: the Cloud API's error codes become the staffbot.errors.ChannelError
  family (the caller raises them ``from`` the original).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from staffbot.channels.base import ChannelName, Pacing
from staffbot.channels.whatsapp_port import Templates
from staffbot.errors import (
    BadChannelRequest,
    ChannelError,
    ChannelUnavailable,
    ConfigurationError,
    RecipientUnreachable,
    RetryAfter,
)
from staffbot.settings import Settings

GRAPH_HOST = "graph.facebook.com"

#: Cloud API error codes (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes)
WINDOW_CLOSED = 131047
PAIR_RATE = 131056
THROUGHPUT = frozenset({4, 80007, 130429})
UNREACHABLE = frozenset({131021, 131026, 131030, 131049, 131050})
TRANSIENT = frozenset({0, 1, 2, 3, 10, 190, 131000, 131016, 131048, 133004})

#: WhatsApp Business numbers send 80 messages a second by default. The same user gets
#: at most one message a second from us: conversational replies (forms) stay quick,
#: and Meta's pair limit (131056, about one message every 6 s in sustained bursts) is
#: met by a backoff of that one message when it answers so.
PACING = Pacing(per_chat_interval=1.0, per_group_interval=0.0, global_rate=80.0)


class WindowClosed(RecipientUnreachable):
    """The platform refused a free-form message: the 24-hour window is closed."""

    code = "whatsapp_window_closed"


# -- routing pywa to STAFFBOT_WHATSAPP_API_URL ------------------------------------------


class GraphRoutingTransport(httpx.AsyncBaseTransport):
    """Sends requests meant for graph.facebook.com to ``base_url`` instead.

    pywa sets its client's base URL to ``https://graph.facebook.com/v<version>``; the
    rerouting therefore happens in the transport: scheme, host and port come from
    ``base_url``, its path is prefixed, the Host header follows. Other hosts (the
    media download URLs Meta hands out) pass through unchanged.
    """

    def __init__(self, base_url: str, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._base = httpx.URL(base_url)
        self._inner = inner or httpx.AsyncHTTPTransport()
        self._passthrough = self._base.host == GRAPH_HOST and not self._base.raw_path.strip(b"/")

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == GRAPH_HOST and not self._passthrough:
            url = request.url.copy_with(
                scheme=self._base.scheme,
                host=self._base.host,
                port=self._base.port,
                raw_path=self._base.raw_path.rstrip(b"/") + request.url.raw_path,
            )
            request.url = url
            request.headers["Host"] = url.netloc.decode("ascii")
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def routed_client(base_url: str, *, timeout: float = 20.0) -> httpx.AsyncClient:
    """An httpx client for ``pywa_async.WhatsApp(session=...)`` reaching ``base_url``."""
    return httpx.AsyncClient(transport=GraphRoutingTransport(base_url), timeout=timeout)


# -- configuration ----------------------------------------------------------------------


@dataclass(frozen=True)
class WhatsAppConfig:
    token: str
    phone_id: str
    app_secret: str
    verify_token: str | None = None
    api_url: str = "https://graph.facebook.com"
    templates: Templates = field(default_factory=Templates)
    pacing: Pacing = PACING
    #: How long to wait for the Graph API's answer to one call.
    request_timeout: float = 20.0


def config_from(settings: Settings) -> WhatsAppConfig:
    if settings.whatsapp_token is None or not settings.whatsapp_phone_id:
        raise ConfigurationError(problem="STAFFBOT_WHATSAPP_TOKEN and _PHONE_ID are needed")
    if settings.whatsapp_app_secret is None:
        raise ConfigurationError(
            problem="STAFFBOT_WHATSAPP_APP_SECRET is needed to check the webhook's signatures"
        )
    verify = settings.whatsapp_verify_token
    return WhatsAppConfig(
        token=settings.whatsapp_token.get_secret_value(),
        phone_id=settings.whatsapp_phone_id,
        app_secret=settings.whatsapp_app_secret.get_secret_value(),
        verify_token=verify.get_secret_value() if verify is not None else None,
        api_url=settings.whatsapp_api_url,
        templates=Templates(
            card=settings.whatsapp_template_card,
            applicant=settings.whatsapp_template_applicant,
            document=settings.whatsapp_template_document,
            language=settings.whatsapp_template_language,
        ),
    )


# -- errors -------------------------------------------------------------------------------


def translate(code: int | None, problem: str, status: int | None) -> ChannelError:
    """A Graph API error as the port's error (the caller raises it ``from`` the original)."""
    name = ChannelName.WHATSAPP
    if code == WINDOW_CLOSED:
        return WindowClosed(channel=name, problem=problem)
    if code in THROUGHPUT:
        return RetryAfter(channel=name, problem=problem, retry_after=2.0)
    if code == PAIR_RATE:
        # Only this user is throttled: back off this message, not the whole number.
        return ChannelUnavailable(channel=name, problem=problem)
    if code in UNREACHABLE:
        return RecipientUnreachable(channel=name, problem=problem)
    if code in TRANSIENT or code is None or (status is not None and status >= 500):
        return ChannelUnavailable(channel=name, problem=problem)
    return BadChannelRequest(channel=name, problem=problem)

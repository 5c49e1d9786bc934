"""Web channel authentication: one-time login links and sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from staffbot.app.command import Command, Query
from staffbot.app.commands.staff import StaffRef

#: A login link is good for this long unless the admin says otherwise.
LINK_HOURS = 24
#: Staff work from their phones all week; signing still needs the PIN every time.
SESSION_HOURS = 24 * 7


@dataclass(frozen=True)
class NewSession:
    """What the browser gets: the cookie value (only here in clear) and the CSRF token."""

    cookie: str
    csrf: str
    expires_at: datetime
    staff_id: int


@dataclass(frozen=True)
class SessionInfo:
    staff: StaffRef
    csrf: str


@dataclass(frozen=True)
class CreateLoginLink(Command[str]):
    """A one-time login URL for a staff member (only the token's hash is stored)."""

    nip: str
    public_url: str
    hours: int = LINK_HOURS
    by: str = "admin"


@dataclass(frozen=True)
class PeekLoginLink(Query[StaffRef | None]):
    """Who a link would log in, without using it (the confirmation page)."""

    token: str


@dataclass(frozen=True)
class LoginWithLink(Command[NewSession | None]):
    """Use the link and open a session in one transaction (a link is never burnt for
    nothing); None when the link is unknown, used, expired or its owner inactive."""

    token: str


@dataclass(frozen=True)
class StartSession(Command[NewSession | None]):
    """A session without a link (the demo role picker); audited like a link login."""

    staff_id: int
    via: str = "demo"


@dataclass(frozen=True)
class FindSession(Query[SessionInfo | None]):
    """The staff member and CSRF token behind a session cookie, if it is still good."""

    cookie: str | None


@dataclass(frozen=True)
class EndSession(Command[None]):
    cookie: str | None

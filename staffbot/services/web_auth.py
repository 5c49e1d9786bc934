"""Web channel authentication: one-time login links and sessions.

Secrets (login tokens, session ids) leave this module only once, towards the person;
the database keeps their sha256. The CSRF token is not a credential on its own (it is
useless without the session cookie) and is stored as it is, so the page can be given
it again. Login-link creation and use are audited by staff name, never by token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from staffbot.services.actors import find_staff
from staffbot.services.context import Office
from storage.repos.web import WebRepository
from storage.tables import LoginLink, Staff, WebSession
from storage.uow import UnitOfWork

#: A login link is good for this long unless the admin says otherwise.
LINK_HOURS = 24
#: Staff work from their phones all week; signing still needs the PIN every time.
SESSION_HOURS = 24 * 7
#: Used and expired links are kept this long for the record, then purged.
LINK_KEEP_DAYS = 30


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewSession:
    """What the browser gets: the cookie value (only here in clear) and the CSRF token."""

    cookie: str
    csrf: str
    expires_at: datetime
    staff_id: int


class SessionInfo(NamedTuple):
    staff: Staff
    csrf: str


async def create_login_link(
    uow: UnitOfWork,
    office: Office,
    *,
    nip: str,
    hours: int = LINK_HOURS,
    public_url: str,
    by: str = "admin",
) -> str:
    """A one-time login URL for a staff member; only the token's hash is stored."""
    token = secrets.token_urlsafe(32)
    async with uow:
        staff = await find_staff(uow, nip=nip)
        assert staff.id is not None
        now = office.now()
        expires = now + timedelta(hours=max(hours, 1))
        repo = WebRepository(uow.session)
        await repo.purge_login_links(now - timedelta(days=LINK_KEEP_DAYS))
        await repo.add_login_link(
            LoginLink(
                token_hash=digest(token), staff_id=staff.id, created_at=now, expires_at=expires
            )
        )
        await uow.audit.append(
            at=now,
            kind="login_link_created",
            actor=by,
            data={"staff": staff.name, "nip": staff.nip, "expires_at": expires.isoformat()},
        )
        await uow.commit()
    return f"{public_url.rstrip('/')}/login/{token}"


async def consume_login_link_in(uow: UnitOfWork, office: Office, token: str) -> Staff | None:
    """Use a link (inside the caller's transaction): the staff member, or None when the
    link is unknown, used, expired, or its owner is not active."""
    if not token or len(token) > 200:
        return None
    now = office.now()
    staff_id = await WebRepository(uow.session).use_login_link(digest(token), now)
    if staff_id is None:
        return None
    staff = await uow.staff.get(staff_id)
    if staff is None or not staff.active:
        return None
    await uow.audit.append(
        at=now,
        kind="web_login",
        actor=staff.name,
        actor_id=staff.id,
        data={"via": "login_link"},
    )
    return staff


async def peek_login_link(uow: UnitOfWork, office: Office, token: str) -> Staff | None:
    """Who a link would log in, without using it (the confirmation page)."""
    if not token or len(token) > 200:
        return None
    async with uow:
        staff_id = await WebRepository(uow.session).login_link_owner(digest(token), office.now())
        staff = await uow.staff.get(staff_id) if staff_id is not None else None
        return staff if staff is not None and staff.active else None


async def consume_login_link(uow: UnitOfWork, office: Office, token: str) -> int | None:
    """Use a link on its own: the staff id, or None."""
    async with uow:
        staff = await consume_login_link_in(uow, office, token)
        await uow.commit()
        return staff.id if staff is not None else None


async def create_session_in(uow: UnitOfWork, office: Office, staff: Staff) -> NewSession:
    assert staff.id is not None
    now = office.now()
    cookie = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=SESSION_HOURS)
    repo = WebRepository(uow.session)
    await repo.purge_sessions(now)
    await repo.add_session(
        WebSession(
            id_hash=digest(cookie), staff_id=staff.id, csrf=csrf, created_at=now, expires_at=expires
        )
    )
    return NewSession(cookie=cookie, csrf=csrf, expires_at=expires, staff_id=staff.id)


async def login_with_link(uow: UnitOfWork, office: Office, token: str) -> NewSession | None:
    """Use the link and open a session in one transaction (a link is never burnt for
    nothing)."""
    async with uow:
        staff = await consume_login_link_in(uow, office, token)
        if staff is None:
            # A link of a deactivated person was burnt on the way: keep it burnt.
            await uow.commit()
            return None
        session = await create_session_in(uow, office, staff)
        await uow.commit()
        return session


async def create_session(
    uow: UnitOfWork, office: Office, staff_id: int, *, via: str = "demo"
) -> NewSession | None:
    """A session without a link (the demo role picker); audited like a link login."""
    async with uow:
        staff = await uow.staff.get(staff_id)
        if staff is None or not staff.active:
            return None
        await uow.audit.append(
            at=office.now(),
            kind="web_login",
            actor=staff.name,
            actor_id=staff.id,
            data={"via": via},
        )
        session = await create_session_in(uow, office, staff)
        await uow.commit()
        return session


async def session_for(uow: UnitOfWork, office: Office, cookie: str | None) -> SessionInfo | None:
    """The staff member and CSRF token behind a session cookie, if it is still good."""
    if not cookie or len(cookie) > 200:
        return None
    async with uow:
        row = await WebRepository(uow.session).get_session(digest(cookie))
        if row is None or row.expires_at <= office.now():
            return None
        staff = await uow.staff.get(row.staff_id)
        if staff is None or not staff.active:
            return None
        return SessionInfo(staff, row.csrf)


async def delete_session(uow: UnitOfWork, cookie: str | None) -> None:
    if not cookie or len(cookie) > 200:
        return
    async with uow:
        await WebRepository(uow.session).delete_session(digest(cookie))
        await uow.commit()


__all__ = [
    "LINK_HOURS",
    "SESSION_HOURS",
    "NewSession",
    "SessionInfo",
    "consume_login_link",
    "consume_login_link_in",
    "create_login_link",
    "create_session",
    "create_session_in",
    "delete_session",
    "login_with_link",
    "session_for",
]

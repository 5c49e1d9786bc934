"""Web channel authentication: one-time login links and sessions.

Secrets (login tokens, session ids) leave this module only once, towards the person;
the database keeps their sha256. The CSRF token is not a credential on its own (it is
useless without the session cookie) and is stored as it is, so the page can be given
it again. Login-link creation and use are audited by staff name, never by token.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from staffbot.app.bus import Command, Handler
from staffbot.app.commands.staff import StaffRef
from staffbot.app.commands.web_auth import (
    SESSION_HOURS,
    CreateLoginLink,
    EndSession,
    FindSession,
    LoginWithLink,
    NewSession,
    PeekLoginLink,
    SessionInfo,
    StartSession,
)
from staffbot.services.actors import find_staff
from staffbot.services.context import Office
from staffbot.services.staff import ref_of
from storage.repos.web import WebRepository
from storage.tables import LoginLink, Staff, WebSession
from storage.uow import UnitOfWork

#: Used and expired links are kept this long for the record, then purged.
LINK_KEEP_DAYS = 30


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_login_link(cmd: CreateLoginLink, uow: UnitOfWork, office: Office) -> str:
    token = secrets.token_urlsafe(32)
    staff = await find_staff(uow, nip=cmd.nip)
    assert staff.id is not None
    now = office.now()
    expires = now + timedelta(hours=max(cmd.hours, 1))
    repo = WebRepository(uow.session)
    await repo.purge_login_links(now - timedelta(days=LINK_KEEP_DAYS))
    await repo.add_login_link(
        LoginLink(token_hash=digest(token), staff_id=staff.id, created_at=now, expires_at=expires)
    )
    await uow.audit.append(
        at=now,
        kind="login_link_created",
        actor=cmd.by,
        data={"staff": staff.name, "nip": staff.nip, "expires_at": expires.isoformat()},
    )
    return f"{cmd.public_url.rstrip('/')}/login/{token}"


async def _use_link(uow: UnitOfWork, office: Office, token: str) -> Staff | None:
    """The link's staff member, or None when the link is unknown, used, expired, or its
    owner is not active."""
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


async def peek_login_link(cmd: PeekLoginLink, uow: UnitOfWork, office: Office) -> StaffRef | None:
    if not cmd.token or len(cmd.token) > 200:
        return None
    staff_id = await WebRepository(uow.session).login_link_owner(digest(cmd.token), office.now())
    staff = await uow.staff.get(staff_id) if staff_id is not None else None
    return ref_of(staff) if staff is not None and staff.active else None


async def _open_session(uow: UnitOfWork, office: Office, staff: Staff) -> NewSession:
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


async def login_with_link(cmd: LoginWithLink, uow: UnitOfWork, office: Office) -> NewSession | None:
    staff = await _use_link(uow, office, cmd.token)
    # A link of a deactivated person was burnt on the way: it stays burnt (committed).
    return await _open_session(uow, office, staff) if staff is not None else None


async def start_session(cmd: StartSession, uow: UnitOfWork, office: Office) -> NewSession | None:
    staff = await uow.staff.get(cmd.staff_id)
    if staff is None or not staff.active:
        return None
    await uow.audit.append(
        at=office.now(),
        kind="web_login",
        actor=staff.name,
        actor_id=staff.id,
        data={"via": cmd.via},
    )
    return await _open_session(uow, office, staff)


async def find_session(cmd: FindSession, uow: UnitOfWork, office: Office) -> SessionInfo | None:
    cookie = cmd.cookie
    if not cookie or len(cookie) > 200:
        return None
    row = await WebRepository(uow.session).get_session(digest(cookie))
    if row is None or row.expires_at <= office.now():
        return None
    staff = await uow.staff.get(row.staff_id)
    if staff is None or not staff.active:
        return None
    return SessionInfo(ref_of(staff), row.csrf)


async def end_session(cmd: EndSession, uow: UnitOfWork, office: Office) -> None:
    if cmd.cookie and len(cmd.cookie) <= 200:
        await WebRepository(uow.session).delete_session(digest(cmd.cookie))


HANDLERS: dict[type[Command[Any]], Handler] = {
    CreateLoginLink: create_login_link,
    EndSession: end_session,
    FindSession: find_session,
    LoginWithLink: login_with_link,
    PeekLoginLink: peek_login_link,
    StartSession: start_session,
}

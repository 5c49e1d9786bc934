"""Invite codes: how a staff member's chat account gets bound to their staff record.

``staff invite --nip NIP`` makes a one-time code for an existing staff record (a new
phone, a new Telegram account); ``staff invite --role ROLE`` makes one for a person not
yet on the roster, who gives their name and NIP in the chat. The code travels in a
Telegram deep link (``https://t.me/<bot>?start=<code>``); only its hash is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from staffbot.app.bus import Command, Handler
from staffbot.app.commands.invites import (
    Account,
    BindAccount,
    ClaimInvite,
    CreateInvite,
    FindInvite,
    InviteView,
    JoinWithInvite,
)
from staffbot.app.commands.staff import StaffRef
from staffbot.channels.base import ChannelName
from staffbot.errors import AuthError, ConfigurationError, ValidationError
from staffbot.services.actors import find_staff
from staffbot.services.context import Office
from staffbot.services.staff import StaffExists, check_nip, check_roles, ref_of
from staffbot.validation import check_name, normalise_phone
from storage.repos.channels import ChannelRepository
from storage.tables import InviteCode, Staff
from storage.uow import UnitOfWork

MAX_HOURS = 24 * 30
#: Telegram's deep-link parameter allows A-Z a-z 0-9 _ - and up to 64 characters.
CODE_BYTES = 12


def code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def _view(invite: InviteCode) -> InviteView:
    return InviteView(invite.code_hash, invite.staff_id, invite.role, invite.used_by)


async def create_invite(cmd: CreateInvite, uow: UnitOfWork, office: Office) -> str:
    if (cmd.role is None) == (cmd.nip is None):
        raise ConfigurationError(problem="undangan perlu salah satu: --role atau --nip")
    if not 1 <= cmd.hours <= MAX_HOURS:
        raise ConfigurationError(problem=f"masa berlaku undangan 1-{MAX_HOURS} jam")
    code = secrets.token_urlsafe(CODE_BYTES)
    now = office.now()
    staff_id = None
    role = cmd.role
    data: dict[str, object] = {"hours": cmd.hours}
    if cmd.nip is not None:
        staff = await find_staff(uow, nip=cmd.nip)
        staff_id = staff.id
        data |= {"nip": staff.nip, "name": staff.name}
    else:
        assert role is not None
        role = check_roles(office, [role])[0]
        data["role"] = role
    await ChannelRepository(uow.session).add_invite(
        InviteCode(
            code_hash=code_hash(code),
            staff_id=staff_id,
            role=role,
            created_at=now,
            expires_at=now + timedelta(hours=cmd.hours),
        )
    )
    await uow.audit.append(at=now, kind="invite_created", actor=cmd.by, data=data)
    return code


async def find_invite(cmd: FindInvite, uow: UnitOfWork, office: Office) -> InviteView | None:
    invite = await ChannelRepository(uow.session).invite(cmd.code_hash)
    return _view(invite) if invite is not None else None


async def claim(cmd: ClaimInvite, uow: UnitOfWork, office: Office) -> InviteView | None:
    """A code is used once. The same account may come back with the code it already
    claimed (a role invite whose questions were left half answered); anyone else, an
    expired or an unknown code gets None."""
    repo = ChannelRepository(uow.session)
    account = cmd.account
    digest = code_hash(cmd.code)
    now = office.now()
    if await repo.claim_invite(digest, by=account.used_by, at=now):
        claimed = await repo.invite(digest)
        return _view(claimed) if claimed is not None else None
    invite = await repo.invite(digest)
    if (
        invite is not None
        and invite.used_by == account.used_by
        and invite.role is not None
        and invite.expires_at > now
        and await _staff_of(uow, account) is None
    ):
        return _view(invite)
    return None


async def bind(cmd: BindAccount, uow: UnitOfWork, office: Office) -> StaffRef:
    staff = await find_staff(uow, staff_id=cmd.staff_id)
    account = cmd.account
    previous = await _staff_of(uow, account)
    if previous is not None and previous.id != staff.id:
        # An old (inactive) record still holds this account: the invite moves it.
        _set_address(previous, account.channel, None)
        uow.session.add(previous)
        await uow.session.flush()
    _set_address(staff, account.channel, account.address)
    staff.channel = account.channel
    uow.session.add(staff)
    await uow.session.flush()
    await uow.audit.append(
        at=office.now(),
        kind="staff_bound",
        actor=cmd.by,
        actor_id=staff.id,
        data={
            "nip": staff.nip,
            "name": staff.name,
            "channel": account.channel,
            "moved_from": previous.nip
            if previous is not None and previous.id != staff.id
            else None,
        },
    )
    return ref_of(staff)


async def join(cmd: JoinWithInvite, uow: UnitOfWork, office: Office) -> StaffRef:
    invite = await ChannelRepository(uow.session).invite(cmd.code_hash)
    account = cmd.account
    if invite is None or invite.role is None or invite.used_by != account.used_by:
        raise AuthError(reason="the invite is not this account's")
    name, nip = check_name(cmd.name), check_nip(cmd.nip)
    if await uow.staff.by_nip(nip) is not None:
        raise StaffExists(nip=nip)
    now = office.now()
    staff = Staff(nip=nip, name=name, channel=account.channel, created_at=now)
    _set_address(staff, account.channel, account.address)
    await uow.staff.add(staff, [invite.role])
    await uow.audit.append(
        at=now,
        kind="staff_added",
        actor="undangan",
        actor_id=staff.id,
        data={"nip": nip, "name": name, "roles": [invite.role], "channel": account.channel},
    )
    return ref_of(staff)


async def _staff_of(uow: UnitOfWork, account: Account) -> Staff | None:
    if account.channel == ChannelName.TELEGRAM:
        return (
            await uow.staff.by_telegram(int(account.address))
            if account.address.lstrip("-").isdigit()
            else None
        )
    if account.channel == ChannelName.WHATSAPP:
        return await uow.staff.by_whatsapp(normalise_phone(account.address))
    return None


def _set_address(staff: Staff, channel: str, address: str | None) -> None:
    if channel == ChannelName.TELEGRAM:
        staff.telegram_id = int(address) if address is not None else None
    elif channel == ChannelName.WHATSAPP:
        staff.whatsapp = normalise_phone(address) if address is not None else None
    else:
        raise ValidationError(field="channel", problem="unknown", value=channel, choices="telegram")


HANDLERS: dict[type[Command[Any]], Handler] = {
    BindAccount: bind,
    ClaimInvite: claim,
    CreateInvite: create_invite,
    FindInvite: find_invite,
    JoinWithInvite: join,
}

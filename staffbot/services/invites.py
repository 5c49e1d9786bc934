"""Invite codes: how a staff member's chat account gets bound to their staff record.

``staff invite --nip NIP`` makes a one-time code for an existing staff record (a new
phone, a new Telegram account); ``staff invite --role ROLE`` makes one for a person not
yet on the roster, who gives their name and NIP in the chat. The code travels in a
Telegram deep link (``https://t.me/<bot>?start=<code>``); only its hash is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from staffbot.errors import ConfigurationError, ValidationError
from staffbot.services.actors import find_staff
from staffbot.services.context import Office
from staffbot.services.staff import StaffExists, check_nip, check_roles
from staffbot.validation import check_name, normalise_phone
from storage.repos.channels import ChannelRepository
from storage.tables import InviteCode, Staff
from storage.uow import UnitOfWork

DEFAULT_HOURS = 72
MAX_HOURS = 24 * 30
#: Telegram's deep-link parameter allows A-Z a-z 0-9 _ - and up to 64 characters.
CODE_BYTES = 12


def code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def looks_like_code(text: str) -> bool:
    text = text.strip()
    return 8 <= len(text) <= 64 and all(ch.isalnum() or ch in "-_" for ch in text)


async def create_invite(
    uow: UnitOfWork,
    office: Office,
    *,
    role: str | None = None,
    nip: str | None = None,
    hours: int = DEFAULT_HOURS,
    by: str = "admin",
) -> str:
    """Make a one-time invite code (returned once, stored only as a hash)."""
    if (role is None) == (nip is None):
        raise ConfigurationError(problem="undangan perlu salah satu: --role atau --nip")
    if not 1 <= hours <= MAX_HOURS:
        raise ConfigurationError(problem=f"masa berlaku undangan 1-{MAX_HOURS} jam")
    code = secrets.token_urlsafe(CODE_BYTES)
    async with uow:
        now = office.now()
        staff_id = None
        data: dict[str, object] = {"hours": hours}
        if nip is not None:
            staff = await find_staff(uow, nip=nip)
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
                expires_at=now + timedelta(hours=hours),
            )
        )
        await uow.audit.append(at=now, kind="invite_created", actor=by, data=data)
        await uow.commit()
    return code


async def by_hash(uow: UnitOfWork, digest: str) -> InviteCode | None:
    return await ChannelRepository(uow.session).invite(digest)


@dataclass(frozen=True)
class Account:
    """A chat account to bind: the channel and the platform's id of the person."""

    channel: str
    address: str
    display_name: str = ""

    @property
    def used_by(self) -> str:
        return f"{self.channel}:{self.address}"


async def claim(uow: UnitOfWork, office: Office, code: str, account: Account) -> InviteCode | None:
    """Take a code for ``account`` inside the caller's transaction.

    A code is used once. The same account may come back with the code it already
    claimed (a role invite whose questions were left half answered); anyone else, an
    expired or an unknown code gets None.
    """
    repo = ChannelRepository(uow.session)
    digest = code_hash(code)
    now = office.now()
    if await repo.claim_invite(digest, by=account.used_by, at=now):
        return await repo.invite(digest)
    invite = await repo.invite(digest)
    if (
        invite is not None
        and invite.used_by == account.used_by
        and invite.role is not None
        and invite.expires_at > now
        and await _staff_of(uow, account) is None
    ):
        return invite
    return None


async def bind(
    uow: UnitOfWork, office: Office, staff: Staff, account: Account, *, by: str = "undangan"
) -> Staff:
    """Point a staff record's cards at this chat account (inside the caller's transaction)."""
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
        actor=by,
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
    return staff


async def create_staff(
    uow: UnitOfWork, office: Office, invite: InviteCode, account: Account, *, name: str, nip: str
) -> Staff:
    """A role invite's answers become a staff record bound to the account."""
    assert invite.role is not None
    name, nip = check_name(name), check_nip(nip)
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
    return staff


async def _staff_of(uow: UnitOfWork, account: Account) -> Staff | None:
    if account.channel == "telegram":
        return (
            await uow.staff.by_telegram(int(account.address))
            if account.address.lstrip("-").isdigit()
            else None
        )
    if account.channel == "whatsapp":
        return await uow.staff.by_whatsapp(normalise_phone(account.address))
    return None


def _set_address(staff: Staff, channel: str, address: str | None) -> None:
    if channel == "telegram":
        staff.telegram_id = int(address) if address is not None else None
    elif channel == "whatsapp":
        staff.whatsapp = normalise_phone(address) if address is not None else None
    else:
        raise ValidationError(field="channel", problem="unknown", value=channel, choices="telegram")

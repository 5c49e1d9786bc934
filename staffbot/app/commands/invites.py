"""Invite codes: binding a chat account to a staff record, or joining with a role."""

from __future__ import annotations

from dataclasses import dataclass

from staffbot.app.command import Command, Query
from staffbot.app.commands.staff import StaffRef

DEFAULT_HOURS = 72


@dataclass(frozen=True)
class Account:
    """A chat account to bind: the channel and the platform's id of the person."""

    channel: str
    address: str
    display_name: str = ""

    @property
    def used_by(self) -> str:
        return f"{self.channel}:{self.address}"


@dataclass(frozen=True)
class InviteView:
    code_hash: str
    #: ``staff invite --nip``: the staff record the code binds.
    staff_id: int | None
    #: ``staff invite --role``: the role of the person who joins.
    role: str | None
    used_by: str | None


@dataclass(frozen=True)
class CreateInvite(Command[str]):
    """A one-time code, for an existing staff record (``nip``) or a newcomer with a
    ``role`` (exactly one of the two). The result is the code: shown once, stored only
    as a hash."""

    role: str | None = None
    nip: str | None = None
    hours: int = DEFAULT_HOURS
    by: str = "admin"


@dataclass(frozen=True)
class ClaimInvite(Command[InviteView | None]):
    """Take a code for ``account``; None for an unknown, used or expired code."""

    code: str
    account: Account


@dataclass(frozen=True)
class FindInvite(Query[InviteView | None]):
    code_hash: str


@dataclass(frozen=True)
class BindAccount(Command[StaffRef]):
    """Point a staff record's cards at this chat account."""

    staff_id: int
    account: Account
    by: str = "undangan"


@dataclass(frozen=True)
class JoinWithInvite(Command[StaffRef]):
    """A role invite's answers become a staff record bound to the account."""

    code_hash: str
    account: Account
    name: str
    nip: str

"""Staff management: the roster, roles, delegation while on leave, the signing PIN."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from staffbot.app.bus import Command, Handler
from staffbot.app.commands.staff import (
    CARDS_DIGEST,
    CARDS_EACH,
    DEMO_PIN,
    DEMO_RANKS,
    DEMO_ROSTER,
    KEEP,
    AddStaff,
    ChangeStaff,
    EndLeave,
    FindStaff,
    LeaveResult,
    ListStaff,
    RoleHolders,
    RosterSummary,
    SeedDemo,
    SetLeave,
    StaffRef,
    StaffRow,
    SummarizeRoster,
)
from staffbot.channels.base import ChannelName
from staffbot.errors import StaffbotError, ValidationError
from staffbot.services import notify
from staffbot.services.actors import check_pin_format, find_staff, hash_pin
from staffbot.services.context import Office
from staffbot.services.tasks import push_task_card, schedule_fields
from staffbot.validation import check_name, check_title, normalise_phone
from storage.tables import Staff
from storage.uow import UnitOfWork

CHANNELS = tuple(ChannelName)


class StaffExists(StaffbotError):
    code = "staff_exists"
    template = "staff with NIP {nip} already exists"


def check_nip(raw: str) -> str:
    nip = re.sub(r"\s", "", raw or "")
    if not re.fullmatch(r"\d{18}", nip):
        raise ValidationError(field="nip", problem="format")
    return nip


#: The lengths of staff.pangkat and staff.jabatan.
MAX_PANGKAT = 80
MAX_JABATAN = 200


def check_roles(office: Office, roles: Sequence[str]) -> tuple[str, ...]:
    known = [r.key for r in office.flow.roles if r.staff]
    out = []
    for role in roles:
        if role not in known:
            raise ValidationError(
                field="role", problem="unknown", value=role, choices=", ".join(known)
            )
        out.append(role)
    if not out:
        raise ValidationError(field="role", problem="unknown", value="", choices=", ".join(known))
    return tuple(dict.fromkeys(out))


def check_channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise ValidationError(
            field="channel", problem="unknown", value=channel, choices=", ".join(CHANNELS)
        )
    return channel


def ref_of(staff: Staff) -> StaffRef:
    assert staff.id is not None
    return StaffRef(id=staff.id, nip=staff.nip, name=staff.name, active=staff.active)


async def add_staff(cmd: AddStaff, uow: UnitOfWork, office: Office) -> StaffRef:
    nip = check_nip(cmd.nip)
    name = check_name(cmd.name)
    roles = check_roles(office, cmd.roles)
    whatsapp = normalise_phone(cmd.whatsapp) if cmd.whatsapp else None
    channel = check_channel(
        cmd.channel
        or (
            ChannelName.TELEGRAM
            if cmd.telegram_id
            else ChannelName.WHATSAPP
            if whatsapp
            else ChannelName.WEB
        )
    )
    pin_hash = hash_pin(check_pin_format(cmd.pin)) if cmd.pin else None
    pangkat = check_title(cmd.pangkat, field="pangkat", most=MAX_PANGKAT)
    jabatan = check_title(cmd.jabatan, field="jabatan", most=MAX_JABATAN)
    now = office.now()
    if await uow.staff.by_nip(nip) is not None:
        raise StaffExists(nip=nip)
    supervisor_id = None
    if cmd.supervisor_nip:
        supervisor_id = (await find_staff(uow, nip=cmd.supervisor_nip)).id
    staff = Staff(
        nip=nip,
        name=name,
        telegram_id=cmd.telegram_id,
        whatsapp=whatsapp,
        channel=channel,
        supervisor_id=supervisor_id,
        pin_hash=pin_hash,
        language=cmd.language,
        created_at=now,
        pangkat=pangkat,
        jabatan=jabatan,
    )
    await uow.staff.add(staff, roles)
    await uow.audit.append(
        at=now,
        kind="staff_added",
        actor=cmd.by,
        data={
            "nip": nip,
            "name": name,
            "roles": list(roles),
            "channel": channel,
            "pangkat": pangkat,
            "jabatan": jabatan,
        },
    )
    return ref_of(staff)


async def change_staff(cmd: ChangeStaff, uow: UnitOfWork, office: Office) -> StaffRef:
    staff = await find_staff(uow, nip=cmd.nip)
    audit: dict[str, Any] = {}
    if cmd.telegram_id is not KEEP:
        staff.telegram_id = cmd.telegram_id
        audit["telegram"] = staff.telegram_id is not None
    if cmd.whatsapp is not KEEP:
        staff.whatsapp = normalise_phone(cmd.whatsapp) if cmd.whatsapp else None
        audit["whatsapp"] = staff.whatsapp is not None
    if cmd.channel is not KEEP:
        staff.channel = audit["channel"] = check_channel(cmd.channel)
    if cmd.supervisor_nip is not KEEP:
        staff.supervisor_id = (await find_staff(uow, nip=cmd.supervisor_nip)).id
        audit["supervisor"] = cmd.supervisor_nip
    if cmd.language is not KEEP:
        staff.language = audit["language"] = cmd.language
    if cmd.pin is not KEEP:
        staff.pin_hash = hash_pin(check_pin_format(cmd.pin))
        staff.pin_failures, staff.pin_locked_until = 0, None
        audit["pin"] = "changed"
    if cmd.active is not KEEP:
        staff.active = audit["active"] = cmd.active
    if cmd.cards is not KEEP:
        if cmd.cards not in (CARDS_EACH, CARDS_DIGEST):
            raise ValidationError(field="cards", problem="unknown", value=cmd.cards)
        staff.cards = audit["cards"] = cmd.cards
    if cmd.name is not KEEP:
        staff.name = audit["name"] = check_name(cmd.name)
    if cmd.pangkat is not KEEP:
        staff.pangkat = audit["pangkat"] = check_title(
            cmd.pangkat, field="pangkat", most=MAX_PANGKAT
        )
    if cmd.jabatan is not KEEP:
        staff.jabatan = audit["jabatan"] = check_title(
            cmd.jabatan, field="jabatan", most=MAX_JABATAN
        )
    if cmd.roles is not KEEP:
        assert staff.id is not None
        roles = check_roles(office, cmd.roles)
        await uow.staff.set_roles(staff.id, roles)
        audit["roles"] = list(roles)
    uow.session.add(staff)
    await uow.audit.append(
        at=office.now(), kind="staff_changed", actor=cmd.by, data={"nip": staff.nip, **audit}
    )
    return ref_of(staff)


async def set_leave(cmd: SetLeave, uow: UnitOfWork, office: Office) -> LeaveResult:
    """Their claimed tasks go to the delegate, whose ladder starts again from now; the
    delegate also gets the cards of the role."""
    now = office.now()
    staff = await find_staff(uow, nip=cmd.nip)
    delegate = await find_staff(uow, nip=cmd.delegate_nip) if cmd.delegate_nip else None
    if delegate is not None and delegate.id == staff.id:
        raise ValidationError(field="delegate", problem="self")
    staff.on_leave, staff.delegate_id = True, delegate.id if delegate else None
    uow.session.add(staff)
    await uow.session.flush()
    await uow.audit.append(
        at=now,
        kind="leave",
        actor=cmd.by,
        data={
            "nip": staff.nip,
            "name": staff.name,
            "delegate": delegate.name if delegate else None,
        },
    )
    reassigned = 0
    if delegate is not None:
        assert staff.id is not None
        for task in await uow.tasks.open_assigned_to(staff.id):
            step = office.flow.step(task.step)
            fields: dict[str, Any] = {"assignee_id": delegate.id}
            if task.paused_at is None:
                fields.update(schedule_fields(office, step, now))
            await uow.tasks.set_fields(task, **fields)
            await uow.audit.append(
                at=now,
                kind="reassigned",
                actor=cmd.by,
                task_id=task.id,
                case_id=task.case_id,
                ba_id=task.ba_id,
                from_step=task.step,
                to_step=task.step,
                data={"from": staff.name, "to": delegate.name, "reason": "cuti"},
            )
            reassigned += 1
        for role in await uow.staff.roles_of(staff.id):
            for task in await uow.tasks.open_for_roles([role], staff_ids=[delegate.id or 0]):
                await push_task_card(uow, office, task, delegate, key_suffix=f":leave:{staff.id}")
    return LeaveResult(staff.name, delegate.name if delegate else None, reassigned)


async def end_leave(cmd: EndLeave, uow: UnitOfWork, office: Office) -> None:
    staff = await find_staff(uow, nip=cmd.nip)
    staff.on_leave, staff.delegate_id = False, None
    uow.session.add(staff)
    await uow.audit.append(
        at=office.now(),
        kind="leave_ended",
        actor=cmd.by,
        data={"nip": staff.nip, "name": staff.name},
    )


async def list_staff(cmd: ListStaff, uow: UnitOfWork, office: Office) -> list[StaffRow]:
    people = list(await uow.staff.all())
    roles = await uow.staff.roles_for([p.id for p in people if p.id is not None])
    by_id = {p.id: p for p in people}
    out = []
    for p in people:
        assert p.id is not None
        address = notify.address_of(p)
        out.append(
            StaffRow(
                id=p.id,
                nip=p.nip,
                name=p.name,
                roles=tuple(sorted(roles.get(p.id, ()))),
                channel=address.channel,
                address=address.chat_id,
                telegram_id=p.telegram_id,
                whatsapp=p.whatsapp,
                supervisor=by_id[p.supervisor_id].nip if p.supervisor_id in by_id else None,
                active=p.active,
                on_leave=p.on_leave,
                delegate=by_id[p.delegate_id].nip if p.delegate_id in by_id else None,
                has_pin=p.pin_hash is not None,
                pangkat=p.pangkat,
                jabatan=p.jabatan,
            )
        )
    return out


async def seed_demo(cmd: SeedDemo, uow: UnitOfWork, office: Office) -> int:
    """Supervisors come before the people reporting to them in DEMO_ROSTER, so each
    is found in this same transaction."""
    created = 0
    for role, name, nip, supervisor in DEMO_ROSTER:
        if await uow.staff.by_nip(nip) is not None:
            continue
        pin = DEMO_PIN if role == "kepala_dinas" else None
        pangkat, jabatan = DEMO_RANKS.get(nip, (None, None))
        new = AddStaff(
            name=name,
            nip=nip,
            roles=(role,),
            supervisor_nip=supervisor,
            pin=pin,
            by=cmd.by,
            pangkat=pangkat,
            jabatan=jabatan,
        )
        await add_staff(new, uow, office)
        created += 1
    return created


async def role_holders(cmd: RoleHolders, uow: UnitOfWork, office: Office) -> list[StaffRef]:
    return [ref_of(s) for s in await uow.staff.holders(cmd.role)]


async def find_by_nip(cmd: FindStaff, uow: UnitOfWork, office: Office) -> StaffRef | None:
    staff = await uow.staff.by_nip(cmd.nip.replace(" ", ""))
    return ref_of(staff) if staff is not None else None


async def summarize_roster(cmd: SummarizeRoster, uow: UnitOfWork, office: Office) -> RosterSummary:
    nips = {s.nip for s in await uow.staff.all()}
    demo = {nip for _role, _name, nip, _supervisor in DEMO_ROSTER}
    return RosterSummary(staff=len(nips), demo_only=bool(nips) and nips <= demo)


HANDLERS: dict[type[Command[Any]], Handler] = {
    AddStaff: add_staff,
    ChangeStaff: change_staff,
    EndLeave: end_leave,
    FindStaff: find_by_nip,
    ListStaff: list_staff,
    RoleHolders: role_holders,
    SeedDemo: seed_demo,
    SetLeave: set_leave,
    SummarizeRoster: summarize_roster,
}

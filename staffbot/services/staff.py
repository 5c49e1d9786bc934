"""Staff management: the roster, roles, delegation while on leave, the signing PIN."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from staffbot.errors import StaffbotError, ValidationError
from staffbot.services import notify
from staffbot.services.actors import check_pin_format, find_staff, hash_pin
from staffbot.services.context import Office
from staffbot.services.tasks import push_task_card, schedule_fields
from staffbot.validation import check_name, normalise_phone
from storage.tables import Staff
from storage.uow import UnitOfWork

CHANNELS = ("web", "telegram", "whatsapp")
DEMO_PIN = "123456"


class StaffExists(StaffbotError):
    code = "staff_exists"
    template = "staff with NIP {nip} already exists"


@dataclass(frozen=True)
class NewStaff:
    name: str
    nip: str
    roles: tuple[str, ...]
    telegram_id: int | None = None
    whatsapp: str | None = None
    supervisor_nip: str | None = None
    channel: str | None = None
    pin: str | None = None
    language: str | None = None


def check_nip(raw: str) -> str:
    nip = re.sub(r"\s", "", raw or "")
    if not re.fullmatch(r"\d{18}", nip):
        raise ValidationError(field="nip", problem="format")
    return nip


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


async def add_staff(uow: UnitOfWork, office: Office, new: NewStaff, *, by: str = "admin") -> Staff:
    nip = check_nip(new.nip)
    name = check_name(new.name)
    roles = check_roles(office, new.roles)
    whatsapp = normalise_phone(new.whatsapp) if new.whatsapp else None
    channel = new.channel or ("telegram" if new.telegram_id else "whatsapp" if whatsapp else "web")
    if channel not in CHANNELS:
        raise ValidationError(
            field="channel", problem="unknown", value=channel, choices=", ".join(CHANNELS)
        )
    pin_hash = hash_pin(check_pin_format(new.pin)) if new.pin else None
    async with uow:
        now = office.now()
        if await uow.staff.by_nip(nip) is not None:
            raise StaffExists(nip=nip)
        supervisor_id = None
        if new.supervisor_nip:
            supervisor_id = (await find_staff(uow, nip=new.supervisor_nip)).id
        staff = Staff(
            nip=nip,
            name=name,
            telegram_id=new.telegram_id,
            whatsapp=whatsapp,
            channel=channel,
            supervisor_id=supervisor_id,
            pin_hash=pin_hash,
            language=new.language,
            created_at=now,
        )
        await uow.staff.add(staff, roles)
        await uow.audit.append(
            at=now,
            kind="staff_added",
            actor=by,
            data={"nip": nip, "name": name, "roles": list(roles), "channel": channel},
        )
        await uow.commit()
        return staff


async def update_staff(
    uow: UnitOfWork, office: Office, nip: str, *, by: str = "admin", **changes: Any
) -> Staff:
    """Change contact fields, channel, supervisor, language or PIN of a staff member."""
    async with uow:
        staff = await find_staff(uow, nip=nip)
        audit: dict[str, Any] = {}
        if "telegram_id" in changes:
            staff.telegram_id = changes["telegram_id"]
            audit["telegram"] = staff.telegram_id is not None
        if "whatsapp" in changes:
            staff.whatsapp = normalise_phone(changes["whatsapp"]) if changes["whatsapp"] else None
            audit["whatsapp"] = staff.whatsapp is not None
        if "channel" in changes:
            if changes["channel"] not in CHANNELS:
                raise ValidationError(
                    field="channel",
                    problem="unknown",
                    value=changes["channel"],
                    choices=", ".join(CHANNELS),
                )
            staff.channel = audit["channel"] = changes["channel"]
        if "supervisor_nip" in changes:
            staff.supervisor_id = (await find_staff(uow, nip=changes["supervisor_nip"])).id
            audit["supervisor"] = changes["supervisor_nip"]
        if "language" in changes:
            staff.language = audit["language"] = changes["language"]
        if "pin" in changes:
            staff.pin_hash = hash_pin(check_pin_format(changes["pin"]))
            staff.pin_failures, staff.pin_locked_until = 0, None
            audit["pin"] = "changed"
        if "active" in changes:
            staff.active = audit["active"] = bool(changes["active"])
        if "roles" in changes:
            assert staff.id is not None
            roles = check_roles(office, changes["roles"])
            await uow.staff.set_roles(staff.id, roles)
            audit["roles"] = list(roles)
        uow.session.add(staff)
        await uow.audit.append(
            at=office.now(), kind="staff_changed", actor=by, data={"nip": staff.nip, **audit}
        )
        await uow.commit()
        return staff


@dataclass(frozen=True)
class LeaveResult:
    staff: str
    delegate: str | None
    reassigned: int


async def set_leave(
    uow: UnitOfWork, office: Office, nip: str, *, delegate_nip: str | None, by: str = "admin"
) -> LeaveResult:
    """Send a staff member on leave: their claimed tasks go to the delegate, whose
    ladder starts again from now; the delegate also gets the cards of the role."""
    async with uow:
        now = office.now()
        staff = await find_staff(uow, nip=nip)
        delegate = await find_staff(uow, nip=delegate_nip) if delegate_nip else None
        if delegate is not None and delegate.id == staff.id:
            raise ValidationError(field="delegate", problem="self")
        staff.on_leave, staff.delegate_id = True, delegate.id if delegate else None
        uow.session.add(staff)
        await uow.session.flush()
        await uow.audit.append(
            at=now,
            kind="leave",
            actor=by,
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
                    actor=by,
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
                    await push_task_card(
                        uow, office, task, delegate, key_suffix=f":leave:{staff.id}"
                    )
        await uow.commit()
        return LeaveResult(staff.name, delegate.name if delegate else None, reassigned)


async def end_leave(uow: UnitOfWork, office: Office, nip: str, *, by: str = "admin") -> None:
    async with uow:
        staff = await find_staff(uow, nip=nip)
        staff.on_leave, staff.delegate_id = False, None
        uow.session.add(staff)
        await uow.audit.append(
            at=office.now(),
            kind="leave_ended",
            actor=by,
            data={"nip": staff.nip, "name": staff.name},
        )
        await uow.commit()


@dataclass(frozen=True)
class StaffRow:
    id: int
    nip: str
    name: str
    roles: tuple[str, ...]
    channel: str
    address: str
    telegram_id: int | None
    whatsapp: str | None
    supervisor: str | None
    active: bool
    on_leave: bool
    delegate: str | None
    has_pin: bool


async def list_staff(uow: UnitOfWork) -> list[StaffRow]:
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
            )
        )
    return out


#: One staff member per role of the SOP; supervisors follow the office hierarchy.
DEMO_ROSTER: tuple[tuple[str, str, str, str | None], ...] = (
    ("kepala_dinas", "Ahmad Fauzi, S.STP., M.Si.", "197903031998101001", None),
    ("kepala_bidang", "Nurhayati, S.E.", "198105122005012002", "197903031998101001"),
    (
        "kasi_identitas_penduduk",
        "Hendra Gunawan, S.Kom.",
        "198307142008011003",
        "198105122005012002",
    ),
    ("kasi_inovasi", "Maya Sari, S.Kom.", "198809202011012004", "198105122005012002"),
    ("petugas_call_center", "Rina Marlina", "199001012015032005", "198307142008011003"),
    ("operator_penerima_wa", "Andi Saputra", "199102022015031006", "198307142008011003"),
    ("operator_pengangkat_data", "Dewi Lestari", "199203032016032007", "198307142008011003"),
    ("operator_cetak_berkas", "Budi Santoso", "199304042017031008", "198307142008011003"),
    ("petugas_loket_pendaftaran", "Siti Rahmawati", "199405052018032009", "198307142008011003"),
    ("operator", "Yusuf Hidayat", "199506062019031010", "198307142008011003"),
    ("petugas_pemilah_berkas", "Rudi Hartono", "199607072019031011", "198809202011012004"),
    ("operator_pengirim_pdf", "Fitri Handayani", "199708082020122012", "198809202011012004"),
)


async def seed_demo(uow_factory: Any, office: Office) -> int:
    """Create the demo roster (skipping NIPs that exist). Signers get PIN 123456."""
    created = 0
    for role, name, nip, supervisor in DEMO_ROSTER:
        pin = DEMO_PIN if role == "kepala_dinas" else None
        try:
            await add_staff(
                uow_factory(),
                office,
                NewStaff(
                    name=name,
                    nip=nip,
                    roles=(role,),
                    supervisor_nip=supervisor,
                    pin=pin,
                ),
                by="seed-demo",
            )
            created += 1
        except StaffExists:
            continue
    return created

"""SOP steps 1-2: the call center records a citizen's call as a new case."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from flows.engine import Actor, Request, decide
from flows.errors import NotYourRole
from staffbot.app.bus import Command, Handler
from staffbot.app.commands.cases import IntakeForm, IntakeResult, RecordCase
from staffbot.cards import Happened, outcome_label
from staffbot.errors import ConfigurationError
from staffbot.services.actors import find_staff, load_actor
from staffbot.services.context import Office
from staffbot.services.effects import EffectContext
from staffbot.services.tasks import open_task
from staffbot.services.transitions import run_effects
from staffbot.services.work_items import CaseItem
from staffbot.texts import t
from staffbot.validation import (
    check_keluhan,
    check_name,
    check_nik,
    check_title,
    normalise_phone,
    pick,
)
from storage.tables import Case, Task
from storage.uow import UnitOfWork

#: How the applicant appears in the audit trail: never by name, so the trail (hash-chained,
#: never edited) holds no personal data and a case can be purged after its retention.
APPLICANT = "Pemohon"
#: The length of cases.desa.
MAX_DESA = 64


@dataclass(frozen=True)
class ValidIntake:
    name: str
    nik: str
    wa: str
    kecamatan: str
    layanan: str
    keluhan: str
    nik_outside: bool
    regency: str
    desa: str | None = None


def validate_intake(office: Office, form: IntakeForm) -> ValidIntake:
    """Every field checked; the first problem raises ValidationError with its message key."""
    ref = office.reference
    name = check_name(form.name)
    nik = check_nik(
        form.nik, regency_codes=ref.regency_codes, today=office.local(office.now()).date()
    )
    wa = normalise_phone(form.wa)
    kecamatan = pick(form.kecamatan, ref.kecamatan, field="kecamatan")
    layanan = pick(form.layanan, ref.layanan, field="layanan")
    keluhan = check_keluhan(form.keluhan)
    return ValidIntake(
        name=name,
        nik=nik.nik,
        wa=wa,
        kecamatan=kecamatan,
        layanan=layanan,
        keluhan=keluhan,
        nik_outside=nik.outside,
        regency=nik.regency,
        desa=check_title(form.desa, field="desa", most=MAX_DESA),
    )


async def record_case(cmd: RecordCase, uow: UnitOfWork, office: Office) -> IntakeResult:
    """Record a new case (the form is checked before anything is read or written)."""
    valid = validate_intake(office, cmd.form)
    flow = office.flow
    start = flow.step(flow.start)
    if len(start.actions) != 1 or start.actions[0].to is None:
        raise ConfigurationError(problem="the start step must have exactly one action")
    record_step = flow.step(start.actions[0].to)
    now = office.now()
    staff = await find_staff(uow, nip=cmd.who.nip, staff_id=cmd.who.staff_id)
    actor = await load_actor(uow, staff)
    if not actor.holds(record_step.role):
        raise NotYourRole(
            step=f"{record_step.sop_no}. {record_step.title}",
            role=flow.role(record_step.role).label,
            actor=actor.name,
        )
    year = office.local(now).year
    seq = await uow.counters.next(f"case:{year}")
    case = Case(
        number=f"{office.reference.case_prefix}-{year}-{seq:05d}",
        flow_key=flow.key,
        applicant_name=valid.name,
        nik=valid.nik,
        nik_outside=valid.nik_outside,
        wa_number=valid.wa,
        kecamatan=valid.kecamatan,
        layanan=valid.layanan,
        keluhan=valid.keluhan,
        desa=valid.desa,
        step=start.key,
        created_by=staff.id,
        created_at=now,
        updated_at=now,
        # the applicant's status page (/s/<code>, the bukti pendaftaran's QR): 128
        # random bits, so nobody finds another person's application by trying codes
        status_code=secrets.token_urlsafe(16),
    )
    await uow.cases.add(case)
    assert case.id is not None
    # Step 1 is the applicant's call: recorded as done by the applicant, through
    # the officer who took it. Step 2 is the officer's own record.
    applicant = Actor(key="pemohon", name=APPLICANT, roles=frozenset({start.role}))
    call = decide(
        flow, CaseItem(case).state(case.step, None), applicant, Request(start.actions[0].key), now
    )
    first = Task(
        case_id=case.id,
        step=start.key,
        role=start.role,
        created_at=now,
        is_open=False,
        done_at=now,
        action=call.action.key,
        outcome=call.action.outcome,
        note=None,
    )
    await uow.tasks.add(first)
    await uow.cases.compare_and_set(case, step=record_step.key)
    await uow.audit.append(
        at=now,
        kind="case_created",
        actor=APPLICANT,
        case_id=case.id,
        task_id=first.id,
        action=call.action.key,
        from_step=start.key,
        to_step=record_step.key,
        data={"number": case.number, "recorded_by": staff.name, "nik_outside": valid.nik_outside},
    )
    record_task = Task(case_id=case.id, step=record_step.key, role=record_step.role, created_at=now)
    await uow.tasks.add(record_task)
    action = record_step.actions[0]
    record = decide(flow, CaseItem(case).state(case.step, None), actor, Request(action.key), now)
    await uow.tasks.close(
        record_task, done_at=now, action=action.key, outcome=action.outcome, actor_id=staff.id
    )
    assert record.to_step is not None
    await uow.cases.compare_and_set(case, step=record.to_step)
    await uow.audit.append(
        at=now,
        kind="transition",
        actor=staff.name,
        actor_id=staff.id,
        case_id=case.id,
        task_id=record_task.id,
        action=action.key,
        from_step=record.from_step,
        to_step=record.to_step,
    )
    item = CaseItem(case)
    ctx = EffectContext(transition=record, actor=staff, task=record_task, item=item)
    await run_effects(uow, office, ctx, record.effects)
    last = Happened(outcome_label(action, office.language), staff.name, now)
    await open_task(
        uow,
        office,
        item=item,
        step_key=record.to_step,
        now=now,
        last=last,
        paused=action.waits_on_applicant,
    )
    warnings: tuple[str, ...] = ()
    if valid.nik_outside:
        warnings = (t("warn.nik_outside", office.language, regency=valid.regency),)
    return IntakeResult(case_id=case.id, number=case.number, step=case.step, warnings=warnings)


HANDLERS: dict[type[Command[Any]], Handler] = {RecordCase: record_case}

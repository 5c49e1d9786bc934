"""SOP step 14: the Kasi Inovasi puts waiting cases into Berita Acara, one per kecamatan."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flows.engine import Actor, CaseState, Request, decide
from staffbot.app.bus import Command, Handler
from staffbot.app.commands.batches import WaitingForBa, WaitingPlace
from staffbot.app.commands.cases import ActResult, MakeBa
from staffbot.cards import Happened, outcome_label
from staffbot.errors import ConcurrencyConflict, ValidationError
from staffbot.services.actors import find_staff, load_actor
from staffbot.services.context import Office
from staffbot.services.effects import EffectContext
from staffbot.services.locate import find_case
from staffbot.services.numbering import take_number
from staffbot.services.tasks import open_task
from staffbot.services.transitions import (
    assignee_key,
    audit_transition,
    close_task,
    edit_old_cards,
    run_effects,
)
from staffbot.services.work_items import BaItem, already_done, case_values
from storage.tables import BA_OPEN, CASE_OPEN, BeritaAcara, Case, Staff, Task
from storage.uow import UnitOfWork


async def waiting_for_ba(
    uow: UnitOfWork, office: Office, *, for_staff: Staff | None = None
) -> dict[str, list[Case]]:
    """Cases waiting at a collecting step, per kecamatan, or per UPT where one UPT
    serves several (what "Buat BA" lists; ``Reference.ba_place``).

    ``for_staff``: only the cases that person may put into a BA, leaving out those a
    colleague has taken (claimed, or reassigned to them) unless the person stands in
    for that colleague.
    """
    steps = [s.key for s in office.flow.steps if s.collects_batch]
    found: dict[str, list[Case]] = defaultdict(list)
    for step in steps:
        for case in await uow.cases.listing(status=CASE_OPEN, step=step, limit=5000):
            found[office.reference.ba_place(case.kecamatan)].append(case)
    if for_staff is not None and for_staff.id is not None:
        allowed = {for_staff.id}
        allowed.update(s.id for s in await uow.staff.absent_delegating_to(for_staff.id) if s.id)
        ids = [c.id for cases in found.values() for c in cases if c.id is not None]
        tasks = await uow.tasks.open_for_cases(ids)
        for place, cases in list(found.items()):
            mine = [c for c in cases if _free_for(tasks.get(c.id or 0), allowed)]
            if mine:
                found[place] = mine
            else:
                del found[place]
    return {k: sorted(v, key=lambda c: c.id or 0) for k, v in sorted(found.items())}


def _free_for(task: Task | None, allowed: set[int]) -> bool:
    return task is not None and (task.assignee_id is None or task.assignee_id in allowed)


async def make_ba(cmd: MakeBa, uow: UnitOfWork, office: Office) -> list[ActResult]:
    """Build one BA per UPT from the chosen cases (or all waiting in ``kecamatan``)."""
    now = office.now()
    staff = await find_staff(uow, nip=cmd.who.nip, staff_id=cmd.who.staff_id)
    actor = await load_actor(uow, staff)
    cases = await _chosen(uow, office, cmd.refs, cmd.kecamatan, staff)
    if not cases:
        raise ValidationError(field="ba", problem="empty")
    tasks = await uow.tasks.open_for_cases([c.id for c in cases if c.id is not None])
    groups: dict[str, list[tuple[Case, Task]]] = defaultdict(list)
    for case in cases:
        assert case.id is not None
        task = tasks.get(case.id)
        if task is None:
            last = await uow.tasks.last_for_case(case.id)
            if last is not None and not last.is_open:
                raise await already_done(uow, office, last)
            raise ValidationError(field="case", problem="unknown", value=case.number)
        # One Berita Acara per UPT: a UPT may serve several kecamatan (reference data).
        groups[office.reference.upt_of(case.kecamatan)].append((case, task))
    results = []
    for upt, members in sorted(groups.items()):
        results.append(await _one_ba(uow, office, staff, actor, upt, members, cmd.action, now))
    return results


async def _chosen(
    uow: UnitOfWork, office: Office, refs: Sequence[str], kecamatan: str | None, staff: Staff
) -> list[Case]:
    if refs:
        seen: dict[int, Case] = {}
        for ref in refs:
            case = await find_case(uow, ref)
            assert case.id is not None
            seen[case.id] = case
        return list(seen.values())
    # without a list: what this person may take (a colleague's claimed case stays out)
    waiting = await waiting_for_ba(uow, office, for_staff=staff)
    if kecamatan:
        # a kecamatan's name finds the place it waits under (its UPT's, when shared)
        wanted = kecamatan.strip().casefold()
        named = [k for k in office.reference.kecamatan if k.casefold() == wanted]
        if named:
            wanted = office.reference.ba_place(named[0]).casefold()
        for place, cases in waiting.items():
            if place.casefold() == wanted:
                return cases
        return []
    return [c for cases in waiting.values() for c in cases]


async def _one_ba(
    uow: UnitOfWork,
    office: Office,
    staff: Staff,
    actor: Actor,
    upt: str,
    members: list[tuple[Case, Task]],
    action_key: str,
    now: datetime,
) -> ActResult:
    # with each task's assignee: a case someone else took (a claim, "Alihkan") is
    # refused, and with it the whole Berita Acara, before anything is written
    transitions = [
        decide(
            office.flow,
            CaseState(case.number, case.step, assignee=await assignee_key(uow, task)),
            actor,
            Request(action_key, as_batch=True),
            now,
        )
        for case, task in members
    ]
    first = transitions[0]
    assert first.to_step is not None
    taken = await take_number(uow, office, "ba", now)
    place = _places(office, [c.kecamatan for c, _ in members])
    ba = BeritaAcara(
        number=taken.number,
        year=taken.year,
        seq=taken.seq,
        kecamatan=place,
        upt=upt,
        status=BA_OPEN,
        step=first.to_step,
        created_by=staff.id,
        created_at=now,
    )
    await uow.cases.add_ba(ba, [c.id for c, _ in members if c.id is not None])
    cases = [c for c, _ in members]
    item = BaItem(ba, cases)
    for (case, task), transition in zip(members, transitions, strict=True):
        await close_task(uow, office, staff, task, transition)
        moved = {**case_values(transition), "ba_id": ba.id}
        if not await uow.cases.compare_and_set(case, **moved):
            raise ConcurrencyConflict(what=f"case {case.number}")
        await audit_transition(
            uow,
            staff,
            transition,
            task=task,
            ids=item.carried_ids(case),
            on_behalf=None,
            data={"ba": ba.number},
        )
        await edit_old_cards(uow, office, staff, task, transition, None)
    await uow.audit.append(
        at=now,
        kind="ba_created",
        actor=staff.name,
        actor_id=staff.id,
        ba_id=ba.id,
        action=action_key,
        to_step=first.to_step,
        data={"number": ba.number, "kecamatan": place, "cases": [c.number for c in cases]},
    )
    ctx = EffectContext(transition=first, actor=staff, task=members[0][1], item=item)
    await run_effects(uow, office, ctx, first.effects)
    last = Happened(outcome_label(first.action, office.language), staff.name, now)
    task = await open_task(uow, office, item=item, step_key=first.to_step, now=now, last=last)
    return ActResult(
        number=ba.number,
        action=action_key,
        outcome=first.action.outcome,
        from_step=first.from_step,
        to_step=first.to_step,
        closed=False,
        task_id=members[0][1].id or 0,
        next_task_id=task.id,
        actor=staff.name,
        at=now,
        ba_number=ba.number,
        cases=tuple(c.number for c in cases),
    )


#: The length of berita_acara.kecamatan.
_PLACE_MAX = 64


def _places(office: Office, kecamatan: Sequence[str]) -> str:
    """The kecamatan of a Berita Acara's cases, in Kemendagri order; as many as fit the
    column, then "dll." (the document lists each case's kecamatan anyway)."""
    names = office.reference.kecamatan_in_order(kecamatan)
    joined = ", ".join(names)
    while len(joined) > _PLACE_MAX and len(names) > 1:
        names = names[:-1]
        joined = ", ".join(names) + " dll."
    return joined[:_PLACE_MAX]


async def list_waiting(cmd: WaitingForBa, uow: UnitOfWork, office: Office) -> list[WaitingPlace]:
    who = cmd.who
    staff = await find_staff(uow, nip=who.nip, staff_id=who.staff_id) if who else None
    waiting = await waiting_for_ba(uow, office, for_staff=staff)
    return [WaitingPlace(place, tuple(c.number for c in cases)) for place, cases in waiting.items()]


HANDLERS: dict[type[Command[Any]], Handler] = {MakeBa: make_ba, WaitingForBa: list_waiting}

"""The escalation scan: each rung of each task's ladder fires once, in one process.

One pass:

1. A cheap read: is any open task's ``next_escalation_at`` due? (index
   ``ix_task_open_next_escalation``; most minutes the answer is no and nothing is
   locked.)
2. In one transaction per batch: select the due tasks (PostgreSQL: ``FOR UPDATE SKIP
   LOCKED``, so a second scan skips what the first holds; SQLite: the writer lock
   serialises the scans), claim each task's rung with a compare-and-set on
   ``escalation_level`` that also moves ``next_escalation_at`` to the next rung (one
   ``UPDATE ... FROM (VALUES ...) WHERE id = v.id AND escalation_level = v.old
   RETURNING id`` per 500 tasks: still one CAS per row), then
   write the alerts (outbox rows with the idempotency key
   ``alert:{task}:{level}:{staff}:{due}``) and one audit event ``escalation`` per
   claimed rung, and commit. A crash before the commit leaves the task due; after it, the
   alerts exist. Nothing can be claimed twice: the CAS lets one scan win, the key lets
   one row exist. The key ends with the ladder's due time (UTC, to the minute): a
   ladder restarted by a reassignment or a takeover may alert the same person about
   the same level again, a race within one ladder cannot.

Decisions (see docs/decisions/0005-sla-and-escalation.md):

* Several rungs due at once (the bot was down, or a rung is shorter than a scan
  interval): the **highest** due level fires once, to the **union** of the due rungs'
  recipients; the lower levels are not sent separately (they are listed as
  ``skipped`` in the audit event). The holder is not told "2 hours left" about a task
  that is a day late, and nobody who should have heard is left out.
* A person who would get more than ``digest_threshold`` alerts in one pass gets one
  digest card instead (:func:`staffbot.services.digests.storm_digest`).
* A rung that is no longer due on the current calendar (a holiday was added after
  the task was scheduled) is not fired: ``next_escalation_at`` is moved to its new
  time. ``due_at`` itself stays as computed when the task opened.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flows.ladder import due_rungs, next_rung
from flows.model import HOLDER, SUPERVISOR, Escalation, Step
from staffbot.app.bus import Command, Handler, MessageBus, Process, ProcessHandler
from staffbot.app.commands.sla import (
    NUDGE,
    REASSIGN,
    TAKEOVER,
    AnyDue,
    EscalateBatch,
    EscalationBatch,
    EscalationPass,
    EscalationReport,
    Fired,
)
from staffbot.app.commands.staff import CARDS_DIGEST
from staffbot.cards import step_title
from staffbot.messages import Choice, OutgoingMessage
from staffbot.richtext import b, esc
from staffbot.services import notify
from staffbot.services.context import Office
from staffbot.services.digests import storm_digest
from staffbot.services.sla_support import SYSTEM_ACTOR, Item, Mailer, Roster, items_of
from staffbot.texts.sla import st, working_span
from staffbot.timefmt import long_time
from storage.repos.escalation import Claim, EscalationRepository
from storage.tables import Staff, Task
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


def takeover_allowed(step: Step) -> bool:
    """Allow "Ambil alih" where the flow does, never for a signature (the TTE certificate
    and PIN are personal) nor for the Berita Acara steps (batch actions check the role)."""
    return (
        step.allow_takeover
        and not step.per_batch
        and not step.collects_batch
        and not any(a.requires_pin or a.forms_batch for a in step.actions)
    )


@dataclass(frozen=True)
class _Claim:
    task: Task
    item: Item
    rung: Escalation
    skipped: tuple[int, ...]
    #: recipient id -> the recipient is (one of) the task's holders
    recipients: dict[int, bool]
    holders: tuple[str, ...]

    @property
    def due_stamp(self) -> str:
        """The ladder's due time, UTC to the minute: tells restarted ladders apart."""
        assert self.task.due_at is not None
        return f"{self.task.due_at.astimezone(UTC):%Y%m%dT%H%M}"

    @property
    def ident(self) -> str:
        """task:level:due, the same for every scan that could claim this rung."""
        return f"{self.item.task_id}:{self.rung.level}:{self.due_stamp}"


async def escalation_pass(cmd: EscalationPass, bus: MessageBus) -> EscalationReport:
    now = cmd.now
    if now.tzinfo is None:
        raise ValueError("escalation_pass needs an aware 'now'")
    if not await bus.handle(AnyDue(now)):
        return EscalationReport(now=now)
    fired: list[Fired] = []
    digests: dict[str, int] = defaultdict(int)
    cards = rescheduled = lost = 0
    batch = EscalateBatch(now=now, digest_threshold=cmd.digest_threshold, batch=cmd.batch)
    while True:
        done = await bus.handle(batch)
        part = done.report
        fired += part.fired
        for name, count in part.digests.items():
            digests[name] += count
        cards += part.cards
        rescheduled += part.rescheduled
        lost += part.lost
        if done.selected < cmd.batch or not (part.fired or part.rescheduled):
            break
    report = EscalationReport(now, tuple(fired), dict(digests), cards, rescheduled, lost)
    if fired:
        log.info(
            "escalation pass %s: %s rungs, %s cards, %s digests",
            now.isoformat(),
            len(fired),
            cards,
            len(digests),
        )
    return report


async def any_due(cmd: AnyDue, uow: UnitOfWork, office: Office) -> bool:
    return await EscalationRepository(uow.session).any_due(cmd.now)


async def escalate_batch(cmd: EscalateBatch, uow: UnitOfWork, office: Office) -> EscalationBatch:
    now = cmd.now
    repo = EscalationRepository(uow.session)
    tasks = list(await repo.due(now, limit=cmd.batch))
    if not tasks:
        return EscalationBatch(0, EscalationReport(now=now))
    items = {i.task_id: i for i in await items_of(uow, office, tasks)}
    plans = [_plan(office, task, items.get(task.id or 0), now) for task in tasks]
    won = await repo.claim_many([plan.claim for plan in plans])
    roster = await Roster.load(uow)
    claims: list[_Claim] = []
    lost = rescheduled = 0
    for plan in plans:
        if plan.claim.task_id not in won:
            lost += 1
        elif plan.rungs and plan.item is not None:
            claims.append(_recipients(roster, plan.task, plan.item, plan.rungs))
        else:
            rescheduled += 1
    mailer = Mailer(uow, office, now)
    folded = _send(mailer, office, roster, claims, now=now, threshold=cmd.digest_threshold)
    events = [_event(office, roster, claim, folded, now) for claim in claims]
    await uow.audit.append_many([event for event, _ in events])
    digests = {
        roster.people[staff_id].name: count
        for staff_id, count in _digest_counts(claims, folded).items()
    }
    report = EscalationReport(
        now=now,
        fired=tuple(fired for _, fired in events),
        digests=digests,
        cards=await mailer.flush(),
        rescheduled=rescheduled,
        lost=lost,
    )
    return EscalationBatch(len(tasks), report)


@dataclass(frozen=True)
class _Plan:
    task: Task
    item: Item | None
    #: The due rungs, lowest first; empty when the task's ladder only moves.
    rungs: list[Escalation]
    claim: Claim


def _plan(office: Office, task: Task, item: Item | None, now: datetime) -> _Plan:
    """Which rung fires (the highest due) and where the ladder goes next."""
    assert task.id is not None
    level = task.escalation_level
    if item is None or task.due_at is None:
        # a step the flow lost, or a paused task that kept a rung: stop its ladder
        return _Plan(task, item, [], Claim(task.id, level, level, None))
    flow, calendar = office.flow, office.calendar
    rungs = due_rungs(flow, item.step, task.due_at, calendar, after_level=level, now=now)
    top = rungs[-1].level if rungs else level
    following = next_rung(flow, item.step, task.due_at, calendar, after_level=top)
    return _Plan(task, item, rungs, Claim(task.id, level, top, following[1] if following else None))


def _recipients(roster: Roster, task: Task, item: Item, rungs: list[Escalation]) -> _Claim:
    holders = roster.task_holders(task)
    recipients: dict[int, bool] = {}
    for target in _targets(rungs):
        if target == HOLDER:
            people = holders
        elif target == SUPERVISOR:
            people = roster.supervisors(holders)
        else:
            people = roster.role_people(target)
        for person in people:
            if person.id is not None and person.id not in recipients:
                recipients[person.id] = any(h.id == person.id for h in holders)
    return _Claim(
        task=task,
        item=item,
        rung=rungs[-1],
        skipped=tuple(r.level for r in rungs[:-1]),
        recipients=recipients,
        holders=tuple(h.name for h in holders),
    )


def _targets(rungs: list[Escalation]) -> list[str]:
    """The notify targets of all due rungs, lowest rung first, each once."""
    return list(dict.fromkeys(target for rung in rungs for target in rung.notify))


def _send(
    mailer: Mailer,
    office: Office,
    roster: Roster,
    claims: list[_Claim],
    *,
    now: datetime,
    threshold: int,
) -> set[int]:
    """Queue the alert cards; returns the recipients whose alerts became one digest."""
    per_person: dict[int, list[_Claim]] = defaultdict(list)
    for claim in claims:
        for staff_id in claim.recipients:
            per_person[staff_id].append(claim)
    folded: set[int] = set()
    for staff_id, mine in per_person.items():
        person = roster.people[staff_id]
        # Who chose digests over a card each (/ringkasan) gets their alerts folded too.
        if len(mine) > threshold or person.cards == CARDS_DIGEST:
            folded.add(staff_id)
            entries = [(c.item, c.rung.level) for c in mine]
            mailer.card(
                person,
                storm_digest(mailer, office, person, entries, now=now),
                key=f"digest:{staff_id}:{min(c.ident for c in mine)}:{len(mine)}",
                extra={"alerts": [c.ident for c in mine]},
            )
            continue
        for claim in mine:
            mailer.card(
                person,
                alert_card(mailer, office, roster, claim, person, now=now),
                key=f"alert:{claim.item.task_id}:{claim.rung.level}:{staff_id}:{claim.due_stamp}",
                task_id=claim.item.task_id,
                case_id=claim.item.case_id,
                ba_id=claim.item.ba_id,
            )
    return folded


def _digest_counts(claims: list[_Claim], folded: set[int]) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for claim in claims:
        for staff_id in claim.recipients:
            if staff_id in folded:
                counts[staff_id] += 1
    return dict(counts)


def alert_card(
    mailer: Mailer,
    office: Office,
    roster: Roster,
    claim: _Claim,
    person: Staff,
    *,
    now: datetime,
) -> OutgoingMessage:
    lang = notify.staff_language(office, person)
    item, level = claim.item, claim.rung.level
    lines = [
        b(
            st(
                "alert.late_title" if level >= 1 else "alert.reminder_title",
                lang,
                what=item.what(lang),
                number=item.number,
            )
        ),
        esc(st("alert.step", lang, no=item.step.sop_no, title=step_title(item.step, lang))),
        esc(st("alert.holder", lang, names=", ".join(claim.holders) or st("alert.nobody", lang))),
    ]
    if item.kecamatan:
        lines.append(esc(st("alert.place", lang, kecamatan=item.kecamatan)))
    if item.due is not None:
        lines.append(esc(st("alert.due", lang, due=long_time(item.due, office.tz, lang))))
        lines.append(esc(_lateness(office, item.due, now, level, lang)))
    buttons: list[tuple[str, str, int | None, str | None]]
    if claim.recipients.get(person.id or 0):
        lines.append(esc(st("alert.holder_hint", lang)))
        buttons = [(st("button.open", lang, number=item.number), "open_task", item.task_id, None)]
    else:
        buttons = [(st("button.nudge", lang), NUDGE, item.task_id, None)]
        if takeover_allowed(item.step) and claim.task.assignee_id != person.id:
            buttons.append((st("button.takeover", lang), TAKEOVER, item.task_id, None))
        if roster.reassign_candidates(claim.task):
            buttons.append((st("button.reassign", lang), REASSIGN, item.task_id, None))
    choices: tuple[Choice, ...] = mailer.choices(person, buttons)
    return OutgoingMessage(text="\n".join(lines), choices=choices)


def _lateness(office: Office, due: datetime, now: datetime, level: int, lang: str) -> str:
    calendar = office.calendar
    if level == 0 and now < due:
        left = calendar.working_between(now, due)
        if left < timedelta(minutes=1):
            return st("alert.left_none", lang)
        return st("alert.left", lang, span=working_span(left, lang))
    late = calendar.working_between(due, now)
    if late < timedelta(minutes=1):
        return st("alert.late_just", lang, level=level)
    return st("alert.late", lang, span=working_span(late, lang), level=level)


def _event(
    office: Office, roster: Roster, claim: _Claim, folded: set[int], now: datetime
) -> tuple[dict[str, Any], Fired]:
    """The audit event of a claimed rung, and its line in the report."""
    item, level = claim.item, claim.rung.level
    assert item.due is not None
    if now >= item.due:
        late = int(office.calendar.working_between(item.due, now).total_seconds() // 60)
    else:
        late = -int(office.calendar.working_between(now, item.due).total_seconds() // 60)
    names = tuple(roster.people[i].name for i in claim.recipients)
    in_digest = tuple(roster.people[i].name for i in claim.recipients if i in folded)
    event: dict[str, Any] = {
        "at": now,
        "kind": "escalation",
        "actor": SYSTEM_ACTOR,
        "case_id": item.case_id,
        "ba_id": item.ba_id,
        "task_id": item.task_id,
        "from_step": item.step.key,
        "to_step": item.step.key,
        "data": {
            "level": level,
            "skipped": list(claim.skipped),
            "late_minutes": late,
            "holders": list(claim.holders),
            "recipients": list(names),
            "recipient_ids": list(claim.recipients),
            "digest": list(in_digest),
        },
    }
    fired = Fired(
        task_id=item.task_id,
        number=item.number,
        step=item.step.key,
        sop_no=item.step.sop_no,
        level=level,
        skipped=claim.skipped,
        late_minutes=late,
        recipients=names,
        in_digest=in_digest,
    )
    return event, fired


HANDLERS: dict[type[Command[Any]], Handler] = {AnyDue: any_due, EscalateBatch: escalate_batch}
PROCESSES: dict[type[Process[Any]], ProcessHandler] = {EscalationPass: escalation_pass}

"""Digests: one card instead of a storm of alerts, and the morning list of pending work.

* Storm digest: a person who would get more than ``digest_threshold`` escalation
  alerts in one scan gets one card: counts per step and per kecamatan, the oldest
  items first, buttons for the top five (each brings the task's card back through the
  existing ``open_task`` button).
* Morning digest (07:45 WIB on working days): each present staff member's pending
  tasks, the same shape. Runs once per office day across processes: the (job, day)
  claim is written in the same transaction as the cards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from staffbot.app.bus import Command, Handler
from staffbot.app.commands.sla import MorningDigest
from staffbot.cards import step_title
from staffbot.messages import Choice, OutgoingMessage
from staffbot.richtext import b, esc
from staffbot.services import notify
from staffbot.services.context import Office
from staffbot.services.sla_support import (
    Item,
    Mailer,
    Roster,
    item_state,
    items_of,
    oldest_first,
)
from staffbot.texts.sla import st
from storage.repos.escalation import EscalationRepository
from storage.tables import Staff
from storage.uow import UnitOfWork

#: Items with a button on a digest card.
TOP_ITEMS = 5
MORNING_JOB = "morning_digest"


def summary_lines(items: Sequence[Item], office: Office, *, now: datetime, lang: str) -> list[str]:
    """Counts per step and per kecamatan, then the oldest items (numbered)."""
    lines = [b(st("digest.per_step", lang))]
    per_step = Counter(i.step.key for i in items)
    steps = sorted({i.step.key: i.step for i in items}.values(), key=lambda s: s.sop_no)
    for step in steps:
        label = f"{step.sop_no}. {step_title(step, lang)}"
        lines.append(esc(st("digest.line", lang, label=label, count=per_step[step.key])))
    lines.append(b(st("digest.per_kecamatan", lang)))
    per_place = Counter(i.kecamatan or "-" for i in items)
    for place, count in sorted(per_place.items(), key=lambda pc: (-pc[1], pc[0])):
        lines.append(esc(st("digest.line", lang, label=place, count=count)))
    lines.append(b(st("digest.oldest", lang)))
    for n, item in enumerate(oldest_first(items)[:TOP_ITEMS], start=1):
        state = item_state(item, office.calendar, now, lang)
        lines.append(
            esc(
                st(
                    "digest.item",
                    lang,
                    i=n,
                    number=item.number,
                    sop_no=item.step.sop_no,
                    kecamatan=item.kecamatan or "-",
                    state=state,
                )
            )
        )
    return lines


def open_buttons(
    mailer: Mailer, staff: Staff, items: Sequence[Item], lang: str
) -> tuple[Choice, ...]:
    top = oldest_first(items)[:TOP_ITEMS]
    return mailer.choices(
        staff,
        [(st("button.open", lang, number=i.number), "open_task", i.task_id, None) for i in top],
    )


def storm_digest(
    mailer: Mailer,
    office: Office,
    staff: Staff,
    entries: Sequence[tuple[Item, int]],
    *,
    now: datetime,
) -> OutgoingMessage:
    """The one card for a person with many alerts in one scan: (item, level) pairs."""
    lang = notify.staff_language(office, staff)
    items = [item for item, _ in entries]
    late = sum(1 for _, level in entries if level >= 1)
    lines = [
        b(st("digest.title", lang, count=len(entries))),
        esc(st("digest.counts", lang, late=late, soon=len(entries) - late)),
        *summary_lines(items, office, now=now, lang=lang),
    ]
    return OutgoingMessage(text="\n".join(lines), choices=open_buttons(mailer, staff, items, lang))


async def morning_digest(cmd: MorningDigest, uow: UnitOfWork, office: Office) -> int:
    """The (job, day) claim is written in the same transaction as the cards."""
    now = cmd.now
    day = now.astimezone(office.tz).date()
    if not office.calendar.is_working_day(day):
        return 0
    repo = EscalationRepository(uow.session)
    if not await repo.claim_day(MORNING_JOB, day, at=now, owner=cmd.owner):
        return 0
    roster = await Roster.load(uow)
    mailer = Mailer(uow, office, now)
    for staff_id, person in sorted(roster.people.items()):
        if not person.active or person.on_leave:
            continue
        roles, ids = roster.covered_by(person)
        tasks = await repo.open_tasks_for(roles, ids)
        items = await items_of(uow, office, tasks)
        if not items:
            continue
        lang = notify.staff_language(office, person)
        late = sum(1 for i in items if i.due is not None and not i.paused and i.due <= now)
        lines = [
            b(st("morning.title", lang, name=person.name)),
            esc(st("morning.count", lang, count=len(items), late=late)),
            *summary_lines(items, office, now=now, lang=lang),
        ]
        mailer.card(
            person,
            OutgoingMessage(
                text="\n".join(lines), choices=open_buttons(mailer, person, items, lang)
            ),
            key=f"morning:{day.isoformat()}:{staff_id}",
        )
    sent = await mailer.flush()
    await repo.set_sent(MORNING_JOB, day, sent)
    return sent


HANDLERS: dict[type[Command[Any]], Handler] = {MorningDigest: morning_digest}

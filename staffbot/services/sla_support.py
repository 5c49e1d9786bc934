"""What the escalation scan, the digests and the rekap share: the roster as the ladder
sees it, tasks as the cards list them, and a mailer that queues many cards at once."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flows.calendar import WorkingCalendar
from flows.model import Step
from staffbot.messages import Choice, OutgoingMessage
from staffbot.services import notify
from staffbot.services.context import Office
from staffbot.services.locate import of_tasks
from staffbot.texts.sla import st, working_span
from storage.repos.escalation import EscalationRepository
from storage.tables import OUTBOX_PENDING, ButtonToken, Staff, Task
from storage.uow import UnitOfWork

#: The audit trail's actor for what the scheduler does on its own.
SYSTEM_ACTOR = "Sistem (SLA)"


def owner_name() -> str:
    """host:pid, recorded with a once-a-day claim so an operator sees who ran it."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Roster:
    """All staff and their roles, loaded once per transaction.

    ``task_holders`` follows :func:`staffbot.services.notify.task_recipients` (the
    assignee or the role's holders, people on leave replaced by their delegates), in
    memory, so a scan over a thousand tasks costs two queries, not thousands.
    """

    people: dict[int, Staff]
    roles: dict[int, frozenset[str]]

    @classmethod
    async def load(cls, uow: UnitOfWork) -> Roster:
        people = {s.id: s for s in await uow.staff.all() if s.id is not None}
        return cls(people, await uow.staff.roles_for(people))

    def get(self, staff_id: int | None) -> Staff | None:
        return self.people.get(staff_id) if staff_id is not None else None

    def present(self, staff: Staff) -> Staff:
        if staff.on_leave and staff.delegate_id is not None:
            delegate = self.people.get(staff.delegate_id)
            if delegate is not None and delegate.active and not delegate.on_leave:
                return delegate
        return staff

    def role_holders(self, role: str) -> list[Staff]:
        """Active holders of ``role``, on leave or not, by id."""
        return [
            s
            for staff_id, s in sorted(self.people.items())
            if s.active and role in self.roles.get(staff_id, frozenset())
        ]

    def role_people(self, role: str) -> list[Staff]:
        """Who receives an unclaimed task of ``role``."""
        holders = self.role_holders(role)
        chosen: dict[int, Staff] = {}
        for holder in holders:
            person = self.present(holder)
            if not person.on_leave and person.id is not None:
                chosen.setdefault(person.id, person)
        return list(chosen.values()) if chosen else holders

    def task_holders(self, task: Task) -> list[Staff]:
        assignee = self.get(task.assignee_id)
        if assignee is not None:
            return [self.present(assignee)]
        return self.role_people(task.role)

    def supervisors(self, people: Sequence[Staff]) -> list[Staff]:
        """The (present) supervisors of ``people``, none of ``people`` themselves."""
        own = {p.id for p in people}
        found: dict[int, Staff] = {}
        for person in people:
            boss = self.get(person.supervisor_id)
            if boss is None or not boss.active:
                continue
            boss = self.present(boss)
            if boss.id is None or boss.id in own:
                continue
            found.setdefault(boss.id, boss)
        return list(found.values())

    def reassign_candidates(self, task: Task) -> list[Staff]:
        """Holders of the task's role it could be handed to ("Alihkan"): present ones
        other than the assignee; none for an unclaimed task of a role held by one."""
        people = [
            s for s in self.role_holders(task.role) if not s.on_leave and s.id != task.assignee_id
        ]
        if task.assignee_id is None and len(people) < 2:
            return []
        return people

    def covered_by(self, person: Staff) -> tuple[frozenset[str], list[int]]:
        """Roles ``person`` works in (own and of absent colleagues naming them delegate),
        and the ids whose assigned tasks are theirs."""
        assert person.id is not None
        roles = set(self.roles.get(person.id, frozenset()))
        ids = [person.id]
        for other_id, other in self.people.items():
            if other.on_leave and other.active and other.delegate_id == person.id:
                roles |= self.roles.get(other_id, frozenset())
                ids.append(other_id)
        return frozenset(roles), ids


@dataclass(frozen=True)
class Item:
    """A task as the SLA cards show it."""

    task_id: int
    number: str
    is_ba: bool
    step: Step
    kecamatan: str
    layanan: str
    case_id: int | None
    ba_id: int | None
    due: datetime | None
    paused: bool

    def what(self, lang: str) -> str:
        return st("what.ba" if self.is_ba else "what.case", lang)


async def items_of(uow: UnitOfWork, office: Office, tasks: Iterable[Task]) -> list[Item]:
    """``tasks`` as the cards list them (their cases read in one query); tasks of steps
    the flow no longer has are left out."""
    wanted = [t for t in tasks if office.flow.has_step(t.step)]
    found = await of_tasks(uow, wanted)
    out: list[Item] = []
    for task in wanted:
        assert task.id is not None
        item = found[task.id]  # cases and Berita Acara are never deleted (only purged)
        out.append(
            Item(
                task_id=task.id,
                number=item.number,
                is_ba=item.is_batch,
                step=office.flow.step(task.step),
                kecamatan=item.row.kecamatan,
                layanan=item.layanan,
                case_id=task.case_id,
                ba_id=task.ba_id,
                due=task.due_at,
                paused=task.paused_at is not None,
            )
        )
    return out


def item_state(item: Item, calendar: WorkingCalendar, now: datetime, lang: str) -> str:
    """'terlambat 2 jam kerja', 'sisa 45 menit kerja', 'menunggu pemohon'."""
    if item.paused:
        return st("state.paused", lang)
    if item.due is None:
        return st("state.none", lang)
    if item.due <= now:
        return st(
            "state.late", lang, span=working_span(calendar.working_between(item.due, now), lang)
        )
    return st("state.left", lang, span=working_span(calendar.working_between(now, item.due), lang))


_NEVER = datetime.max.replace(tzinfo=UTC)


def oldest_first(items: Iterable[Item]) -> list[Item]:
    return sorted(items, key=lambda i: (i.due is None, i.due or _NEVER, i.task_id))


@dataclass
class Mailer:
    """Collects the button tokens and outbox rows of one transaction and writes them in
    bulk; a row whose idempotency key exists already is skipped, not an error."""

    uow: UnitOfWork
    office: Office
    now: datetime
    tokens: list[ButtonToken] = field(default_factory=list)
    rows: list[dict[str, object]] = field(default_factory=list)

    def choices(
        self, staff: Staff, buttons: Sequence[tuple[str, str, int | None, str | None]]
    ) -> tuple[Choice, ...]:
        """(label, action, task_id, target) -> buttons bound to ``staff``."""
        assert staff.id is not None
        out = []
        for label, action, task_id, target in buttons:
            token = ButtonToken(
                token=notify.new_token(),
                staff_id=staff.id,
                action=action,
                task_id=task_id,
                target=target,
                created_at=self.now,
            )
            self.tokens.append(token)
            out.append(Choice(label, token.token))
        return tuple(out)

    def card(
        self,
        staff: Staff,
        message: OutgoingMessage,
        *,
        key: str,
        kind: str = "card",
        task_id: int | None = None,
        case_id: int | None = None,
        ba_id: int | None = None,
        extra: dict[str, object] | None = None,
    ) -> None:
        address = notify.address_of(staff)
        self.rows.append(
            {
                "created_at": self.now,
                "channel": address.channel,
                "chat_id": address.chat_id,
                "staff_id": staff.id,
                "kind": kind,
                "payload": {**message.to_payload(), **(extra or {})},
                "idempotency_key": key,
                "status": OUTBOX_PENDING,
                "attempts": 0,
                "next_attempt_at": self.now,
                "case_id": case_id,
                "task_id": task_id,
                "ba_id": ba_id,
            }
        )

    async def flush(self) -> int:
        """Write everything collected; the number of outbox rows actually queued."""
        if self.tokens:
            await self.uow.outbox.add_tokens(self.tokens)
        queued = await EscalationRepository(self.uow.session).insert_outbox(self.rows)
        if queued:
            self.uow.wrote_outbox = True
        self.tokens, self.rows = [], []
        return queued

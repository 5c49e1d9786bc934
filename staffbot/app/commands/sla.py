"""The SLA's clockwork and its buttons: the escalation pass, the morning digest, the daily
rekap, and what an alert card's buttons do (remind, take over, reassign)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from staffbot.app.command import Command, Process, Query
from staffbot.app.commands.cases import Who

#: More alerts than this for one person in one pass become one digest card.
DIGEST_THRESHOLD = 3
#: Tasks claimed per transaction. A backlog larger than this is worked off in several
#: transactions (and so may give a person one digest per transaction).
BATCH = 2000
#: Who gets the daily rekap.
REKAP_ROLE = "kepala_bidang"
#: Actions of the alert card's buttons (routed by staffbot.chat.alerts).
NUDGE, TAKEOVER, REASSIGN, REASSIGN_TO = (
    "alert_nudge",
    "alert_takeover",
    "alert_reassign",
    "alert_reassign_to",
)


@dataclass(frozen=True)
class Fired:
    """One claimed rung of one task."""

    task_id: int
    number: str
    step: str
    sop_no: int
    level: int
    #: Lower rungs that were due too and went out as this one.
    skipped: tuple[int, ...]
    #: Working minutes past due (negative: still before due, a level-0 reminder).
    late_minutes: int
    recipients: tuple[str, ...]
    #: Of ``recipients``, those who got it inside a digest card.
    in_digest: tuple[str, ...]


@dataclass(frozen=True)
class EscalationReport:
    now: datetime
    fired: tuple[Fired, ...] = ()
    #: name -> number of alerts folded into that person's digest card
    digests: Mapping[str, int] = field(default_factory=dict)
    cards: int = 0
    #: Due rungs that were not due any more on the current calendar: moved, not fired.
    rescheduled: int = 0
    #: Claims another scan won between our read and our compare-and-set.
    lost: int = 0


@dataclass(frozen=True)
class EscalationPass(Process[EscalationReport]):
    """Fire every rung due at ``now`` (aware), a batch of tasks per transaction; safe
    to run in several processes at once."""

    now: datetime
    digest_threshold: int = DIGEST_THRESHOLD
    batch: int = BATCH


@dataclass(frozen=True)
class AnyDue(Query[bool]):
    """The cheap read before a pass: is any rung due at ``now``?"""

    now: datetime


@dataclass(frozen=True)
class EscalationBatch:
    #: Tasks selected (a full batch means there may be more).
    selected: int
    report: EscalationReport


@dataclass(frozen=True)
class EscalateBatch(Command[EscalationBatch]):
    """Claim and fire up to ``batch`` due tasks, in one transaction."""

    now: datetime
    digest_threshold: int = DIGEST_THRESHOLD
    batch: int = BATCH


@dataclass(frozen=True)
class TaskDigests(Command[int]):
    """The task digests of the people who chose them (``staff.cards == "digest"``): while
    the office is open, each one's digest is updated in place where the chat can edit,
    else posted again at most every ``every``. The result is the messages queued."""

    now: datetime
    every: timedelta


@dataclass(frozen=True)
class MorningDigest(Command[int]):
    """Each present staff member's pending tasks, once per office day across processes;
    the result is the cards queued (0 on a day off or when another process ran it)."""

    now: datetime
    #: host:pid of the process, recorded with the day's claim.
    owner: str


@dataclass(frozen=True)
class DailyRekap(Command[int]):
    """Today's rekap to every holder of ``role``, once per office day across processes;
    the result is the cards queued."""

    now: datetime
    owner: str
    role: str = REKAP_ROLE


@dataclass(frozen=True)
class AlertOutcome:
    """What an alert button did, for its toast."""

    text: str
    changed: bool


@dataclass(frozen=True)
class Nudge(Command[AlertOutcome]):
    """Ingatkan: a reminder to the task's holders; ``key`` (the pressed button) makes it
    once only."""

    who: Who
    task_id: int
    key: str


@dataclass(frozen=True)
class Takeover(Command[AlertOutcome]):
    """Ambil alih: the presser (a supervisor) becomes the task's assignee."""

    who: Who
    task_id: int


@dataclass(frozen=True)
class Reassign(Command[AlertOutcome]):
    """Alihkan: hand the task to ``to_id`` (a present holder of the role)."""

    who: Who
    task_id: int
    to_id: int


@dataclass(frozen=True)
class ReassignOptions:
    number: str
    sop_no: int
    #: (staff id, name) of the people the task could go to.
    people: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class ReassignChoices(Query[ReassignOptions]):
    """Who an "Alihkan" button may hand the task to."""

    task_id: int

"""`case purge`: the personal data of cases closed longer ago than the retention period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from staffbot.app.command import Command, Process, Query

#: Cases per transaction: each batch is one commit, a crash loses no more than a batch.
BATCH = 200


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    dry_run: bool
    cases: tuple[str, ...] = ()
    files: int = 0
    outbox_rows: int = 0
    conversations: int = 0


@dataclass(frozen=True)
class PurgeClosedCases(Process[PurgeReport]):
    """Purge every closed case whose closing is older than ``retention_days``, a batch
    per transaction; ``dry_run`` only lists them."""

    retention_days: int
    by: str = "admin"
    dry_run: bool = False
    batch: int = BATCH


@dataclass(frozen=True)
class PurgedBatch:
    cases: tuple[str, ...]
    files: int
    outbox_rows: int
    conversations: int


@dataclass(frozen=True)
class PurgeBatch(Command[PurgedBatch]):
    """Up to ``batch`` of the purgeable cases, in one transaction."""

    cutoff: datetime
    at: datetime
    by: str
    batch: int = BATCH


@dataclass(frozen=True)
class PurgeableCases(Query[list[str]]):
    """The numbers of the cases closed before ``cutoff`` whose data is still kept."""

    cutoff: datetime

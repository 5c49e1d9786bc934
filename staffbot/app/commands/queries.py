"""The read side of the cases: one case, my tasks, finding a case, listing cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from staffbot.app.command import Query
from staffbot.app.commands.cases import Who


@dataclass(frozen=True)
class ShowCase(Query[dict[str, Any]]):
    """Everything about one case, JSON-ready (`case show --json`); ``reveal`` shows the
    NIK and phone number unmasked."""

    ref: str
    reveal: bool = False


@dataclass(frozen=True)
class TaskSummary:
    task_id: int
    number: str
    step: str
    sop_no: int
    title: str
    role: str
    due_at: str | None
    paused: bool
    kecamatan: str
    layanan: str


@dataclass(frozen=True)
class MyTasks(Query[list[TaskSummary]]):
    """Open tasks this staff member may act on now (own roles and stand-ins)."""

    who: Who


@dataclass(frozen=True)
class CaseHit:
    """A found case; the NIK is for the surface to mask."""

    number: str
    applicant_name: str
    nik: str
    kecamatan: str
    step: str
    sop_no: int
    status: str
    #: The open task of the case (or of its Berita Acara), if any.
    open_task_id: int | None


@dataclass(frozen=True)
class SearchCases(Query[list[CaseHit]]):
    """By case number, by NIK (16 digits) or by the applicant's phone number."""

    text: str


@dataclass(frozen=True)
class CaseLine:
    number: str
    status: str
    step: str
    sop_no: int
    kecamatan: str
    layanan: str
    registration_no: str | None
    created_at: datetime


@dataclass(frozen=True)
class ListCases(Query[list[CaseLine]]):
    status: str | None = None
    overdue: bool = False
    limit: int = 200

"""The read side of the cases: one case, my tasks, finding a case, listing cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from staffbot.app.command import Query
from staffbot.app.commands.cases import Who
from staffbot.app.commands.deliveries import DeliveryLine


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


@dataclass(frozen=True)
class CaseFile:
    """A document of a case that the asking person may open."""

    document_id: int
    kind: str
    filename: str
    mime_type: str


@dataclass(frozen=True)
class CaseGlance:
    """A case (or Berita Acara) as staff the access policy allows may look at it: NIK and
    phone masked, its documents, and the open task when it is this person's to act on."""

    number: str
    is_batch: bool
    status: str
    sop_no: int
    step_title: str
    kecamatan: str
    layanan: str
    applicant_name: str | None
    nik: str | None
    phone: str | None
    registration_no: str | None
    files: tuple[CaseFile, ...]
    my_task_id: int | None
    #: What was sent to the applicant and how far it got, oldest first.
    deliveries: tuple[DeliveryLine, ...] = ()


@dataclass(frozen=True)
class LookAtCase(Query[CaseGlance | None]):
    """One case for one staff member; None when the access policy does not let them see it
    (docs/SECURITY.md, "Who sees a case")."""

    who: Who
    ref: str


def files_command(number: str) -> str:
    """The chat command a 📎 button carries (a press does what typing it does)."""
    return f"berkas {number}"

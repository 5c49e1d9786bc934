"""The office at a glance (GET /kantor): open cases per step, overdue tasks, kecamatan counts."""

from __future__ import annotations

from dataclasses import dataclass

from staffbot.app.command import Query


@dataclass(frozen=True)
class StepCount:
    sop_no: int
    title: str
    role: str
    open: int


@dataclass(frozen=True)
class OverdueTask:
    number: str
    sop_no: int
    title: str
    role: str
    due: str
    assignee: str | None
    escalation_level: int


@dataclass(frozen=True)
class KecamatanCount:
    kecamatan: str
    open: int
    closed: int


@dataclass(frozen=True)
class OfficeView:
    open_total: int
    per_step: list[StepCount]
    overdue: list[OverdueTask]
    overdue_total: int
    per_kecamatan: list[KecamatanCount]
    at: str


@dataclass(frozen=True)
class OfficeGlance(Query[OfficeView]):
    """The office's state now, in the office's language."""

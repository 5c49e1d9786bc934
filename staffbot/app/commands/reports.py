"""Reports as PDFs: step 12's counts per kecamatan, the Mutu Baku report, the SOP chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from staffbot.app.command import Command
from staffbot.documents.report_model import RekapCount

ReportKind = Literal["rekap", "mutu_baku", "sop"]


@dataclass(frozen=True)
class Period:
    """Office days from ``start`` to ``end``, both included."""

    start: date
    end: date


@dataclass(frozen=True)
class ReportFile:
    document_id: int
    pdf: bytes
    filename: str
    #: The period reported on (None for the SOP chart).
    period: Period | None
    #: The rekap's counts per kecamatan and layanan (empty for the other kinds).
    counts: tuple[RekapCount, ...] = ()


@dataclass(frozen=True)
class MakeReport(Command[ReportFile]):
    """Render and store one report; without a ``period``, this month so far."""

    kind: ReportKind
    period: Period | None = None
    #: Staff id of who asked for it (they may open the stored document later).
    created_by: int | None = None

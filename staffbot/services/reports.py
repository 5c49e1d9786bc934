"""Reports: step 12's counts per kecamatan, the Mutu Baku report, the SOP chart.

Figures come from the task rows (one per step run) on the working-day calendar;
the documents package only draws them.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections import Counter, defaultdict
from datetime import datetime, time, timedelta
from typing import Any

from flows.model import Step
from staffbot.app.bus import Command, Handler
from staffbot.app.commands.reports import MakeReport, Period, ReportFile
from staffbot.documents.report_model import (
    MutuBakuInput,
    MutuBakuRow,
    RekapCount,
    RekapInput,
    SopChartInput,
    SopIdentity,
    SopRow,
)
from staffbot.services.context import Office
from staffbot.services.documents import new_verify_code, render, store_rendered, verify_url
from staffbot.services.numbering import take_number
from staffbot.services.officials import kepala_dinas
from storage.tables import Task
from storage.uow import UnitOfWork

#: The step whose completion counts a file for the report (SOP 12: sorted and counted).
COUNT_STEP_ACTION = ("pilah", "done")


def bounds(office: Office, period: Period) -> tuple[datetime, datetime]:
    tz = office.tz
    return (
        datetime.combine(period.start, time.min, tzinfo=tz),
        datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=tz),
    )


async def _done_tasks(uow: UnitOfWork, office: Office, period: Period) -> list[Task]:
    low, high = bounds(office, period)
    return list(await uow.reports.tasks_done_between(low, high))


async def rekap_counts(uow: UnitOfWork, office: Office, period: Period) -> list[RekapCount]:
    """Files sorted at step 12 in the period, per kecamatan and layanan."""
    step, action = COUNT_STEP_ACTION
    low, high = bounds(office, period)
    counter: Counter[tuple[str, str]] = Counter(
        (k, lay) for k, lay in await uow.reports.places_done_between(step, action, low, high)
    )
    return [
        RekapCount(kecamatan=k, layanan=lay, count=n) for (k, lay), n in sorted(counter.items())
    ]


async def mutu_baku_rows(
    uow: UnitOfWork, office: Office, period: Period
) -> tuple[list[MutuBakuRow], list[MutuBakuRow]]:
    """Per step and per role: count, share finished within Waktu, median and worst time."""
    flow, calendar = office.flow, office.calendar
    by_step: dict[str, list[tuple[timedelta, bool]]] = defaultdict(list)
    by_role: dict[str, list[tuple[timedelta, bool]]] = defaultdict(list)
    for task in await _done_tasks(uow, office, period):
        if task.done_at is None or task.step == flow.start:
            continue
        took = calendar.working_between(task.created_at, task.done_at)
        within = task.due_at is None or task.done_at <= task.due_at
        by_step[task.step].append((took, within))
        by_role[task.role].append((took, within))
    steps = []
    for step in flow.steps:
        if step.key == flow.start:
            continue
        steps.append(
            _row(
                by_step.get(step.key, []),
                label=step.title,
                no=str(step.sop_no),
                role=flow.role(step.role).label,
                waktu=str(flow.sla_of(step)),
            )
        )
    roles = []
    seen = []
    for step in flow.steps:
        if step.role not in seen and step.key != flow.start:
            seen.append(step.role)
            roles.append(
                _row(by_role.get(step.role, []), label=flow.role(step.role).label, waktu="")
            )
    return steps, roles


def _row(
    samples: list[tuple[timedelta, bool]], *, label: str, no: str = "", role: str = "", waktu: str
) -> MutuBakuRow:
    if not samples:
        return MutuBakuRow(
            label=label,
            count=0,
            within_share=None,
            median=None,
            worst=None,
            no=no,
            role=role,
            waktu=waktu,
        )
    times = sorted(s for s, _ in samples)
    seconds = statistics.median(t.total_seconds() for t in times)
    return MutuBakuRow(
        label=label,
        count=len(samples),
        within_share=sum(w for _, w in samples) / len(samples),
        median=timedelta(seconds=seconds),
        worst=times[-1],
        no=no,
        role=role,
        waktu=waktu,
    )


def sop_rows(office: Office) -> SopChartInput:
    flow = office.flow
    return SopChartInput(
        title=flow.title.upper(),
        roles=[role.label for role in flow.roles],
        rows=[
            SopRow(
                no=str(s.sop_no),
                uraian=s.title,
                role=flow.role(s.role).label,
                kelengkapan=s.mutu_baku.kelengkapan,
                waktu=s.mutu_baku.waktu,
                output=s.mutu_baku.output,
                ket=s.mutu_baku.keterangan,
                decision=_back_to(office, s) is not None,
                back_to=_back_to(office, s) or "",
            )
            for s in flow.steps
        ],
        identity=SopIdentity(**dataclasses.asdict(flow.identity)),
    )


def _back_to(office: Office, step: Step) -> str | None:
    """The SOP number a rejection sends the case back to: the step decides (a diamond
    in the chart); None for a step without a rejection."""
    for action in step.actions:
        if action.is_back and action.to is not None:
            return str(office.flow.step(action.to).sop_no)
    return None


async def make_report(cmd: MakeReport, uow: UnitOfWork, office: Office) -> ReportFile:
    """Render and store one report."""
    code = new_verify_code()
    url = verify_url(office, code)
    period = cmd.period or month_so_far(office)
    counts: list[RekapCount] = []
    meta: dict[str, Any] = {}
    if cmd.kind == "rekap":
        counts = await rekap_counts(uow, office, period)
        # numbered (and signed by the Kepala Dinas) so it can go to the Bupati
        number = (await take_number(uow, office, "rekap", office.now())).number
        meta["number"] = number
        rendered = await render(
            office,
            "rekap_kecamatan",
            RekapInput(
                date_from=period.start,
                date_to=period.end,
                kecamatan=office.reference.kecamatan_in_order(),
                layanan=office.reference.layanan,
                counts=counts,
                verification_url=url,
                kecamatan_codes=office.reference.kecamatan_codes,
                number=number,
                made_on=office.local(office.now()).date(),
                signatory=await kepala_dinas(uow, office),
            ),
        )
        name = f"rekap-kecamatan-{period.start:%Y%m%d}-{period.end:%Y%m%d}.pdf"
    elif cmd.kind == "mutu_baku":
        steps, roles = await mutu_baku_rows(uow, office, period)
        rendered = await render(
            office,
            "mutu_baku",
            MutuBakuInput(
                date_from=period.start,
                date_to=period.end,
                by_step=steps,
                by_role=roles,
                verification_url=url,
            ),
        )
        name = f"mutu-baku-{period.start:%Y%m%d}-{period.end:%Y%m%d}.pdf"
    else:
        chart = dataclasses.replace(sop_rows(office), verification_url=url)
        rendered = await render(office, "sop_chart", chart)
        name = "sop-pengaduan-online.pdf"
    document = await store_rendered(
        uow,
        office,
        rendered,
        kind=cmd.kind,
        code=code,
        filename=name,
        created_by=cmd.created_by,
        meta=meta,
    )
    assert document.id is not None
    reported = period if cmd.kind != "sop" else None
    return ReportFile(document.id, rendered.pdf, name, reported, tuple(counts))


def month_so_far(office: Office) -> Period:
    today = office.local(office.now()).date()
    return Period(today.replace(day=1), today)


HANDLERS: dict[type[Command[Any]], Handler] = {MakeReport: make_report}

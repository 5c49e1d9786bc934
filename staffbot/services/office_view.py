"""The office at a glance (GET /kantor): open cases per step, overdue tasks, kecamatan counts."""

from __future__ import annotations

from typing import Any

from staffbot.app.bus import Command, Handler
from staffbot.app.commands.office import (
    KecamatanCount,
    OfficeGlance,
    OfficeView,
    OverdueTask,
    StepCount,
)
from staffbot.services.context import Office
from staffbot.services.locate import of_tasks
from staffbot.timefmt import short_time
from storage.repos.web import WebRepository
from storage.tables import CASE_CLOSED, CASE_OPEN
from storage.uow import UnitOfWork

#: Overdue tasks listed at most (the total counts up to the repository's limit).
OVERDUE_SHOWN = 100


async def office_view(cmd: OfficeGlance, uow: UnitOfWork, office: Office) -> OfficeView:
    flow = office.flow
    now = office.now()
    repo = WebRepository(uow.session)
    lang = office.language

    per_step_raw = await repo.open_cases_per_step()
    per_step = [
        StepCount(
            sop_no=step.sop_no,
            title=step.title_en if lang == "en" and step.title_en else step.title,
            role=_role_label(office, step.role),
            open=per_step_raw.get(step.key, 0),
        )
        for step in flow.steps
        if per_step_raw.get(step.key, 0)
    ]

    late = list(await uow.tasks.overdue(now))
    overdue_total = len(late)
    names = {s.id: s.name for s in await uow.staff.all()}
    overdue: list[OverdueTask] = []
    shown = late[:OVERDUE_SHOWN]
    items = await of_tasks(uow, shown)
    for task in shown:
        step = flow.step(task.step)
        item = items.get(task.id or 0)
        overdue.append(
            OverdueTask(
                number=item.number if item is not None else "?",
                sop_no=step.sop_no,
                title=step.title_en if lang == "en" and step.title_en else step.title,
                role=_role_label(office, task.role),
                due=short_time(task.due_at, office.tz, now, lang) if task.due_at else "-",
                assignee=names.get(task.assignee_id) if task.assignee_id else None,
                escalation_level=task.escalation_level,
            )
        )

    counts: dict[str, dict[str, int]] = {}
    for kecamatan, status, n in await repo.cases_per_kecamatan():
        counts.setdefault(kecamatan, {})[status] = n
    order = {k: i for i, k in enumerate(office.reference.kecamatan)}
    per_kecamatan = [
        KecamatanCount(kecamatan=k, open=v.get(CASE_OPEN, 0), closed=v.get(CASE_CLOSED, 0))
        for k, v in sorted(counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    ]
    return OfficeView(
        open_total=sum(per_step_raw.values()),
        per_step=per_step,
        overdue=overdue,
        overdue_total=overdue_total,
        per_kecamatan=per_kecamatan,
        at=short_time(now, office.tz, now, lang),
    )


def _role_label(office: Office, key: str) -> str:
    try:
        role = office.flow.role(key)
    except KeyError:
        return key
    return role.label_en if office.language == "en" and role.label_en else role.label


HANDLERS: dict[type[Command[Any]], Handler] = {OfficeGlance: office_view}

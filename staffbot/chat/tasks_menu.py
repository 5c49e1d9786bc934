"""/tugas: the staff member's open tasks, each with a button that brings its card back."""

from __future__ import annotations

import secrets
from datetime import datetime

from staffbot.app.commands.cases import Who
from staffbot.app.commands.queries import MyTasks
from staffbot.channels.base import Answer
from staffbot.chat.context import Turn
from staffbot.errors import ValidationError
from staffbot.messages import OutgoingMessage
from staffbot.richtext import b, esc
from staffbot.services.queries import my_tasks
from staffbot.services.tasks import push_task_card
from staffbot.services.transitions import already_done
from staffbot.texts import t
from staffbot.timefmt import short_time

SHOWN = 10


async def list_tasks(turn: Turn) -> None:
    assert turn.staff is not None
    lang = turn.lang
    tasks = await my_tasks(MyTasks(Who(staff_id=turn.staff.id)), turn.uow, turn.office)
    if not tasks:
        await turn.reply(OutgoingMessage(text=esc(t("chat.no_tasks", lang))))
        return
    now = turn.office.now()
    lines = [b(t("chat.tasks_title", lang, count=len(tasks)))]
    items: list[tuple[str, str, str | None, int | None]] = []
    for i, task in enumerate(tasks[:SHOWN], start=1):
        due = (
            "⏸"
            if task.paused
            else short_time(datetime.fromisoformat(task.due_at), turn.office.tz, now, lang)
            if task.due_at
            else "-"
        )
        lines.append(
            esc(
                t(
                    "chat.task_line",
                    lang,
                    i=i,
                    number=task.number,
                    sop_no=task.sop_no,
                    kecamatan=task.kecamatan,
                    due=due,
                )
            )
        )
        items.append((t("chat.open", lang, number=task.number), "open_task", None, task.task_id))
    to_sign = await signable(turn)
    if len(to_sign) > 1:
        items.insert(0, (t("chat.sign_all", lang, count=len(to_sign)), "sign_all", None, None))
    await turn.reply(OutgoingMessage(text="\n".join(lines), choices=await turn.choices(items)))


async def signable(turn: Turn) -> list[int]:
    """This staff member's open tasks whose step is signed with the PIN."""
    assert turn.staff is not None
    flow = turn.office.flow
    tasks = await my_tasks(MyTasks(Who(staff_id=turn.staff.id)), turn.uow, turn.office)
    return [
        task.task_id for task in tasks if any(a.requires_pin for a in flow.step(task.step).actions)
    ]


async def reopen(turn: Turn, task_id: int) -> Answer:
    """Send the task's card again to this person, with fresh buttons."""
    assert turn.staff is not None
    task = await turn.uow.tasks.get(task_id)
    if task is None:
        raise ValidationError(field="case", problem="unknown", value=str(task_id))
    if not task.is_open:
        raise await already_done(turn.uow, turn.office, task)
    await push_task_card(
        turn.uow, turn.office, task, turn.staff, key_suffix=f":again:{secrets.token_hex(4)}"
    )
    return Answer()

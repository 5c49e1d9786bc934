"""/tugas: the staff member's open tasks, each with a button that brings its card back."""

from __future__ import annotations

import secrets
from datetime import datetime

from staffbot.app.commands.cases import Who
from staffbot.app.commands.chat import Button, MenuVerb, ResendCard
from staffbot.app.commands.queries import MyTasks
from staffbot.channels.base import Answer
from staffbot.chat.context import Turn
from staffbot.messages import OutgoingMessage
from staffbot.richtext import b, esc
from staffbot.texts import t
from staffbot.timefmt import short_time

SHOWN = 10


async def list_tasks(turn: Turn) -> None:
    lang = turn.lang
    tasks = await turn.run(MyTasks(Who(staff_id=turn.staff_id)))
    if not tasks:
        await turn.reply(OutgoingMessage(text=esc(t("chat.no_tasks", lang))))
        return
    now = turn.office.now()
    lines = [b(t("chat.tasks_title", lang, count=len(tasks)))]
    items: list[Button] = []
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
        label = t("chat.open", lang, number=task.number)
        items.append(Button(label, MenuVerb.OPEN_TASK, task_id=task.task_id))
    to_sign = await signable(turn)
    if len(to_sign) > 1:
        items.insert(0, Button(t("chat.sign_all", lang, count=len(to_sign)), MenuVerb.SIGN_ALL))
    await turn.reply(OutgoingMessage(text="\n".join(lines), choices=await turn.choices(items)))


async def signable(turn: Turn) -> list[int]:
    """This staff member's open tasks whose step is signed with the PIN."""
    flow = turn.office.flow
    tasks = await turn.run(MyTasks(Who(staff_id=turn.staff_id)))
    return [task.task_id for task in tasks if flow.step(task.step).signed_with_pin]


async def reopen(turn: Turn, task_id: int) -> Answer:
    """Send the task's card again to this person, with fresh buttons."""
    await turn.run(ResendCard(task_id, turn.staff_id, key_suffix=f":again:{secrets.token_hex(4)}"))
    return Answer()

"""The buttons of an escalation alert card: Ingatkan, Ambil alih, Alihkan.

``presses.press`` has already checked that the token exists and belongs to the person
pressing (only the staff member the alert went to); here the task must still be open,
and each use case checks the rest again.
"""

from __future__ import annotations

from staffbot.app.commands.cases import Who
from staffbot.app.commands.chat import Button, ButtonView, MenuVerb, TaskAtHand, UseButton
from staffbot.app.commands.sla import Nudge, Reassign, ReassignChoices, Takeover
from staffbot.channels.base import Answer
from staffbot.chat.context import Turn
from staffbot.messages import OutgoingMessage
from staffbot.richtext import esc
from staffbot.texts import t
from staffbot.texts.sla import st


async def press(turn: Turn, button: ButtonView, verb: MenuVerb) -> Answer:
    lang = turn.lang
    office = turn.office
    task = await turn.run(TaskAtHand(button.task_id)) if button.task_id is not None else None
    if task is None:
        return Answer(t("chat.token_stale", lang), alert=True)
    who = Who(staff_id=turn.staff_id)
    if verb is MenuVerb.ALERT_NUDGE:
        if button.used:
            return Answer(st("nudge.again", lang), alert=True)
        outcome = await turn.run(Nudge(who, task.id, button.token))
        await turn.run(UseButton(button.token))
        return Answer(outcome.text, alert=not outcome.changed)
    if verb is MenuVerb.ALERT_TAKEOVER:
        outcome = await turn.run(Takeover(who, task.id))
        return Answer(outcome.text, alert=not outcome.changed)
    if verb is MenuVerb.ALERT_REASSIGN:
        options = await turn.run(ReassignChoices(task.id))
        if not options.people:
            role = office.flow.role(task.role).label
            return Answer(st("reassign.none", lang, role=role), alert=True)
        choices = await turn.choices(
            [
                Button(name, MenuVerb.ALERT_REASSIGN_TO, target=str(staff_id), task_id=task.id)
                for staff_id, name in options.people
            ]
        )
        await turn.reply(
            OutgoingMessage(
                text=esc(st("reassign.ask", lang, number=options.number, no=options.sop_no)),
                choices=choices,
            )
        )
        return Answer(t("chat.toast_prompt", lang))
    if verb is MenuVerb.ALERT_REASSIGN_TO:
        if button.used or not (button.target or "").isdigit():
            return Answer(t("chat.token_stale", lang), alert=True)
        outcome = await turn.run(Reassign(who, task.id, to_id=int(button.target or 0)))
        await turn.run(UseButton(button.token))
        return Answer(outcome.text, alert=not outcome.changed)
    return Answer(t("chat.token_stale", lang), alert=True)

"""The buttons of an escalation alert card: Ingatkan, Ambil alih, Alihkan.

``presses.press`` has already checked that the token exists and belongs to the person
pressing (only the staff member the alert went to); here the task must still be open,
and each use case checks the rest again.
"""

from __future__ import annotations

from staffbot.app.commands.cases import Who
from staffbot.app.commands.sla import (
    NUDGE,
    REASSIGN,
    REASSIGN_TO,
    TAKEOVER,
    Nudge,
    Reassign,
    ReassignChoices,
    Takeover,
)
from staffbot.channels.base import Answer
from staffbot.chat.context import Turn
from staffbot.messages import OutgoingMessage
from staffbot.richtext import esc
from staffbot.services import alert_actions
from staffbot.services.transitions import already_done
from staffbot.texts import t
from staffbot.texts.sla import st
from storage.tables import ButtonToken

ACTIONS = frozenset({NUDGE, TAKEOVER, REASSIGN, REASSIGN_TO})


async def press(turn: Turn, token: ButtonToken) -> Answer:
    lang = turn.lang
    staff = turn.staff
    assert staff is not None
    uow, office = turn.uow, turn.office
    task = await uow.tasks.get(token.task_id) if token.task_id is not None else None
    if task is None:
        return Answer(t("chat.token_stale", lang), alert=True)
    if not task.is_open:
        raise await already_done(uow, office, task)
    assert task.id is not None
    who = Who(staff_id=staff.id)
    if token.action == NUDGE:
        if token.used_at is not None:
            return Answer(st("nudge.again", lang), alert=True)
        outcome = await alert_actions.nudge(Nudge(who, task.id, token.token), uow, office)
        await uow.outbox.use_token(token.token, office.now())
        return Answer(outcome.text, alert=not outcome.changed)
    if token.action == TAKEOVER:
        outcome = await alert_actions.takeover(Takeover(who, task.id), uow, office)
        return Answer(outcome.text, alert=not outcome.changed)
    if token.action == REASSIGN:
        options = await alert_actions.reassign_choices(ReassignChoices(task.id), uow, office)
        if not options.people:
            role = office.flow.role(task.role).label
            return Answer(st("reassign.none", lang, role=role), alert=True)
        choices = await turn.choices(
            [(name, REASSIGN_TO, str(staff_id), task.id) for staff_id, name in options.people]
        )
        await turn.reply(
            OutgoingMessage(
                text=esc(st("reassign.ask", lang, number=options.number, no=options.sop_no)),
                choices=choices,
            )
        )
        return Answer(t("chat.toast_prompt", lang))
    if token.action == REASSIGN_TO:
        if token.used_at is not None or not (token.target or "").isdigit():
            return Answer(t("chat.token_stale", lang), alert=True)
        reassign = Reassign(who, task.id, to_id=int(token.target or 0))
        outcome = await alert_actions.reassign(reassign, uow, office)
        await uow.outbox.use_token(token.token, office.now())
        return Answer(outcome.text, alert=not outcome.changed)
    return Answer(t("chat.token_stale", lang), alert=True)

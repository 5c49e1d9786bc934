"""Button presses: look the opaque token up, check everything again, act or prompt."""

from __future__ import annotations

from typing import Any

from flows.errors import AlreadyDone
from staffbot.app.commands.cases import Act, Who
from staffbot.channels.base import Answer, ChoicePressed
from staffbot.chat import alerts, ba_picker, forms, tasks_menu
from staffbot.chat.context import Turn
from staffbot.errors import AuthError
from staffbot.messages import OutgoingMessage
from staffbot.richtext import esc
from staffbot.services import claims, transitions
from staffbot.services.transitions import already_done
from staffbot.texts import t
from storage.tables import ButtonToken, Task


async def press(turn: Turn, event: ChoicePressed) -> Answer:
    lang = turn.lang
    token = await turn.uow.outbox.token(event.token) if event.token else None
    if token is None or turn.staff is None or token.staff_id != turn.staff.id:
        # Forged, foreign or from another person's card: nothing changes.
        return Answer(t("chat.token_unknown", lang), alert=True)
    if token.task_id is not None and token.action not in _MENU_ACTIONS:
        return await _task_action(turn, token)
    return await _menu_action(turn, token)


async def _task_action(turn: Turn, token: ButtonToken) -> Answer:
    lang = turn.lang
    task = await turn.uow.tasks.get(token.task_id or 0)
    assert task is not None
    if not task.is_open:
        raise await already_done(turn.uow, turn.office, task)
    assert turn.staff is not None
    # a stale card of a task a colleague has taken: say who, by name
    await claims.refuse_if_taken(turn.uow, turn.office, task, turn.staff)
    step = turn.office.flow.step(task.step)
    action = step.action(token.action)
    if action is None:
        return Answer(t("chat.token_stale", lang), alert=True)
    if action.forms_batch:
        await ba_picker.start(turn, task)
        return Answer(t("chat.toast_prompt", lang))
    if action.requires_reason:
        number = await _number_of(turn, task)
        await turn.remember("reason", {"task_id": task.id, "action": action.key})
        outcome = action.outcome_en if lang == "en" and action.outcome_en else action.outcome
        await turn.reply(
            OutgoingMessage(
                text=t("chat.ask_reason", lang, outcome=esc(outcome), number=esc(number))
            )
        )
        return Answer(t("chat.toast_prompt", lang))
    if action.requires_pin:
        number = await _number_of(turn, task)
        await turn.remember("pin", {"task_ids": [task.id], "action": action.key})
        await turn.reply(
            OutgoingMessage(text=esc(t("chat.ask_pin", lang, what=number) + _pin_note(turn)))
        )
        return Answer(t("chat.toast_prompt", lang))
    if action.requires_attachment:
        number = await _number_of(turn, task)
        await turn.remember(
            "attachment", {"task_id": task.id, "action": action.key, "number": number}
        )
        choices = await turn.choices([(t("chat.make_surat", lang), "make_surat", None, task.id)])
        await turn.reply(
            OutgoingMessage(
                text=esc(t("chat.ask_attachment", lang, number=number)), choices=choices
            )
        )
        return Answer(t("chat.toast_prompt", lang))
    return await do_act(turn, task_id=task.id or 0, action=action.key, token=token.token)


async def do_act(
    turn: Turn,
    *,
    task_id: int,
    action: str,
    token: str | None = None,
    note: str | None = None,
    attachment_id: int | None = None,
) -> Answer:
    """Act inside this turn's transaction; the confirmation toast is the outcome."""
    assert turn.staff is not None
    command = Act(
        Who(staff_id=turn.staff.id),
        action,
        task_id=task_id,
        note=note,
        attachment_id=attachment_id,
    )
    result = await transitions.act(command, turn.uow, turn.office)
    if token is not None:
        await turn.uow.outbox.use_token(token, turn.office.now())
    return Answer(t("chat.done", turn.lang, outcome=result.outcome, number=result.number))


async def _number_of(turn: Turn, task: Task) -> str:
    if task.case_id is not None:
        case = await turn.uow.cases.get(task.case_id)
        return case.number if case is not None else "?"
    if task.ba_id is not None:
        ba = await turn.uow.cases.get_ba(task.ba_id)
        return ba.number if ba is not None else "?"
    return "?"


_MENU_ACTIONS = {
    "form",
    "open_task",
    "menu",
    "ba_place",
    "ba_all",
    "make_surat",
    "sign_all",
    *alerts.ACTIONS,
}


async def _menu_action(turn: Turn, token: ButtonToken) -> Answer:
    lang = turn.lang
    target = token.target or ""
    if token.action == "form":
        conversation = await turn.conversation()
        field, _, value = target.partition("=")
        if "#" in field:
            field, _, value = target.partition("#")
            value = "#" + value
        if (
            conversation is None
            or conversation.kind != "intake"
            or conversation.state.get("field") != field
        ):
            return Answer(t("chat.token_stale", lang), alert=True)
        await forms.answer(turn, conversation.state, value)
        return Answer()
    if token.action == "open_task":
        return await tasks_menu.reopen(turn, token.task_id or 0)
    if token.action == "menu":
        return await menu(turn, target)
    if token.action in ("ba_place", "ba_all"):
        return await ba_picker.press(turn, token.action, target)
    if token.action == "make_surat":
        return await _make_surat(turn, token.task_id or 0)
    if token.action in alerts.ACTIONS:
        return await alerts.press(turn, token)
    if token.action == "sign_all":
        return await _sign_all(turn)
    return Answer(t("chat.token_stale", lang), alert=True)


async def _sign_all(turn: Turn) -> Answer:
    """One PIN for every document waiting for this signer's signature."""
    task_ids = await tasks_menu.signable(turn)
    if not task_ids:
        await turn.reply(OutgoingMessage(text=esc(t("chat.no_tasks", turn.lang))))
        return Answer()
    await turn.remember("pin", {"task_ids": task_ids, "action": "sign"})
    await turn.reply(
        OutgoingMessage(
            text=esc(t("chat.ask_pin_many", turn.lang, count=len(task_ids)) + _pin_note(turn))
        )
    )
    return Answer(t("chat.toast_prompt", turn.lang))


def _pin_note(turn: Turn) -> str:
    """WhatsApp does not let a bot delete the person's message: say so."""
    return "\n" + t("chat.pin_not_deleted", turn.lang) if turn.event.channel == "whatsapp" else ""


async def menu(turn: Turn, target: str) -> Answer:
    from staffbot.chat import commands

    return await commands.run(turn, target, "")


async def _make_surat(turn: Turn, task_id: int) -> Answer:
    conversation = await turn.conversation()
    if (
        conversation is None
        or conversation.kind != "attachment"
        or conversation.state.get("task_id") != task_id
    ):
        return Answer(t("chat.token_stale", turn.lang), alert=True)
    generate = turn.office.generators.get("surat_tanggapan")
    if generate is None:
        raise AuthError(reason="surat generator not configured")
    task = await turn.uow.tasks.get(task_id)
    if task is None or not task.is_open:
        raise (
            await already_done(turn.uow, turn.office, task)
            if task
            else AlreadyDone(actor="?", at="?")
        )
    document_id = await generate(turn.uow, turn.office, task)
    await turn.forget()
    return await do_act(
        turn, task_id=task_id, action=str(conversation.state["action"]), attachment_id=document_id
    )


def state_int(state: dict[str, Any], key: str) -> int:
    return int(state[key])

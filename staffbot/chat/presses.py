"""Button presses: look the opaque token up, check everything again, act or prompt.

A token's intent is typed: a flow action acts on the token's task (or prompts for what
the action needs first); a menu verb is one of the chat's own buttons.
"""

from __future__ import annotations

from staffbot.app.commands.cases import Act, CameSigned, ConfirmSigned, Who
from staffbot.app.commands.chat import (
    ALERT_VERBS,
    Button,
    ButtonView,
    FlowAction,
    LookUpButton,
    MakeSurat,
    MenuVerb,
    TaskAtHand,
    UseButton,
)
from staffbot.app.commands.conversations import IntakeState, Waiting
from staffbot.channels.base import Answer, ChannelName, ChoicePressed
from staffbot.chat import alerts, ba_picker, forms, sign_pick, signing, tasks_menu
from staffbot.chat.card_prompts import done_with, open_prompts, still_waiting, wait_for
from staffbot.chat.context import Turn
from staffbot.chat.spent import PROMPT, spend
from staffbot.messages import OutgoingMessage
from staffbot.richtext import esc
from staffbot.texts import t


async def press(turn: Turn, event: ChoicePressed) -> Answer:
    lang = turn.lang
    button = await turn.run(LookUpButton(event.token)) if event.token else None
    if button is None or turn.staff is None or button.staff_id != turn.staff.id:
        # Forged, foreign or from another person's card: nothing changes.
        return Answer(t("chat.token_unknown", lang), alert=True)
    if isinstance(button.intent, FlowAction):
        if button.task_id is None:
            return Answer(t("chat.token_stale", lang), alert=True)
        return await _task_action(turn, button, button.intent.key)
    return await _menu_action(turn, button, button.intent)


async def _task_action(turn: Turn, button: ButtonView, key: str) -> Answer:
    lang = turn.lang
    task = await turn.run(TaskAtHand(button.task_id or 0, staff_id=turn.staff_id))
    assert task is not None
    action = turn.office.flow.step(task.step).action(key)
    if action is None:
        return Answer(t("chat.token_stale", lang), alert=True)
    if action.forms_batch:
        await ba_picker.start(turn, task)
        return Answer(t("chat.toast_prompt", lang))
    if action.requires_reason:
        await wait_for(turn, Waiting("reason", task.id, action.key, task.number))
        outcome = action.outcome_en if lang == "en" and action.outcome_en else action.outcome
        await turn.reply(
            OutgoingMessage(
                text=t("chat.ask_reason", lang, outcome=esc(outcome), number=esc(task.number))
            )
        )
        return Answer(t("chat.toast_prompt", lang))
    if action.requires_pin and await turn.run(CameSigned(task.id)):
        # signed in SIAK already: the press confirms it (no PIN, no second stamp)
        result = await turn.run(ConfirmSigned(Who(staff_id=turn.staff_id), key, task_id=task.id))
        await turn.run(UseButton(button.token))
        return Answer(t("chat.done", lang, outcome=result.outcome, number=result.number))
    if action.requires_pin:
        if (refusal := await signing.locked(turn)) is not None:
            return refusal
        await wait_for(turn, Waiting("pin", task.id, action.key, task.number))
        await turn.reply(
            OutgoingMessage(text=esc(t("chat.ask_pin", lang, what=task.number) + _pin_note(turn)))
        )
        return Answer(t("chat.toast_prompt", lang))
    if action.requires_attachment:
        await wait_for(turn, Waiting("attachment", task.id, action.key, task.number))
        choices = await turn.choices(
            [Button(t("chat.make_surat", lang), MenuVerb.MAKE_SURAT, task_id=task.id)]
        )
        await turn.reply(
            OutgoingMessage(
                text=esc(t("chat.ask_attachment", lang, number=task.number)), choices=choices
            ),
            kind=PROMPT,
            task_id=task.id,
        )
        return Answer(t("chat.toast_prompt", lang))
    return await do_act(turn, task_id=task.id, action=action.key, token=button.token)


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
    command = Act(
        Who(staff_id=turn.staff_id),
        action,
        task_id=task_id,
        note=note,
        attachment_id=attachment_id,
    )
    result = await turn.run(command)
    if token is not None:
        await turn.run(UseButton(token))
    return Answer(t("chat.done", turn.lang, outcome=result.outcome, number=result.number))


async def _menu_action(turn: Turn, button: ButtonView, verb: MenuVerb) -> Answer:
    target = button.target or ""
    if verb in PROMPT_VERBS and not await turn.run(UseButton(button.token)):
        # A second tap (a double tap, or WhatsApp's buttons, which stay): it was done.
        return Answer(_already(turn, target))
    if verb is MenuVerb.FORM:
        return await _form(turn, target)
    if verb is MenuVerb.OPEN_TASK:
        return await tasks_menu.reopen(turn, button.task_id or 0)
    if verb is MenuVerb.MENU:
        return await menu(turn, target)
    if verb in (MenuVerb.BA_PLACE, MenuVerb.BA_ALL):
        return await ba_picker.press(turn, verb, target)
    if verb is MenuVerb.MAKE_SURAT:
        return await _make_surat(turn, button.task_id or 0)
    if verb in ALERT_VERBS:
        return await alerts.press(turn, button, verb)
    if verb is MenuVerb.SIGN_ALL:
        return await _sign_all(turn)
    if verb is MenuVerb.SIGN_PICK:
        return await sign_pick.press(turn, target)
    return Answer(t("chat.token_stale", turn.lang), alert=True)


#: A prompt's own choices: spent once used, and a second tap is told so politely.
PROMPT_VERBS = frozenset({MenuVerb.FORM, MenuVerb.BA_PLACE, MenuVerb.BA_ALL, MenuVerb.MAKE_SURAT})


def _already(turn: Turn, target: str) -> str:
    key = "prompt.already_saved" if target == "confirm=yes" else "prompt.already_taken"
    return t(key, turn.lang)


async def _form(turn: Turn, target: str) -> Answer:
    conversation = await turn.conversation()
    field, _, value = target.partition("=")
    if "#" in field:
        field, _, value = target.partition("#")
        value = "#" + value
    if not isinstance(conversation, IntakeState) or conversation.field != field:
        # The question was answered already (by text, or a page ago): not an error.
        return Answer(_already(turn, target))
    await forms.answer(turn, conversation, value)
    return Answer()


async def _sign_all(turn: Turn) -> Answer:
    """One PIN for every document waiting for this signer's signature."""
    if (refusal := await signing.locked(turn)) is not None:
        return refusal
    task_ids = await tasks_menu.signable(turn)
    if not task_ids:
        await turn.reply(OutgoingMessage(text=esc(t("chat.no_tasks", turn.lang))))
        return Answer()
    await wait_for(turn, *(Waiting("pin", task_id, "sign") for task_id in task_ids))
    await turn.reply(
        OutgoingMessage(
            text=esc(t("chat.ask_pin_many", turn.lang, count=len(task_ids)) + _pin_note(turn))
        )
    )
    return Answer(t("chat.toast_prompt", turn.lang))


def _pin_note(turn: Turn) -> str:
    """WhatsApp does not let a bot delete the person's message: say so."""
    return (
        "\n" + t("chat.pin_not_deleted", turn.lang)
        if turn.event.channel == ChannelName.WHATSAPP
        else ""
    )


async def menu(turn: Turn, target: str) -> Answer:
    from staffbot.chat import commands

    return await commands.run(turn, target, "")


async def _make_surat(turn: Turn, task_id: int) -> Answer:
    """The prompt's own button: it answers its card's prompt, whatever was pressed since."""
    waiting = (await open_prompts(turn)).of_task(task_id, "attachment")
    if waiting is None:
        return Answer(t("prompt.already_taken", turn.lang))
    document_id = await turn.run(MakeSurat(task_id))
    left = await done_with(turn, [task_id])
    await spend(turn, t("prompt.surat_made", turn.lang), task_id=task_id)
    answer = await do_act(turn, task_id=task_id, action=waiting.action, attachment_id=document_id)
    if lines := [still_waiting(turn, w) for w in left.waiting if w.number]:
        await turn.reply(OutgoingMessage(text=esc("\n".join(lines))))
    return answer

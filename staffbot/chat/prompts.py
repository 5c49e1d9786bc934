"""Text (and files) answering a prompt in progress: the intake form, the BA pick, or a
card's prompt (a reason, a result document), each reply naming the case it applied to."""

from __future__ import annotations

from staffbot.app.commands.chat import StoreResult
from staffbot.app.commands.conversations import (
    BaPick,
    CardPrompts,
    ConversationRecord,
    IntakeState,
    SignPick,
)
from staffbot.channels.base import Answer, FileReceived, TextReceived
from staffbot.chat import ba_picker, forms, sign_pick
from staffbot.chat.card_prompts import done_with, still_waiting
from staffbot.chat.context import Turn
from staffbot.chat.presses import do_act
from staffbot.chat.spent import spend
from staffbot.messages import OutgoingMessage
from staffbot.richtext import esc
from staffbot.services.files import check_size
from staffbot.texts import t


async def text(turn: Turn, event: TextReceived, conversation: ConversationRecord) -> Answer:
    if isinstance(conversation, IntakeState):
        await forms.answer(turn, conversation, event.text)
        return Answer()
    if isinstance(conversation, BaPick):
        return await ba_picker.picked(turn, conversation, event.text)
    if isinstance(conversation, CardPrompts):
        return await _card_text(turn, event, conversation)
    if isinstance(conversation, SignPick):
        return await sign_pick.typed(turn, conversation, event.text)
    await turn.forget()
    return Answer()


async def _card_text(turn: Turn, event: TextReceived, prompts: CardPrompts) -> Answer:
    """A reason goes to the card that asked for one last; a card waiting for a file is
    reminded of it (PINs never get here: the signing path takes them first)."""
    reasons = prompts.needing("reason")
    if reasons:
        waiting = reasons[-1]
        answer = await do_act(turn, task_id=waiting.task_id, action=waiting.action, note=event.text)
        left = await done_with(turn, [waiting.task_id])
        await _confirm(turn, answer, left)
        return answer
    attachments = prompts.needing("attachment")
    if attachments:
        number = attachments[-1].number
        await turn.reply(
            OutgoingMessage(text=esc(t("chat.ask_attachment", turn.lang, number=number)))
        )
    return Answer()


async def file(turn: Turn, event: FileReceived, conversation: ConversationRecord | None) -> Answer:
    """A file is the result of the card that asked for one last."""
    attachments = (
        conversation.needing("attachment") if isinstance(conversation, CardPrompts) else ()
    )
    if not attachments or event.fetch is None:
        await turn.reply(OutgoingMessage(text=esc(t("chat.file_not_expected", turn.lang))))
        return Answer()
    waiting = attachments[-1]
    check_size(event.size)
    data = await event.fetch()
    document_id = await turn.run(
        StoreResult(waiting.task_id, turn.staff_id, data, filename=event.filename or "hasil.pdf")
    )
    answer = await do_act(
        turn, task_id=waiting.task_id, action=waiting.action, attachment_id=document_id
    )
    chosen = t("prompt.chosen", turn.lang, choice=event.filename or "hasil.pdf")
    await spend(turn, chosen, task_id=waiting.task_id)
    await _confirm(turn, answer, await done_with(turn, [waiting.task_id]))
    return answer


async def _confirm(turn: Turn, answer: Answer, left: CardPrompts) -> None:
    """The outcome (it names the case), and what still waits, so nothing waits silently."""
    lines = [answer.text] if answer.text else []
    lines += [still_waiting(turn, w) for w in left.waiting if w.number]
    if lines:
        await turn.reply(OutgoingMessage(text=esc("\n".join(lines))))

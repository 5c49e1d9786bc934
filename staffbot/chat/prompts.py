"""Text (and files) answering a prompt in progress: intake form, reason, PIN, attachment, BA."""

from __future__ import annotations

from staffbot.app.commands.chat import StoreResult
from staffbot.app.commands.conversations import (
    AttachmentPrompt,
    BaPick,
    ConversationRecord,
    IntakeState,
    ReasonPrompt,
)
from staffbot.channels.base import Answer, FileReceived, TextReceived
from staffbot.chat import ba_picker, forms
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
    if isinstance(conversation, ReasonPrompt):
        answer = await do_act(
            turn, task_id=conversation.task_id, action=conversation.action, note=event.text
        )
        await turn.forget()
        await _confirm(turn, answer)
        return answer
    if isinstance(conversation, BaPick):
        return await ba_picker.picked(turn, conversation, event.text)
    if isinstance(conversation, AttachmentPrompt):
        await turn.reply(
            OutgoingMessage(
                text=esc(t("chat.ask_attachment", turn.lang, number=conversation.number))
            )
        )
        return Answer()
    await turn.forget()
    return Answer()


async def file(turn: Turn, event: FileReceived, conversation: ConversationRecord | None) -> Answer:
    if not isinstance(conversation, AttachmentPrompt) or event.fetch is None:
        await turn.reply(OutgoingMessage(text=esc(t("chat.file_not_expected", turn.lang))))
        return Answer()
    check_size(event.size)
    data = await event.fetch()
    document_id = await turn.run(
        StoreResult(
            conversation.task_id, turn.staff_id, data, filename=event.filename or "hasil.pdf"
        )
    )
    answer = await do_act(
        turn,
        task_id=conversation.task_id,
        action=conversation.action,
        attachment_id=document_id,
    )
    await spend(turn, t("prompt.chosen", turn.lang, choice=event.filename or "hasil.pdf"))
    await turn.forget()
    await _confirm(turn, answer)
    return answer


async def _confirm(turn: Turn, answer: Answer) -> None:
    if answer.text:
        await turn.reply(OutgoingMessage(text=esc(answer.text)))

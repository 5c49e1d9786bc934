"""Text (and files) answering a prompt in progress: intake form, reason, PIN, attachment, BA."""

from __future__ import annotations

from staffbot.channels.base import Answer, FileReceived, TextReceived
from staffbot.chat import ba_picker, forms
from staffbot.chat.context import Turn
from staffbot.chat.presses import do_act
from staffbot.messages import OutgoingMessage
from staffbot.richtext import esc
from staffbot.services.files import check_size, store_document
from staffbot.texts import t
from storage.tables import Conversation


async def text(turn: Turn, event: TextReceived, conversation: Conversation) -> Answer:
    state = conversation.state
    if conversation.kind == "intake":
        await forms.answer(turn, state, event.text)
        return Answer()
    if conversation.kind == "reason":
        answer = await do_act(
            turn, task_id=int(state["task_id"]), action=str(state["action"]), note=event.text
        )
        await turn.forget()
        await _confirm(turn, answer)
        return answer
    if conversation.kind == "ba_pick":
        return await ba_picker.picked(turn, state, event.text)
    if conversation.kind == "attachment":
        await turn.reply(
            OutgoingMessage(
                text=esc(t("chat.ask_attachment", turn.lang, number=state.get("number", "")))
            )
        )
        return Answer()
    await turn.forget()
    return Answer()


async def file(turn: Turn, event: FileReceived, conversation: Conversation | None) -> Answer:
    if conversation is None or conversation.kind != "attachment" or event.fetch is None:
        await turn.reply(OutgoingMessage(text=esc(t("chat.file_not_expected", turn.lang))))
        return Answer()
    task = await turn.uow.tasks.get(int(conversation.state["task_id"]))
    check_size(event.size)
    data = await event.fetch()
    assert turn.staff is not None
    document = await store_document(
        turn.uow,
        turn.office,
        data=data,
        filename=event.filename or "hasil.pdf",
        kind="hasil",
        case_id=task.case_id if task is not None else None,
        created_by=turn.staff.id,
    )
    assert document.id is not None
    answer = await do_act(
        turn,
        task_id=int(conversation.state["task_id"]),
        action=str(conversation.state["action"]),
        attachment_id=document.id,
    )
    await turn.forget()
    await _confirm(turn, answer)
    return answer


async def _confirm(turn: Turn, answer: Answer) -> None:
    if answer.text:
        await turn.reply(OutgoingMessage(text=esc(answer.text)))

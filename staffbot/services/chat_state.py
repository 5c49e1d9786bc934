"""The chat turn's use cases: who is talking, redeliveries, conversation records, button
tokens, replies, and the reads and writes a prompt needs.

The chat (staffbot.chat) runs these with ``tx.run(...)`` inside the one transaction of a
turn (``bus.atomically``): it never sees a repository or a table row, only the views here.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from staffbot.app.bus import Command, Handler
from staffbot.app.commands.chat import (
    BaKecamatan,
    ButtonView,
    EndConversation,
    FirstTime,
    HoldsRole,
    IdentifyStaff,
    IssueButtons,
    LookUpButton,
    QueueDelete,
    QueueReply,
    ReadConversation,
    RedrawPrompt,
    ResendCard,
    RolesOf,
    SaveConversation,
    SpendPrompt,
    StaffById,
    StaffView,
    TaskAtHand,
    TaskView,
    UseButton,
    WaitingForBa,
    intent_of,
    stored_action,
)
from staffbot.app.commands.conversations import ConversationRecord, from_stored, to_stored
from staffbot.channels.base import ChannelName
from staffbot.errors import ValidationError
from staffbot.messages import Choice, OutgoingMessage
from staffbot.services import notify
from staffbot.services.batches import waiting_for_ba
from staffbot.services.claims import refuse_if_taken
from staffbot.services.context import Office
from staffbot.services.locate import of_task
from staffbot.services.tasks import push_task_card
from staffbot.services.work_items import already_done
from storage.repos.outbox_chat import REDRAW
from storage.tables import ButtonToken, Staff, Task
from storage.uow import UnitOfWork

#: Rows a turn has read, held for as long as its unit of work lives. The chat keeps only
#: views; without this the rows would be dropped at once from the session's (weak)
#: identity map, and a press, which reads the same staff, task and case several times,
#: would query them again each time.
_HELD: WeakKeyDictionary[UnitOfWork, list[object]] = WeakKeyDictionary()


def _hold(uow: UnitOfWork, *rows: object) -> None:
    _HELD.setdefault(uow, []).extend(r for r in rows if r is not None)


def staff_view(staff: Staff) -> StaffView:
    assert staff.id is not None
    return StaffView(staff.id, staff.name, staff.nip, staff.active, staff.language, staff.cards)


async def identify_staff(cmd: IdentifyStaff, uow: UnitOfWork, office: Office) -> StaffView | None:
    staff: Staff | None = None
    if cmd.channel == ChannelName.WEB:
        staff = await uow.staff.get(int(cmd.user_id)) if cmd.user_id.isdigit() else None
    elif cmd.channel == ChannelName.TELEGRAM:
        if cmd.user_id.lstrip("-").isdigit():
            staff = await uow.staff.by_telegram(int(cmd.user_id))
    elif cmd.channel == ChannelName.WHATSAPP:
        staff = await uow.staff.by_whatsapp(cmd.user_id)
    _hold(uow, staff)
    return staff_view(staff) if staff is not None else None


async def staff_by_id(cmd: StaffById, uow: UnitOfWork, office: Office) -> StaffView | None:
    staff = await uow.staff.get(cmd.staff_id)
    _hold(uow, staff)
    return staff_view(staff) if staff is not None else None


async def roles_of(cmd: RolesOf, uow: UnitOfWork, office: Office) -> frozenset[str]:
    return frozenset(await uow.staff.roles_of(cmd.staff_id))


async def holds_role(cmd: HoldsRole, uow: UnitOfWork, office: Office) -> bool:
    if cmd.role in await uow.staff.roles_of(cmd.staff_id):
        return True
    absent = await uow.staff.absent_delegating_to(cmd.staff_id)
    roles = await uow.staff.roles_for([a.id for a in absent if a.id is not None])
    return any(cmd.role in r for r in roles.values())


async def first_time(cmd: FirstTime, uow: UnitOfWork, office: Office) -> bool:
    return await uow.processed.first_time(cmd.channel, cmd.update_id, office.now())


# -- conversations --------------------------------------------------------------------


async def read_conversation(
    cmd: ReadConversation, uow: UnitOfWork, office: Office
) -> ConversationRecord | None:
    row = await uow.conversations.get(cmd.chat_key)
    return from_stored(row.kind, row.state) if row is not None else None


async def save_conversation(cmd: SaveConversation, uow: UnitOfWork, office: Office) -> None:
    kind, state = to_stored(cmd.record)
    await uow.conversations.put(
        cmd.chat_key, kind=kind, state=state, staff_id=cmd.staff_id, at=office.now()
    )


async def end_conversation(cmd: EndConversation, uow: UnitOfWork, office: Office) -> None:
    await uow.conversations.delete(cmd.chat_key)


# -- buttons --------------------------------------------------------------------------


async def issue_buttons(cmd: IssueButtons, uow: UnitOfWork, office: Office) -> tuple[Choice, ...]:
    now = office.now()
    tokens = [
        ButtonToken(
            token=notify.new_token(),
            staff_id=cmd.staff_id,
            action=stored_action(button.intent),
            target=button.target,
            task_id=button.task_id,
            created_at=now,
        )
        for button in cmd.buttons
    ]
    await uow.outbox.add_tokens(tokens)
    return tuple(
        Choice(button.label, token.token) for button, token in zip(cmd.buttons, tokens, strict=True)
    )


async def look_up_button(cmd: LookUpButton, uow: UnitOfWork, office: Office) -> ButtonView | None:
    token = await uow.outbox.token(cmd.token)
    if token is None:
        return None
    _hold(uow, token)
    return ButtonView(
        token=token.token,
        staff_id=token.staff_id,
        intent=intent_of(token.action),
        task_id=token.task_id,
        target=token.target,
        used=token.used_at is not None,
    )


async def use_button(cmd: UseButton, uow: UnitOfWork, office: Office) -> bool:
    return await uow.outbox.use_token(cmd.token, office.now())


# -- replies --------------------------------------------------------------------------


async def _sender(uow: UnitOfWork, staff_id: int | None) -> Staff | None:
    return await uow.staff.get(staff_id) if staff_id is not None else None


async def queue_reply(cmd: QueueReply, uow: UnitOfWork, office: Office) -> None:
    await notify.queue(
        uow,
        office,
        address=notify.Address(cmd.channel, cmd.chat_id),
        kind=cmd.kind,
        message=cmd.message,
        key=cmd.key,
        staff=await _sender(uow, cmd.staff_id),
        case_id=cmd.case_id,
        task_id=cmd.task_id,
    )


async def queue_delete(cmd: QueueDelete, uow: UnitOfWork, office: Office) -> None:
    await notify.queue(
        uow,
        office,
        address=notify.Address(cmd.channel, cmd.chat_id),
        kind="delete",
        message=OutgoingMessage(text=""),
        key=cmd.key,
        staff=await _sender(uow, cmd.staff_id),
        extra={"message_id": cmd.message_id},
    )


async def spend_prompt(cmd: SpendPrompt, uow: UnitOfWork, office: Office) -> bool:
    prompt = await uow.outbox.open_prompt(cmd.channel, cmd.chat_id, task_id=cmd.task_id)
    if prompt is None or prompt.id is None:
        return False
    original = OutgoingMessage.from_payload(prompt.payload)
    if not original.choices and (not cmd.line or cmd.channel == ChannelName.WHATSAPP):
        # Nothing to take away; and WhatsApp, which keeps what the person typed, would
        # only get a second message repeating their answer.
        return False
    text = original.text + "\n\n" + cmd.line if cmd.line else original.text
    await notify.queue(
        uow,
        office,
        address=notify.Address(cmd.channel, cmd.chat_id),
        kind="edit",
        message=OutgoingMessage(text=text),
        key=cmd.key,
        staff=await _sender(uow, cmd.staff_id),
        case_id=prompt.case_id,
        task_id=prompt.task_id,
        ref_id=prompt.id,
    )
    return True


async def redraw_prompt(cmd: RedrawPrompt, uow: UnitOfWork, office: Office) -> bool:
    prompt = await uow.outbox.open_prompt(cmd.channel, cmd.chat_id)
    if prompt is None or prompt.id is None:
        return False
    await notify.queue(
        uow,
        office,
        address=notify.Address(cmd.channel, cmd.chat_id),
        kind="edit",
        message=cmd.message,
        # a redraw leaves the prompt open (storage: OutboxRepository.open_prompt)
        key=f"{REDRAW}{cmd.key}",
        staff=await _sender(uow, cmd.staff_id),
        ref_id=prompt.id,
    )
    return True


# -- tasks ----------------------------------------------------------------------------


async def _task_view(uow: UnitOfWork, task: Task) -> TaskView:
    assert task.id is not None
    item = await of_task(uow, task)
    _hold(uow, item.row)
    kecamatan = "" if item.is_batch else item.row.kecamatan
    return TaskView(task.id, task.step, task.role, item.number, kecamatan, item.is_batch)


async def task_at_hand(cmd: TaskAtHand, uow: UnitOfWork, office: Office) -> TaskView | None:
    task = await uow.tasks.get(cmd.task_id)
    if task is None:
        return None
    _hold(uow, task)
    if not task.is_open:
        raise await already_done(uow, office, task)
    if cmd.staff_id is not None:
        staff = await uow.staff.get(cmd.staff_id)
        if staff is not None:
            # a stale card of a task a colleague has taken: say who, by name
            await refuse_if_taken(uow, office, task, staff)
    return await _task_view(uow, task)


async def resend_card(cmd: ResendCard, uow: UnitOfWork, office: Office) -> None:
    task = await uow.tasks.get(cmd.task_id)
    if task is None:
        raise ValidationError(field="case", problem="unknown", value=str(cmd.task_id))
    if not task.is_open:
        raise await already_done(uow, office, task)
    staff = await uow.staff.get(cmd.staff_id)
    assert staff is not None
    await push_task_card(uow, office, task, staff, key_suffix=cmd.key_suffix)


async def waiting(cmd: WaitingForBa, uow: UnitOfWork, office: Office) -> dict[str, tuple[str, ...]]:
    staff = await uow.staff.get(cmd.staff_id)
    found = await waiting_for_ba(uow, office, for_staff=staff)
    return {place: tuple(c.number for c in cases) for place, cases in found.items()}


async def ba_kecamatan(cmd: BaKecamatan, uow: UnitOfWork, office: Office) -> str | None:
    ba = await uow.cases.ba_by_number(cmd.number)
    return ba.kecamatan if ba is not None else None


HANDLERS: dict[type[Command[Any]], Handler] = {
    BaKecamatan: ba_kecamatan,
    EndConversation: end_conversation,
    FirstTime: first_time,
    HoldsRole: holds_role,
    IdentifyStaff: identify_staff,
    IssueButtons: issue_buttons,
    LookUpButton: look_up_button,
    QueueDelete: queue_delete,
    QueueReply: queue_reply,
    ReadConversation: read_conversation,
    ResendCard: resend_card,
    RolesOf: roles_of,
    SaveConversation: save_conversation,
    SpendPrompt: spend_prompt,
    RedrawPrompt: redraw_prompt,
    StaffById: staff_by_id,
    TaskAtHand: task_at_hand,
    UseButton: use_button,
    WaitingForBa: waiting,
}

"""The PIN answer: signatures happen outside the chat turn's transaction.

Signing may take a second (BSrE); holding the database's write transaction that long
would stall every other press. So a PIN message is handled in steps: (1) note the
update and ask the platform to delete the PIN message, (2) sign each waiting
document (each with its own signature, transition and audit event), (3) report.
"""

from __future__ import annotations

from staffbot.app.bus import MessageBus
from staffbot.app.commands.cases import Sign, SignOutcome, Who
from staffbot.channels.base import Answer, TextReceived
from staffbot.chat.context import Turn, identify
from staffbot.errors import StaffbotError
from staffbot.messages import OutgoingMessage
from staffbot.richtext import esc
from staffbot.services.context import Office
from staffbot.texts import error_text, t
from storage.db import Database, retrying
from storage.tables import Conversation


async def pin_conversation(db: Database, event: TextReceived) -> Conversation | None:
    async with db.uow(readonly=True) as uow:
        conversation = await uow.conversations.get(f"{event.channel}:{event.chat_id}")
    if conversation is None or conversation.kind != "pin":
        return None
    return conversation


async def answer_pin(bus: MessageBus, event: TextReceived, conversation: Conversation) -> Answer:
    db, office = bus.db, bus.office
    staff_id = await retrying(lambda: _receive(db, office, event))
    if staff_id is None:
        return Answer()
    task_ids = tuple(int(t_id) for t_id in conversation.state.get("task_ids", []))
    outcomes = await bus.handle(
        Sign(
            Who(staff_id=staff_id),
            event.text.strip(),
            task_ids=task_ids,
            action=str(conversation.state.get("action", "sign")),
        )
    )
    return await retrying(lambda: _report(db, office, event, outcomes))


async def _receive(db: Database, office: Office, event: TextReceived) -> int | None:
    """Record the update (a redelivery does nothing) and delete the PIN message."""
    async with db.uow() as uow:
        if event.update_id is not None and not await uow.processed.first_time(
            event.channel, event.update_id, office.now()
        ):
            return None
        staff = await identify(uow, event)
        if staff is None or staff.id is None:
            return None
        turn = Turn(uow, office, event, staff)
        if event.message_id is not None:
            await turn.delete_message(event.message_id)
        await uow.commit()
        return staff.id


async def _report(
    db: Database, office: Office, event: TextReceived, outcomes: list[SignOutcome]
) -> Answer:
    async with db.uow() as uow:
        staff = await identify(uow, event)
        turn = Turn(uow, office, event, staff)
        wrong_pin = any(o.error is not None and o.error.code == "pin_wrong" for o in outcomes)
        if not wrong_pin:
            # Done, locked or refused for good: the prompt ends either way.
            await turn.forget()
        lines = []
        for outcome in outcomes:
            if outcome.result is not None:
                lines.append(
                    t(
                        "chat.done",
                        turn.lang,
                        outcome=outcome.result.outcome,
                        number=outcome.result.number,
                    )
                )
            elif isinstance(outcome.error, StaffbotError):
                lines.append(error_text(outcome.error, turn.lang))
        if lines:
            await turn.reply(OutgoingMessage(text=esc("\n".join(lines))))
        await uow.commit()
    failed = [o for o in outcomes if o.error is not None]
    return Answer(lines[-1] if lines else "", alert=bool(failed))

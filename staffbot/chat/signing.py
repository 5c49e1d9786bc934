"""The PIN answer: signatures happen outside the chat turn's transaction.

Signing may take a second (BSrE); holding the database's write transaction that long
would stall every other press. So a PIN message is handled in steps: (1) note the
update and ask the platform to delete the PIN message, (2) sign each waiting
document (each with its own signature, transition and audit event), (3) report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from staffbot.app.commands.cases import Sign, SignOutcome, Who
from staffbot.app.commands.chat import FirstTime, ReadConversation
from staffbot.app.commands.conversations import PinPrompt
from staffbot.channels.base import Answer, TextReceived
from staffbot.chat.context import Turn, identify
from staffbot.errors import StaffbotError
from staffbot.messages import OutgoingMessage
from staffbot.richtext import esc
from staffbot.texts import error_text, t

if TYPE_CHECKING:
    from staffbot.app.bus import MessageBus, Tx


async def pin_conversation(bus: MessageBus, event: TextReceived) -> PinPrompt | None:
    key = f"{event.channel}:{event.chat_id}"
    conversation = await bus.atomically(lambda tx: tx.run(ReadConversation(key)), readonly=True)
    return conversation if isinstance(conversation, PinPrompt) else None


async def answer_pin(bus: MessageBus, event: TextReceived, prompt: PinPrompt) -> Answer:
    staff_id = await bus.atomically(lambda tx: _receive(tx, bus, event))
    if staff_id is None:
        return Answer()
    outcomes = await bus.handle(
        Sign(
            Who(staff_id=staff_id),
            event.text.strip(),
            task_ids=prompt.task_ids,
            action=prompt.action,
        )
    )
    return await bus.atomically(lambda tx: _report(tx, bus, event, outcomes))


async def _receive(tx: Tx, bus: MessageBus, event: TextReceived) -> int | None:
    """Record the update (a redelivery does nothing) and delete the PIN message."""
    if event.update_id is not None and not await tx.run(FirstTime(event.channel, event.update_id)):
        return None
    staff = await identify(tx, event)
    if staff is None:
        return None
    turn = Turn(tx, bus.office, event, staff)
    if event.message_id is not None:
        await turn.delete_message(event.message_id)
    return staff.id


async def _report(
    tx: Tx, bus: MessageBus, event: TextReceived, outcomes: list[SignOutcome]
) -> Answer:
    turn = Turn(tx, bus.office, event, await identify(tx, event))
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
    failed = [o for o in outcomes if o.error is not None]
    return Answer(lines[-1] if lines else "", alert=bool(failed))

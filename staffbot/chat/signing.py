"""The PIN answer: signatures happen outside the chat turn's transaction.

Signing may take a second (BSrE); holding the database's write transaction that long
would stall every other press. So a PIN message is handled in steps: (1) note the
update and ask the platform to delete the PIN message, (2) sign each waiting
document (each with its own signature, transition and audit event), (3) report.

A PIN of the wrong shape (five digits, a letter) is refused by the signing process
before anything is counted or signed: the prompt stays open for the person to type it
again. A locked signer is told at the press of a signing button (:func:`locked`), and
no prompt opens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from staffbot.app.commands.cases import Sign, SigningLock, SignOutcome, Who
from staffbot.app.commands.chat import FirstTime, ReadConversation
from staffbot.app.commands.conversations import PinPrompt
from staffbot.channels.base import Answer, TextReceived
from staffbot.chat.context import Turn, identify
from staffbot.errors import PinLocked, StaffbotError, ValidationError
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
    if not any(_type_again(o.error) for o in outcomes if o.error is not None):
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


def _type_again(error: StaffbotError) -> bool:
    """A wrong PIN, or one of the wrong shape: the prompt stays open for the next try."""
    return error.code == "pin_wrong" or (
        isinstance(error, ValidationError) and error.params.get("field") == "pin"
    )


async def locked(turn: Turn) -> Answer | None:
    """At the press of a signing button: a locked signer is told until when, and no PIN
    prompt opens (any PIN would be refused until then)."""
    until = await turn.run(SigningLock(Who(staff_id=turn.staff_id)))
    if until is None:
        return None
    return Answer(error_text(PinLocked(until=until), turn.lang), alert=True)

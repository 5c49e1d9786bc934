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
from staffbot.app.commands.conversations import CardPrompts
from staffbot.channels.base import Answer, TextReceived
from staffbot.chat.card_prompts import done_with, still_waiting
from staffbot.chat.context import Turn, identify
from staffbot.errors import PinLocked, StaffbotError, ValidationError
from staffbot.messages import OutgoingMessage
from staffbot.richtext import esc
from staffbot.texts import error_text, t

if TYPE_CHECKING:
    from staffbot.app.bus import MessageBus, Tx


async def pin_conversation(bus: MessageBus, event: TextReceived) -> CardPrompts | None:
    """The chat's cards waiting for a PIN, when this text is one for them."""
    key = f"{event.channel}:{event.chat_id}"
    conversation = await bus.atomically(lambda tx: tx.run(ReadConversation(key)), readonly=True)
    if isinstance(conversation, CardPrompts) and conversation.pin_tasks(event.text):
        return conversation
    return None


async def answer_pin(bus: MessageBus, event: TextReceived, prompts: CardPrompts) -> Answer:
    """One PIN for every card waiting for it (each its own signature and audit event)."""
    staff_id = await bus.atomically(lambda tx: _receive(tx, bus, event))
    if staff_id is None:
        return Answer()
    task_ids = prompts.pin_tasks(event.text)
    actions = {w.task_id: w.action for w in prompts.needing("pin")}
    outcomes: list[SignOutcome] = []
    for action in dict.fromkeys(actions.values()):
        signed: list[SignOutcome] = await bus.handle(
            Sign(
                Who(staff_id=staff_id),
                event.text.strip(),
                task_ids=tuple(i for i in task_ids if actions[i] == action),
                action=action,
            )
        )
        outcomes += signed
    return await bus.atomically(lambda tx: _report(tx, bus, event, task_ids, outcomes))


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
    tx: Tx,
    bus: MessageBus,
    event: TextReceived,
    task_ids: tuple[int, ...],
    outcomes: list[SignOutcome],
) -> Answer:
    turn = Turn(tx, bus.office, event, await identify(tx, event))
    left = None
    if not any(_type_again(o.error) for o in outcomes if o.error is not None):
        # Done, locked or refused for good: these prompts end either way (the cards
        # waiting for something else stay).
        left = await done_with(turn, task_ids)
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
    if left is not None:
        lines += [still_waiting(turn, w) for w in left.waiting if w.number]
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

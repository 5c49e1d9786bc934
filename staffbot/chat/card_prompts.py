"""The cards' prompts of one chat: several may wait at once, each for its own card.

Pressing Tolak on case A and Ajukan TTE on case B leaves both waiting: the next text
is A's reason, the next file is B's result, and B's "Buat Surat Tanggapan" works
whatever was pressed since. Every reply names the case it applied to.
"""

from __future__ import annotations

from collections.abc import Sequence

from staffbot.app.commands.conversations import CardPrompts, Waiting
from staffbot.chat.context import Turn
from staffbot.texts import t


async def open_prompts(turn: Turn) -> CardPrompts:
    """The chat's waiting cards (none while a form such as the intake is in progress:
    a card's prompt opened now replaces the form, as pressing a card always did)."""
    conversation = await turn.conversation()
    return conversation if isinstance(conversation, CardPrompts) else CardPrompts()


async def wait_for(turn: Turn, *waiting: Waiting) -> None:
    await turn.remember((await open_prompts(turn)).adding(*waiting))


async def done_with(turn: Turn, task_ids: Sequence[int]) -> CardPrompts:
    """Close the prompts of these tasks; what still waits."""
    left = (await open_prompts(turn)).without(task_ids)
    if left.waiting:
        await turn.remember(left)
    else:
        await turn.forget()
    return left


def still_waiting(turn: Turn, waiting: Waiting) -> str:
    """A line saying a card still waits, so nothing waits silently."""
    return t(f"chat.still_waiting_{waiting.need}", turn.lang, number=waiting.number)

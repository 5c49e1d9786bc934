"""A prompt's buttons are spent once it is answered (by a button or by text): the message
that carried them is edited to say what was chosen, with no buttons left to tap again."""

from __future__ import annotations

import uuid

from staffbot.app.commands.chat import SpendPrompt
from staffbot.chat.context import Turn
from staffbot.richtext import esc

#: The outbox kind of a reply that carries a prompt's choices (what :func:`spend` edits).
PROMPT = "prompt"


async def spend(turn: Turn, line: str = "", *, task_id: int | None = None) -> bool:
    """Edit the chat's open prompt (of ``task_id``'s card, when given): its choices
    gone, ``line`` (plain text) added."""
    return await turn.run(
        SpendPrompt(
            turn.event.channel,
            turn.event.chat_id,
            turn.staff.id if turn.staff else None,
            esc(line),
            key=f"spent:{turn.chat_key}:{uuid.uuid4().hex}",
            task_id=task_id,
        )
    )

"""Opening a case from the chat (/kasus, a /cari result) and its files (/berkas, the card's
📎 button), for the people the access policy allows (services/access.py)."""

from __future__ import annotations

import secrets

from staffbot.app.commands.cases import Who
from staffbot.app.commands.chat import Button, MenuVerb, ResendCard
from staffbot.app.commands.queries import CaseGlance, LookAtCase, files_command
from staffbot.cards import glance_card
from staffbot.chat.context import Turn
from staffbot.messages import Attachment, OutgoingMessage
from staffbot.richtext import esc
from staffbot.texts import has, t


def case_target(number: str) -> str:
    return f"kasus {number}"


async def show(turn: Turn, ref: str) -> None:
    """The task's card when the case is at this person's step; a card to look at otherwise."""
    if not ref.strip():
        await _say(turn, t("chat.case_usage", turn.lang))
        return
    glance = await _look(turn, ref)
    if glance is None:
        return
    if glance.my_task_id is not None:
        suffix = f":again:{secrets.token_hex(4)}"
        await turn.run(ResendCard(glance.my_task_id, turn.staff_id, key_suffix=suffix))
        return
    buttons = []
    if glance.files:
        label = t("card.files_button", turn.lang, count=len(glance.files))
        buttons.append(Button(label, MenuVerb.MENU, target=files_command(glance.number)))
    key = f"case.status.{glance.status}"
    status = t(key, turn.lang) if has(key) else glance.status
    card = glance_card(glance, status=status, choices=await turn.choices(buttons), lang=turn.lang)
    await turn.reply(card, kind="card")


async def send_files(turn: Turn, ref: str) -> None:
    """Each file of the case this person may open, as a document of their channel."""
    if not ref.strip():
        await _say(turn, t("chat.files_usage", turn.lang))
        return
    glance = await _look(turn, ref)
    if glance is None:
        return
    if not glance.files:
        await _say(turn, t("chat.files_none", turn.lang, number=glance.number))
        return
    for file in glance.files:
        caption = t("chat.file_caption", turn.lang, number=glance.number, filename=file.filename)
        await turn.reply(
            OutgoingMessage(
                text=esc(caption), attachment=Attachment(file.document_id, file.filename)
            ),
            kind="document",
        )


async def _look(turn: Turn, ref: str) -> CaseGlance | None:
    glance = await turn.run(LookAtCase(Who(staff_id=turn.staff_id), ref.strip()))
    if glance is None:
        await _say(turn, t("chat.case_not_allowed", turn.lang, number=ref.strip().upper()))
    return glance


async def _say(turn: Turn, text: str) -> None:
    await turn.reply(OutgoingMessage(text=esc(text)))

"""Signing from the digest: pick the documents (all, less those left out for now) and
sign them with one PIN; each still gets its own signature and audit event, and one
summary message follows (chat/signing.py)."""

from __future__ import annotations

import uuid

from staffbot.app.commands.cases import Who
from staffbot.app.commands.chat import Button, MenuVerb, RedrawPrompt
from staffbot.app.commands.conversations import SignPick, Waiting
from staffbot.app.commands.queries import MyTasks
from staffbot.channels.base import Answer, ChannelName
from staffbot.chat import signing
from staffbot.chat.card_prompts import wait_for
from staffbot.chat.context import Turn
from staffbot.chat.spent import PROMPT, spend
from staffbot.messages import OutgoingMessage
from staffbot.richtext import esc
from staffbot.texts import t

#: Typed to leave documents out by their place in the list: "kecuali 3 7".
_EXCEPT = ("kecuali", "except", "tanpa")


async def press(turn: Turn, target: str) -> Answer:
    if target == "start":
        return await _start(turn)
    pick = await turn.conversation()
    if not isinstance(pick, SignPick):
        return Answer(t("prompt.already_taken", turn.lang))
    if target.startswith("toggle:"):
        task_id = int(target.removeprefix("toggle:") or 0)
        if task_id in pick.task_ids:
            out = set(pick.out) ^ {task_id}
            await _update(
                turn, SignPick(pick.task_ids, pick.numbers, pick.places, _ordered(pick, out))
            )
        return Answer()
    if target == "sign":
        return await _sign(turn, pick)
    await turn.forget()
    await spend(turn, t("prompt.cancelled", turn.lang))
    return Answer()


async def typed(turn: Turn, pick: SignPick, text: str) -> Answer:
    """ "kecuali 3 7": leave the 3rd and 7th out; anything else: say what works."""
    words = text.lower().replace(",", " ").split()
    if words and words[0] in _EXCEPT and all(w.isdigit() for w in words[1:]):
        places = {int(w) for w in words[1:]}
        out = set(pick.out) | {i for n, i in enumerate(pick.task_ids, 1) if n in places}
        await _update(turn, SignPick(pick.task_ids, pick.numbers, pick.places, _ordered(pick, out)))
        return Answer()
    await turn.reply(OutgoingMessage(text=esc(_title(turn, pick))))
    return Answer()


async def _start(turn: Turn) -> Answer:
    if (refusal := await signing.locked(turn)) is not None:
        return refusal
    flow = turn.office.flow
    tasks = [
        task
        for task in await turn.run(MyTasks(Who(staff_id=turn.staff_id)))
        if flow.step(task.step).signed_with_pin
    ]
    if not tasks:
        await turn.reply(OutgoingMessage(text=esc(t("pick.nothing", turn.lang))))
        return Answer()
    pick = SignPick(
        tuple(task.task_id for task in tasks),
        tuple(task.number for task in tasks),
        tuple(task.kecamatan for task in tasks),
    )
    await turn.remember(pick)
    await turn.reply(await _checklist(turn, pick), kind=PROMPT)
    return Answer(t("chat.toast_prompt", turn.lang))


async def _update(turn: Turn, pick: SignPick) -> None:
    await turn.remember(pick)
    message = await _checklist(turn, pick)
    await turn.run(
        RedrawPrompt(
            turn.event.channel,
            turn.event.chat_id,
            turn.staff_id,
            message,
            key=f"{turn.chat_key}:{uuid.uuid4().hex}",
        )
    )


async def _sign(turn: Turn, pick: SignPick) -> Answer:
    chosen = pick.chosen
    if not chosen:
        await turn.reply(OutgoingMessage(text=esc(t("pick.none", turn.lang))))
        return Answer()
    if (refusal := await signing.locked(turn)) is not None:
        return refusal
    numbers = dict(zip(pick.task_ids, pick.numbers, strict=True))
    await turn.forget()
    await spend(turn, t("pick.chosen", turn.lang, chosen=len(chosen)))
    await wait_for(turn, *(Waiting("pin", i, "sign", numbers[i]) for i in chosen))
    text = t(
        "pick.ask_pin",
        turn.lang,
        count=len(chosen),
        numbers=", ".join(numbers[i] for i in chosen),
    )
    if turn.event.channel == ChannelName.WHATSAPP:
        text += "\n" + t("chat.pin_not_deleted", turn.lang)
    await turn.reply(OutgoingMessage(text=esc(text)))
    return Answer(t("chat.toast_prompt", turn.lang))


def _ordered(pick: SignPick, out: set[int]) -> tuple[int, ...]:
    return tuple(i for i in pick.task_ids if i in out)


def _title(turn: Turn, pick: SignPick) -> str:
    return t("pick.title", turn.lang, chosen=len(pick.chosen), count=len(pick.task_ids))


async def _checklist(turn: Turn, pick: SignPick) -> OutgoingMessage:
    lang = turn.lang
    lines = [_title(turn, pick), ""]
    buttons = []
    for i, (task_id, number, place) in enumerate(
        zip(pick.task_ids, pick.numbers, pick.places, strict=True), start=1
    ):
        chosen = task_id not in pick.out
        key = "pick.line_in" if chosen else "pick.line_out"
        lines.append(t(key, lang, i=i, number=number, kecamatan=place))
        label = f"{'✅' if chosen else '⬜'} {number}"
        buttons.append(Button(label, MenuVerb.SIGN_PICK, target=f"toggle:{task_id}"))
    buttons.append(Button(t("pick.sign", lang), MenuVerb.SIGN_PICK, target="sign"))
    buttons.append(Button(t("pick.cancel", lang), MenuVerb.SIGN_PICK, target="cancel"))
    # The last paragraph is what WhatsApp, which cannot redraw, shows of an update.
    lines += ["", t("pick.chosen", lang, chosen=len(pick.chosen))]
    return OutgoingMessage(text=esc("\n".join(lines)), choices=await turn.choices(buttons))

"""SOP step 14 in chat: "Buat BA" lists waiting cases per kecamatan; the Kasi picks."""

from __future__ import annotations

import re

from staffbot.app.commands.cases import MakeBa, Who
from staffbot.app.commands.chat import BaKecamatan, Button, MenuVerb, TaskView, WaitingForBa
from staffbot.app.commands.conversations import BaPick
from staffbot.channels.base import Answer
from staffbot.chat.context import Turn
from staffbot.chat.spent import PROMPT, spend
from staffbot.messages import OutgoingMessage
from staffbot.richtext import esc
from staffbot.texts import t


async def start(turn: Turn, task: TaskView | None = None) -> None:
    """From a case card: straight to that case's kecamatan; from /ba: pick one first."""
    waiting = await turn.run(WaitingForBa(turn.staff_id))
    if not waiting:
        await turn.reply(OutgoingMessage(text=esc(t("ba.none_waiting", turn.lang))))
        return
    if task is not None and not task.is_batch and task.kecamatan in waiting:
        await _show_place(turn, task.kecamatan, waiting[task.kecamatan])
        return
    items = [
        Button(
            t("ba.place_choice", turn.lang, kecamatan=place, count=len(numbers)),
            MenuVerb.BA_PLACE,
            target=place,
        )
        for place, numbers in waiting.items()
    ]
    await turn.reply(
        OutgoingMessage(
            text=esc(t("ba.pick_place", turn.lang)), choices=await turn.choices(items[:30])
        ),
        kind=PROMPT,
    )


async def _show_place(turn: Turn, place: str, numbers: tuple[str, ...]) -> None:
    lines = "\n".join(f"{i}. {n}" for i, n in enumerate(numbers, start=1))
    await turn.remember(BaPick(place, numbers))
    choices = await turn.choices(
        [Button(t("ba.all", turn.lang, count=len(numbers)), MenuVerb.BA_ALL, target=place)]
    )
    await turn.reply(
        OutgoingMessage(
            text=esc(
                t("ba.pick_cases", turn.lang, kecamatan=place, count=len(numbers), lines=lines)
            ),
            choices=choices,
        ),
        kind=PROMPT,
    )


async def press(turn: Turn, verb: MenuVerb, place: str) -> Answer:
    waiting = await turn.run(WaitingForBa(turn.staff_id))
    numbers = waiting.get(place, ())
    if not numbers:
        await spend(turn)
        await turn.reply(OutgoingMessage(text=esc(t("ba.none_waiting", turn.lang))))
        return Answer()
    if verb is MenuVerb.BA_PLACE:
        await spend(turn, t("prompt.chosen", turn.lang, choice=place))
        await _show_place(turn, place, numbers)
        return Answer()
    return await build(turn, numbers)


async def picked(turn: Turn, state: BaPick, text: str) -> Answer:
    numbers = state.numbers
    wanted = [int(x) for x in re.findall(r"\d+", text)]
    if not wanted or any(not 1 <= i <= len(numbers) for i in wanted):
        await turn.reply(OutgoingMessage(text=esc(t("ba.pick_invalid", turn.lang))))
        return Answer()
    return await build(turn, tuple(numbers[i - 1] for i in dict.fromkeys(wanted)))


async def build(turn: Turn, numbers: tuple[str, ...]) -> Answer:
    results = await turn.run(MakeBa(Who(staff_id=turn.staff_id), refs=numbers))
    await turn.forget()
    await spend(turn, t("prompt.ba_made", turn.lang, number=", ".join(r.number for r in results)))
    for result in results:
        kecamatan = await turn.run(BaKecamatan(result.number))
        await turn.reply(
            OutgoingMessage(
                text=esc(
                    t(
                        "ba.made",
                        turn.lang,
                        number=result.number,
                        count=len(result.cases),
                        kecamatan=kecamatan or "?",
                    )
                )
            )
        )
    return Answer(
        t("chat.done", turn.lang, outcome="BA", number=", ".join(r.number for r in results))
    )

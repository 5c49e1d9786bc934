"""SOP step 14 in chat: "Buat BA" lists waiting cases per kecamatan; the Kasi picks."""

from __future__ import annotations

import re

from staffbot.app.commands.cases import MakeBa, Who
from staffbot.channels.base import Answer
from staffbot.chat.context import Turn
from staffbot.messages import OutgoingMessage
from staffbot.richtext import esc
from staffbot.services import batches
from staffbot.services.batches import waiting_for_ba
from staffbot.texts import t
from storage.tables import Task


async def start(turn: Turn, task: Task | None = None) -> None:
    """From a case card: straight to that case's kecamatan; from /ba: pick one first."""
    waiting = await waiting_for_ba(turn.uow, turn.office, for_staff=turn.staff)
    if not waiting:
        await turn.reply(OutgoingMessage(text=esc(t("ba.none_waiting", turn.lang))))
        return
    if task is not None and task.case_id is not None:
        case = await turn.uow.cases.get(task.case_id)
        if case is not None and case.kecamatan in waiting:
            await _show_place(turn, case.kecamatan, [c.number for c in waiting[case.kecamatan]])
            return
    items: list[tuple[str, str, str | None, int | None]] = [
        (
            t("ba.place_choice", turn.lang, kecamatan=place, count=len(cases)),
            "ba_place",
            place,
            None,
        )
        for place, cases in waiting.items()
    ]
    await turn.reply(
        OutgoingMessage(
            text=esc(t("ba.pick_place", turn.lang)), choices=await turn.choices(items[:30])
        )
    )


async def _show_place(turn: Turn, place: str, numbers: list[str]) -> None:
    lines = "\n".join(f"{i}. {n}" for i, n in enumerate(numbers, start=1))
    await turn.remember("ba_pick", {"kecamatan": place, "numbers": numbers})
    choices = await turn.choices(
        [(t("ba.all", turn.lang, count=len(numbers)), "ba_all", place, None)]
    )
    await turn.reply(
        OutgoingMessage(
            text=esc(
                t("ba.pick_cases", turn.lang, kecamatan=place, count=len(numbers), lines=lines)
            ),
            choices=choices,
        )
    )


async def press(turn: Turn, action: str, place: str) -> Answer:
    waiting = await waiting_for_ba(turn.uow, turn.office, for_staff=turn.staff)
    numbers = [c.number for c in waiting.get(place, [])]
    if not numbers:
        await turn.reply(OutgoingMessage(text=esc(t("ba.none_waiting", turn.lang))))
        return Answer()
    if action == "ba_place":
        await _show_place(turn, place, numbers)
        return Answer()
    return await build(turn, numbers)


async def picked(turn: Turn, state: dict[str, object], text: str) -> Answer:
    numbers = [str(n) for n in state.get("numbers", [])]  # type: ignore[attr-defined]
    wanted = [int(x) for x in re.findall(r"\d+", text)]
    if not wanted or any(not 1 <= i <= len(numbers) for i in wanted):
        await turn.reply(OutgoingMessage(text=esc(t("ba.pick_invalid", turn.lang))))
        return Answer()
    return await build(turn, [numbers[i - 1] for i in dict.fromkeys(wanted)])


async def build(turn: Turn, numbers: list[str]) -> Answer:
    assert turn.staff is not None
    command = MakeBa(Who(staff_id=turn.staff.id), refs=tuple(numbers))
    results = await batches.make_ba(command, turn.uow, turn.office)
    await turn.forget()
    for result in results:
        ba = await turn.uow.cases.ba_by_number(result.number)
        await turn.reply(
            OutgoingMessage(
                text=esc(
                    t(
                        "ba.made",
                        turn.lang,
                        number=result.number,
                        count=len(result.cases),
                        kecamatan=ba.kecamatan if ba else "?",
                    )
                )
            )
        )
    return Answer(
        t("chat.done", turn.lang, outcome="BA", number=", ".join(r.number for r in results))
    )

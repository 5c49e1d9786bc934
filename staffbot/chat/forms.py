"""The call center's intake form, one question per message, stored between messages."""

from __future__ import annotations

from typing import Any

from staffbot.app.commands.cases import IntakeForm, RecordCase, Who
from staffbot.chat.context import Turn
from staffbot.errors import StaffbotError
from staffbot.messages import OutgoingMessage
from staffbot.richtext import esc
from staffbot.services import intake
from staffbot.texts import error_text, t
from staffbot.validation import check_keluhan, check_name, check_nik, normalise_phone, pick

FIELDS = ("name", "nik", "wa", "kecamatan", "layanan", "keluhan", "confirm")
#: WhatsApp lists hold 10 rows: long choice lists are paged with a "more" button.
PAGE = 9


async def start_intake(turn: Turn) -> None:
    await turn.remember("intake", {"field": "name", "data": {}})
    await ask(turn, "name", {})


async def ask(turn: Turn, field: str, data: dict[str, Any], page: int = 0) -> None:
    lang = turn.lang
    ref = turn.office.reference
    if field in ("kecamatan", "layanan"):
        options = ref.kecamatan if field == "kecamatan" else ref.layanan
        shown = options[page * PAGE : (page + 1) * PAGE]
        items: list[tuple[str, str, str | None, int | None]] = [
            (o, "form", f"{field}={o}", None) for o in shown
        ]
        if (page + 1) * PAGE < len(options):
            items.append((t("form.more", lang), "form", f"{field}#page={page + 1}", None))
        await turn.reply(
            OutgoingMessage(
                text=esc(t(f"form.ask_{field}", lang)), choices=await turn.choices(items)
            )
        )
        return
    if field == "keluhan":
        choices = await turn.choices([(t("form.skip", lang), "form", "keluhan=", None)])
        await turn.reply(OutgoingMessage(text=esc(t("form.ask_keluhan", lang)), choices=choices))
        return
    if field == "confirm":
        text = t(
            "form.confirm",
            lang,
            name=data["name"],
            nik=data["nik"],
            wa=data["wa"],
            kecamatan=data["kecamatan"],
            layanan=data["layanan"],
            keluhan=data.get("keluhan") or "-",
        )
        choices = await turn.choices(
            [
                (t("form.save", lang), "form", "confirm=yes", None),
                (t("form.cancel", lang), "form", "confirm=no", None),
            ]
        )
        await turn.reply(OutgoingMessage(text=esc(text), choices=choices))
        return
    await turn.reply(OutgoingMessage(text=esc(t(f"form.ask_{field}", lang))))


async def answer(turn: Turn, state: dict[str, Any], value: str) -> None:
    """Take one answer: validate it on the spot, store it, ask the next question."""
    field = state["field"]
    data: dict[str, Any] = dict(state.get("data", {}))
    office = turn.office
    if field == "kecamatan" and value.startswith("#page="):
        await ask(turn, field, data, page=int(value.removeprefix("#page=")))
        return
    if field == "layanan" and value.startswith("#page="):
        await ask(turn, field, data, page=int(value.removeprefix("#page=")))
        return
    try:
        if field == "name":
            data["name"] = check_name(value)
        elif field == "nik":
            data["nik"] = check_nik(
                value,
                regency_codes=office.reference.regency_codes,
                today=office.local(office.now()).date(),
            ).nik
        elif field == "wa":
            data["wa"] = normalise_phone(value)
        elif field == "kecamatan":
            data["kecamatan"] = pick(value, office.reference.kecamatan, field="kecamatan")
        elif field == "layanan":
            data["layanan"] = pick(value, office.reference.layanan, field="layanan")
        elif field == "keluhan":
            data["keluhan"] = check_keluhan(value)
        elif field == "confirm":
            await _confirm(turn, data, value)
            return
    except StaffbotError as exc:
        await turn.reply(OutgoingMessage(text=esc(error_text(exc, turn.lang))))
        await ask(turn, field, data)
        return
    following = FIELDS[FIELDS.index(field) + 1]
    await turn.remember("intake", {"field": following, "data": data})
    await ask(turn, following, data)


async def _confirm(turn: Turn, data: dict[str, Any], value: str) -> None:
    await turn.forget()
    if value.strip().lower() not in ("yes", "ya", "simpan", "save"):
        await turn.reply(OutgoingMessage(text=esc(t("chat.cancelled", turn.lang))))
        return
    assert turn.staff is not None
    form = IntakeForm(
        name=data["name"],
        nik=data["nik"],
        wa=data["wa"],
        kecamatan=data["kecamatan"],
        layanan=data["layanan"],
        keluhan=data.get("keluhan", ""),
    )
    command = RecordCase(Who(staff_id=turn.staff.id), form)
    result = await intake.record_case(command, turn.uow, turn.office)
    for warning in result.warnings:
        await turn.reply(OutgoingMessage(text=esc(warning)))
    await turn.reply(
        OutgoingMessage(text=t("form.saved", turn.lang, number=esc(result.number))),
        case_id=result.case_id,
    )


__all__ = ["answer", "ask", "start_intake"]

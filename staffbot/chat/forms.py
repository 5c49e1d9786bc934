"""The call center's intake form, one question per message, stored between messages."""

from __future__ import annotations

from dataclasses import replace

from staffbot.app.commands.cases import IntakeForm, RecordCase, Who
from staffbot.app.commands.chat import Button, MenuVerb
from staffbot.app.commands.conversations import INTAKE_FIELDS, IntakeState
from staffbot.chat.context import Turn
from staffbot.chat.spent import PROMPT, spend
from staffbot.errors import StaffbotError
from staffbot.masking import mask_free_text, mask_nik, mask_phone
from staffbot.messages import OutgoingMessage
from staffbot.richtext import esc
from staffbot.texts import error_text, t
from staffbot.validation import check_keluhan, check_name, check_nik, normalise_phone, pick

#: Questions answered by a choice: their prompt is edited to say what was chosen.
_CHOSEN = ("kecamatan", "layanan")

#: A long complaint is cut to this many characters where its question shows it.
_SHOWN = 80

#: WhatsApp lists hold 10 rows: long choice lists are paged with a "more" button.
PAGE = 9


def _form_button(label: str, target: str) -> Button:
    return Button(label, MenuVerb.FORM, target=target)


async def start_intake(turn: Turn) -> None:
    state = IntakeState()
    await turn.remember(state)
    await ask(turn, state)


async def ask(turn: Turn, state: IntakeState, page: int = 0) -> None:
    lang = turn.lang
    ref = turn.office.reference
    field = state.field
    if field in ("kecamatan", "layanan"):
        options = ref.kecamatan if field == "kecamatan" else ref.layanan
        shown = options[page * PAGE : (page + 1) * PAGE]
        items = [_form_button(o, f"{field}={o}") for o in shown]
        if (page + 1) * PAGE < len(options):
            items.append(_form_button(t("form.more", lang), f"{field}#page={page + 1}"))
        await turn.reply(
            OutgoingMessage(
                text=esc(t(f"form.ask_{field}", lang)), choices=await turn.choices(items)
            ),
            kind=PROMPT,
        )
        return
    if field == "keluhan":
        choices = await turn.choices([_form_button(t("form.skip", lang), "keluhan=")])
        await turn.reply(
            OutgoingMessage(text=esc(t("form.ask_keluhan", lang)), choices=choices), kind=PROMPT
        )
        return
    if field == "confirm":
        text = t(
            "form.confirm",
            lang,
            name=state.name,
            nik=state.nik,
            wa=state.wa,
            kecamatan=state.kecamatan,
            layanan=state.layanan,
            keluhan=state.keluhan or "-",
        )
        choices = await turn.choices(
            [
                _form_button(t("form.save", lang), "confirm=yes"),
                _form_button(t("form.edit", lang), "confirm=edit"),
                _form_button(t("form.cancel", lang), "confirm=no"),
            ]
        )
        await turn.reply(OutgoingMessage(text=esc(text), choices=choices), kind=PROMPT)
        return
    # A prompt too, though without choices: once answered it is edited to show the answer,
    # so a reloaded web chat (which keeps only the bot's messages) shows what was given.
    await turn.reply(OutgoingMessage(text=esc(t(f"form.ask_{field}", lang))), kind=PROMPT)


def _given(state: IntakeState, field: str) -> str:
    """An answer as its spent question shows it: NIK and phone masked, as on cards, since
    the chat keeps it for good."""
    if field == "nik":
        return mask_nik(state.nik)
    if field == "wa":
        return mask_phone(state.wa)
    if field == "keluhan":
        text = mask_free_text(state.keluhan)
        return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
    return str(getattr(state, field))


async def answer(turn: Turn, state: IntakeState, value: str) -> None:
    """Take one answer: validate it on the spot, store it, ask the next question."""
    field = state.field
    office = turn.office
    if field in ("kecamatan", "layanan") and value.startswith("#page="):
        await spend(turn, t("prompt.next_page", turn.lang))
        await ask(turn, state, page=int(value.removeprefix("#page=")))
        return
    try:
        if field == "name":
            state = replace(state, name=check_name(value))
        elif field == "nik":
            nik = check_nik(
                value,
                regency_codes=office.reference.regency_codes,
                today=office.local(office.now()).date(),
            ).nik
            state = replace(state, nik=nik)
        elif field == "wa":
            state = replace(state, wa=normalise_phone(value))
        elif field == "kecamatan":
            state = replace(
                state, kecamatan=pick(value, office.reference.kecamatan, field="kecamatan")
            )
        elif field == "layanan":
            state = replace(state, layanan=pick(value, office.reference.layanan, field="layanan"))
        elif field == "keluhan":
            state = replace(state, keluhan=check_keluhan(value))
        elif field == "confirm":
            await _confirm(turn, state, value)
            return
    except StaffbotError as exc:
        await spend(turn)
        await turn.reply(OutgoingMessage(text=esc(error_text(exc, turn.lang))))
        await ask(turn, state)
        return
    if field in _CHOSEN:
        await spend(turn, t("prompt.chosen", turn.lang, choice=getattr(state, field)))
    elif field == "keluhan" and not state.keluhan:
        await spend(turn, t("prompt.chosen", turn.lang, choice=t("form.skip", turn.lang)))
    else:
        await spend(turn, t("prompt.answered", turn.lang, answer=_given(state, field)))
    after = "confirm" if state.review else INTAKE_FIELDS[INTAKE_FIELDS.index(field) + 1]
    state = replace(state, field=after, review=False)
    await turn.remember(state)
    await ask(turn, state)


#: What the summary takes, typed or pressed (lower case).
_SAVE = ("yes", "ya", "simpan", "save")
_CANCEL = ("no", "tidak", "batal", "cancel")
_EDIT = ("edit", "ubah")
#: The answers the summary can send back to, as typed after "ubah" (lower case).
_FIELD_WORDS = {
    "nama": "name",
    "name": "name",
    "nik": "nik",
    "wa": "wa",
    "whatsapp": "wa",
    "hp": "wa",
    "kecamatan": "kecamatan",
    "layanan": "layanan",
    "service": "layanan",
    "keluhan": "keluhan",
    "complaint": "keluhan",
}


async def _confirm(turn: Turn, state: IntakeState, value: str) -> None:
    """The summary: save, cancel, or correct one answer. Anything else keeps every
    answer and says what the summary takes (six answers are not thrown away)."""
    words = value.strip().lower().split()
    if words and words[0] in _EDIT:
        await _correct(turn, state, words[1:])
        return
    if words and words[0].startswith("edit:"):
        await _correct(turn, state, [words[0].removeprefix("edit:")])
        return
    if len(words) != 1 or words[0] not in _SAVE + _CANCEL:
        await spend(turn)
        await turn.reply(OutgoingMessage(text=esc(t("form.confirm_help", turn.lang))))
        await ask(turn, state)
        return
    await turn.forget()
    if words[0] in _CANCEL:
        await spend(turn, t("prompt.cancelled", turn.lang))
        await turn.reply(OutgoingMessage(text=esc(t("chat.cancelled", turn.lang))))
        return
    form = IntakeForm(
        name=state.name,
        nik=state.nik,
        wa=state.wa,
        kecamatan=state.kecamatan,
        layanan=state.layanan,
        keluhan=state.keluhan,
    )
    result = await turn.run(RecordCase(Who(staff_id=turn.staff_id), form))
    await spend(turn, t("prompt.saved", turn.lang, number=result.number))
    for warning in result.warnings:
        await turn.reply(OutgoingMessage(text=esc(warning)))
    await turn.reply(
        OutgoingMessage(text=t("form.saved", turn.lang, number=esc(result.number))),
        case_id=result.case_id,
    )


async def _correct(turn: Turn, state: IntakeState, words: list[str]) -> None:
    """Back to one question (named, or chosen from a list), then to the summary."""
    field = _FIELD_WORDS.get(words[0]) if words else None
    if field is None:
        await spend(turn, t("prompt.chosen", turn.lang, choice=t("form.edit", turn.lang)))
        items = [
            _form_button(t(f"form.field_{f}", turn.lang), f"confirm=edit:{f}")
            for f in INTAKE_FIELDS[:-1]
        ]
        await turn.reply(
            OutgoingMessage(
                text=esc(t("form.which", turn.lang)), choices=await turn.choices(items)
            ),
            kind=PROMPT,
        )
        return
    label = t(f"form.field_{field}", turn.lang)
    await spend(turn, t("prompt.chosen", turn.lang, choice=label))
    state = replace(state, field=field, review=True)
    await turn.remember(state)
    await ask(turn, state)


__all__ = ["answer", "ask", "start_intake"]

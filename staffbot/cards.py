"""Cards: the message a role holder gets for a task, and its edit once acted on. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo

from flows.model import Action, Flow, Step
from staffbot.app.commands.queries import CaseGlance
from staffbot.masking import mask_free_text, mask_nik, mask_phone
from staffbot.messages import Choice, OutgoingMessage
from staffbot.richtext import b, esc
from staffbot.texts import t
from staffbot.texts.delivery import dt, state_label, what_label
from staffbot.timefmt import long_time, short_time

KELUHAN_PREVIEW = 200


@dataclass(frozen=True)
class CaseFacts:
    number: str
    applicant_name: str
    nik: str
    wa_number: str
    kecamatan: str
    layanan: str
    keluhan: str = ""
    registration_no: str | None = None
    nik_outside: bool = False
    needs_manual_check: bool = False


@dataclass(frozen=True)
class Happened:
    """The last thing done to the case, for the card's history line."""

    outcome: str
    actor: str
    at: datetime
    reason: str | None = None
    #: The reason was a rejection's ("Alasan"), not a forward action's note ("Catatan").
    is_back: bool = True


def action_label(action: Action, lang: str) -> str:
    return action.label_en if lang == "en" and action.label_en else action.label


def outcome_label(action: Action, lang: str) -> str:
    return action.outcome_en if lang == "en" and action.outcome_en else action.outcome


def step_title(step: Step, lang: str) -> str:
    return step.title_en if lang == "en" and step.title_en else step.title


def case_card(
    flow: Flow,
    step: Step,
    case: CaseFacts,
    *,
    due: datetime | None,
    paused: bool,
    last: Happened | None,
    choices: Sequence[Choice],
    tz: tzinfo,
    now: datetime,
    lang: str = "id",
    files: Sequence[str] = (),
) -> OutgoingMessage:
    nik = case.nik if "nik" in step.reveals else mask_nik(case.nik)
    phone = case.wa_number if "phone" in step.reveals else mask_phone(case.wa_number)

    def free(text: str) -> str:
        # what people typed (a complaint, a file name, a reason) may hold a NIK too
        return mask_free_text(
            text, nik="nik" not in step.reveals, phone="phone" not in step.reveals
        )

    lines = [
        "📄 " + b(t("card.case", lang, number=case.number)),
        esc(t("card.step", lang, no=step.sop_no, title=step_title(step, lang))),
        esc(t("card.applicant", lang, name=case.applicant_name, nik=nik)),
        esc(t("card.phone", lang, phone=phone)),
        esc(t("card.place", lang, kecamatan=case.kecamatan, layanan=case.layanan)),
    ]
    if case.registration_no:
        lines.append(esc(t("card.registration", lang, number=case.registration_no)))
    if case.keluhan:
        preview = (
            case.keluhan
            if len(case.keluhan) <= KELUHAN_PREVIEW
            else (case.keluhan[: KELUHAN_PREVIEW - 1] + "…")
        )
        lines.append(esc(t("card.keluhan", lang, keluhan=free(preview))))
    if files:
        names = free(", ".join(files[:5]))
        lines.append(esc(t("card.files", lang, count=len(files), names=names)))
    if case.nik_outside:
        lines.append(esc(t("card.flag_outside", lang)))
    if case.needs_manual_check:
        lines.append(esc(t("card.flag_manual", lang)))
    if last is not None and last.reason:
        last = replace(last, reason=free(last.reason))
    lines += _timing(due, paused, last, tz, now, lang)
    return OutgoingMessage(text="\n".join(lines), choices=tuple(choices))


def glance_card(
    glance: CaseGlance, *, status: str, choices: Sequence[Choice], lang: str = "id"
) -> OutgoingMessage:
    """A case opened to look at (/cari, /kasus): no actions of the step, NIK and phone
    masked whoever looks, its files listed (the button sends them)."""
    title = "card.ba" if glance.is_batch else "card.case"
    lines = [
        "📄 " + b(t(title, lang, number=glance.number)),
        esc(t("card.step", lang, no=glance.sop_no, title=glance.step_title)),
        esc(t("card.status", lang, status=status)),
    ]
    if glance.applicant_name is not None:
        lines.append(esc(t("card.applicant", lang, name=glance.applicant_name, nik=glance.nik)))
        lines.append(esc(t("card.phone", lang, phone=glance.phone)))
    lines.append(esc(t("card.place", lang, kecamatan=glance.kecamatan, layanan=glance.layanan)))
    if glance.registration_no:
        lines.append(esc(t("card.registration", lang, number=glance.registration_no)))
    if glance.files:
        names = mask_free_text(", ".join(f.filename for f in glance.files[:5]))
        lines.append(esc(t("card.documents", lang, names=names)))
    # the documents sent to the applicant, each as far as it got (its newest message)
    sent = {d.filename: d for d in glance.deliveries if d.is_document}
    for d in list(sent.values())[-3:]:
        what, state = what_label(d.what, None, lang), state_label(d.state, lang)
        lines.append(esc(dt("card.line", lang, what=what, state=state)))
    lines.append(esc(t("card.look", lang)))
    return OutgoingMessage(text="\n".join(lines), choices=tuple(choices))


def ba_card(
    step: Step,
    *,
    number: str,
    kecamatan: str,
    case_numbers: Sequence[str],
    due: datetime | None,
    last: Happened | None,
    choices: Sequence[Choice],
    tz: tzinfo,
    now: datetime,
    lang: str = "id",
) -> OutgoingMessage:
    shown = ", ".join(case_numbers[:20]) + (" …" if len(case_numbers) > 20 else "")
    lines = [
        "🗂 " + b(t("card.ba", lang, number=number)),
        esc(t("card.step", lang, no=step.sop_no, title=step_title(step, lang))),
        esc(t("card.ba_place", lang, kecamatan=kecamatan, count=len(case_numbers))),
        esc(t("card.ba_cases", lang, numbers=shown)),
    ]
    lines += _timing(due, False, last, tz, now, lang)
    return OutgoingMessage(text="\n".join(lines), choices=tuple(choices))


def _timing(
    due: datetime | None, paused: bool, last: Happened | None, tz: tzinfo, now: datetime, lang: str
) -> list[str]:
    lines: list[str] = []
    if paused:
        lines.append(esc(t("card.paused", lang)))
    elif due is not None:
        lines.append(esc(t("card.due", lang, due=long_time(due, tz, lang))))
    if last is not None:
        lines.append(
            esc(
                t(
                    "card.last",
                    lang,
                    outcome=last.outcome,
                    actor=last.actor,
                    at=short_time(last.at, tz, now, lang),
                )
            )
        )
        if last.reason:
            said = "card.reason" if last.is_back else "card.note"
            lines.append(esc(t(said, lang, reason=last.reason)))
    return lines


def outcome_line(
    action: Action,
    *,
    actor: str,
    at: datetime,
    tz: tzinfo,
    now: datetime,
    lang: str = "id",
    on_behalf_of: str | None = None,
    reason: str | None = None,
) -> str:
    key = "card.outcome_back" if action.is_back else "card.outcome"
    who = actor + (t("card.on_behalf", lang, name=on_behalf_of) if on_behalf_of else "")
    line = b(
        t(
            key,
            lang,
            outcome=outcome_label(action, lang),
            actor=who,
            at=short_time(at, tz, now, lang),
        )
    )
    if reason:
        # a back action's reason; a forward action's note ("ditandatangani di SIAK")
        said = "card.reason" if action.is_back else "card.note"
        line += "\n" + esc(t(said, lang, reason=mask_free_text(reason)))
    return line

"""Commands: /start, /tugas, /cari, /kasus, /berkas, /ambil, /baru, /ba, /laporan,
/ringkasan, /kirimulang, /batal, /bantuan (/help)."""

from __future__ import annotations

from staffbot.app.commands.cases import Claim, Who
from staffbot.app.commands.chat import Button, HoldsRole, MenuVerb, RolesOf
from staffbot.app.commands.deliveries import ResendToApplicant
from staffbot.app.commands.queries import SearchCases
from staffbot.app.commands.reports import MakeReport, ReportKind
from staffbot.app.commands.staff import CARDS_DIGEST, CARDS_EACH, ChangeStaff
from staffbot.channels.base import Answer
from staffbot.chat import ba_picker, case_view, forms, tasks_menu
from staffbot.chat.context import Turn
from staffbot.masking import mask_free_text, mask_nik
from staffbot.messages import Attachment, OutgoingMessage
from staffbot.richtext import b, esc
from staffbot.texts import has, t
from staffbot.texts.delivery import dt

ALIASES = {
    "start": "start",
    "mulai": "start",
    "tugas": "tasks",
    "tasks": "tasks",
    "cari": "search",
    "search": "search",
    "kasus": "case",
    "case": "case",
    "berkas": "files",
    "files": "files",
    "ambil": "claim",
    "claim": "claim",
    "baru": "new_case",
    "new": "new_case",
    "ba": "ba",
    "batal": "cancel",
    "cancel": "cancel",
    "bantuan": "help",
    "help": "help",
    "menu": "start",
    "laporan": "report",
    "ringkasan": "cards",
    "digest": "cards",
    "report": "report",
    "kirimulang": "resend",
    "resend": "resend",
}

#: Who may pull the reports from the chat: the section heads and above.
REPORT_ROLES = ("kasi_identitas_penduduk", "kasi_inovasi", "kepala_bidang", "kepala_dinas")


async def _cards(turn: Turn, choice: str) -> None:
    """/ringkasan: task cards one per document, or gathered in one digest."""
    assert turn.staff is not None
    mode = turn.staff.cards
    if choice in (CARDS_EACH, CARDS_DIGEST):
        await turn.run(ChangeStaff(turn.staff.nip, by=turn.staff.name, cards=choice))
        mode = choice
    buttons = [
        Button(t("cards.each", turn.lang), MenuVerb.MENU, target=f"ringkasan {CARDS_EACH}"),
        Button(t("cards.digest", turn.lang), MenuVerb.MENU, target=f"ringkasan {CARDS_DIGEST}"),
    ]
    text = t("cards.now_digest" if mode == CARDS_DIGEST else "cards.now_each", turn.lang)
    await turn.reply(OutgoingMessage(text=esc(text), choices=await turn.choices(buttons)))


async def run(turn: Turn, command: str, args: str) -> Answer:
    # A menu button carries a whole command line ("kasus PO-2026-00001"): the same as typed.
    command, _, rest = command.strip().partition(" ")
    args = args or rest
    name = ALIASES.get(command.lower().lstrip("/"), "")
    if name == "cancel":
        if await turn.conversation() is None:
            await _say(turn, t("chat.nothing_to_cancel", turn.lang))
        else:
            await turn.forget()
            await _say(turn, t("chat.cancelled", turn.lang))
        return Answer()
    if name == "start":
        await welcome(turn)
    elif name == "tasks":
        await tasks_menu.list_tasks(turn)
    elif name == "cards":
        await _cards(turn, args.strip().lower())
    elif name == "search":
        await _search(turn, args)
    elif name == "case":
        await case_view.show(turn, args)
    elif name == "files":
        await case_view.send_files(turn, args)
    elif name == "claim":
        await _claim(turn, args)
    elif name == "resend":
        await _resend(turn, args)
    elif name == "new_case":
        if not await _holds(turn, turn.office.flow.step("catat").role):
            await _say(turn, t("chat.not_allowed", turn.lang))
        else:
            await forms.start_intake(turn)
    elif name == "ba":
        collect = [s.role for s in turn.office.flow.steps if s.collects_batch]
        if not any([await _holds(turn, role) for role in collect]):
            await _say(turn, t("chat.not_allowed", turn.lang))
        else:
            await ba_picker.start(turn)
    elif name == "report":
        if not any([await _holds(turn, role) for role in REPORT_ROLES]):
            await _say(turn, t("chat.not_allowed", turn.lang))
        else:
            await _reports(turn)
    else:
        await turn.reply(OutgoingMessage(text=t("chat.help", turn.lang)))
    return Answer()


async def welcome(turn: Turn) -> None:
    assert turn.staff is not None
    roles = await turn.run(RolesOf(turn.staff.id))
    labels = ", ".join(turn.office.flow.role(r).label for r in sorted(roles)) or "-"
    items = [Button(t("chat.menu_tasks", turn.lang), MenuVerb.MENU, target="tugas")]
    if turn.office.flow.step("catat").role in roles:
        items.insert(0, Button(t("chat.menu_new_case", turn.lang), MenuVerb.MENU, target="baru"))
    if any(s.role in roles for s in turn.office.flow.steps if s.collects_batch):
        items.append(Button(t("chat.menu_ba", turn.lang), MenuVerb.MENU, target="ba"))
    await turn.reply(
        OutgoingMessage(
            text=esc(t("chat.welcome", turn.lang, name=turn.staff.name, roles=labels)),
            choices=await turn.choices(items),
        )
    )


async def _holds(turn: Turn, role: str) -> bool:
    return await turn.run(HoldsRole(turn.staff_id, role))


def _status_word(status: str, lang: str) -> str:
    """The case status as a word of the chat's language ("open" is "diproses")."""
    key = f"case.status.{status}"
    return t(key, lang) if has(key) else status


async def _search(turn: Turn, query: str) -> None:
    lang = turn.lang
    if not query.strip():
        await turn.reply(OutgoingMessage(text=t("chat.search_usage", lang)))
        return
    cases = await turn.run(SearchCases(query))
    if not cases:
        await _say(turn, t("chat.search_none", lang))
        return
    lines = [b(t("chat.search_title", lang, count=len(cases)))]
    items: list[Button] = []
    for case in cases[:10]:
        lines.append(
            esc(
                t(
                    "chat.search_line",
                    lang,
                    number=case.number,
                    name=case.applicant_name,
                    nik=mask_nik(case.nik),
                    kecamatan=case.kecamatan,
                    sop_no=case.sop_no,
                    status=_status_word(case.status, lang),
                )
            )
        )
        # Opened by number when pressed: the task's card if it is this person's now, the
        # case to look at otherwise (a finished case too), as the access policy allows.
        label = t("chat.open", lang, number=case.number)
        items.append(Button(label, MenuVerb.MENU, target=case_view.case_target(case.number)))
    await turn.reply(OutgoingMessage(text="\n".join(lines), choices=await turn.choices(items)))


async def _claim(turn: Turn, ref: str) -> None:
    """/ambil <nomor kasus>: take the case's open task (services/claims.py)."""
    if not ref.strip():
        await _say(turn, t("claim.usage", turn.lang))
        return
    result = await turn.run(Claim(Who(staff_id=turn.staff_id), ref=ref.strip()))
    key = "claim.done" if result.changed else "claim.already_yours"
    await _say(turn, t(key, turn.lang, number=result.number, no=result.sop_no))


async def _resend(turn: Turn, ref: str) -> None:
    """/kirimulang <nomor kasus> (the delivery alert's button): the case's documents
    that did not reach the applicant, sent again (services/deliveries.py)."""
    lang = turn.lang
    if not ref.strip():
        await _say(turn, dt("resend.usage", lang))
        return
    result = await turn.run(ResendToApplicant(Who(staff_id=turn.staff_id), ref.strip()))
    if not result.documents:
        await _say(turn, dt("resend.nothing", lang, number=result.number))
        return
    names = mask_free_text(", ".join(result.documents))
    count = len(result.documents)
    await _say(
        turn,
        dt("resend.done", lang, count=count, number=result.number, phone=result.to, names=names),
    )


async def _reports(turn: Turn) -> None:
    """This month so far: the rekap per kecamatan and the Mutu Baku report, as PDFs."""
    kinds: tuple[tuple[ReportKind, str], ...] = (
        ("rekap", "chat.report_rekap"),
        ("mutu_baku", "chat.report_mutu"),
    )
    period = None  # this month so far, the same for both reports
    for kind, key in kinds:
        report = await turn.run(MakeReport(kind, period, created_by=turn.staff_id))
        period = report.period
        assert period is not None
        start, end = period.start.isoformat(), period.end.isoformat()
        caption = t(key, turn.lang, start=start, end=end)
        attachment = Attachment(report.document_id, report.filename)
        await turn.reply(OutgoingMessage(text=esc(caption), attachment=attachment), kind="document")


async def _say(turn: Turn, text: str) -> None:
    await turn.reply(OutgoingMessage(text=esc(text)))

"""The applicant's side on WhatsApp: files attached to their open case, a polite answer."""

from __future__ import annotations

from staffbot.app.commands.chat import ApplicantCase, FindApplicantCase, ReceiveApplicantFile
from staffbot.channels.base import Answer, FileReceived, Incoming, TextReceived
from staffbot.chat.context import Turn
from staffbot.messages import OutgoingMessage
from staffbot.richtext import esc
from staffbot.services.files import check_size
from staffbot.texts import t
from staffbot.validation import normalise_phone


async def handle(turn: Turn, event: Incoming) -> Answer:
    try:
        phone = normalise_phone(event.user_id)
    except Exception:
        return Answer()
    case = await turn.run(FindApplicantCase(phone))
    lang = turn.office.language
    if case is None:
        await turn.reply(OutgoingMessage(text=esc(t("applicant.no_case", lang))), kind="applicant")
        return Answer()
    if isinstance(event, FileReceived) and event.fetch is not None:
        await receive_file(turn, case, event)
    elif isinstance(event, TextReceived):
        await turn.reply(
            OutgoingMessage(text=esc(t("applicant.text_ack", lang, number=case.number))),
            kind="applicant",
            case_id=case.case_id,
        )
    return Answer()


async def receive_file(turn: Turn, case: ApplicantCase, event: FileReceived) -> None:
    """Store the file on the case (it resumes a case waiting for files), say thanks."""
    assert event.fetch is not None
    check_size(event.size)
    data = await event.fetch()
    lang = turn.office.language
    # Queued before the file's cards, as a person reads it; a refused file rolls it back.
    await turn.reply(
        OutgoingMessage(text=esc(t("applicant.files_received", lang, count=1, number=case.number))),
        kind="applicant",
        case_id=case.case_id,
    )
    await turn.run(ReceiveApplicantFile(case.case_id, data, event.filename or "berkas"))

"""The applicant's side on WhatsApp: files attached to their open case, a polite answer."""

from __future__ import annotations

from staffbot.channels.base import Answer, FileReceived, Incoming, TextReceived
from staffbot.chat.context import Turn
from staffbot.messages import OutgoingMessage
from staffbot.richtext import esc
from staffbot.services.files import check_size, store_document
from staffbot.services.intake import APPLICANT
from staffbot.services.tasks import push_cards, schedule_fields
from staffbot.services.work_items import CaseItem
from staffbot.texts import t
from staffbot.validation import normalise_phone
from storage.tables import Case


async def handle(turn: Turn, event: Incoming) -> Answer:
    try:
        phone = normalise_phone(event.user_id)
    except Exception:
        return Answer()
    cases = await turn.uow.cases.open_for_phone(phone)
    case = cases[0] if cases else None
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
            case_id=case.id,
        )
    return Answer()


async def receive_file(turn: Turn, case: Case, event: FileReceived) -> None:
    """Store the file on the case; a case waiting for files resumes its clock."""
    assert event.fetch is not None and case.id is not None
    check_size(event.size)
    data = await event.fetch()
    document = await store_document(
        turn.uow,
        turn.office,
        data=data,
        filename=event.filename or "berkas",
        kind="berkas",
        case_id=case.id,
    )
    now = turn.office.now()
    await turn.uow.audit.append(
        at=now,
        kind="applicant_file",
        actor=APPLICANT,
        case_id=case.id,
        # the applicant's own file name may carry personal data: not in the hash chain
        data={"document_id": document.id, "mime": document.mime_type},
    )
    lang = turn.office.language
    await turn.reply(
        OutgoingMessage(text=esc(t("applicant.files_received", lang, count=1, number=case.number))),
        kind="applicant",
        case_id=case.id,
    )
    task = await turn.uow.tasks.open_for_case(case.id)
    if task is None:
        return
    if task.paused_at is not None:
        step = turn.office.flow.step(task.step)
        await turn.uow.tasks.set_fields(
            task, paused_at=None, **schedule_fields(turn.office, step, now)
        )
        await turn.uow.audit.append(
            at=now,
            kind="resumed",
            actor=APPLICANT,
            case_id=case.id,
            task_id=task.id,
            from_step=task.step,
            to_step=task.step,
            data={"reason": "berkas diterima"},
        )
    # The holders get the card again, now listing the new file.
    await push_cards(
        turn.uow,
        turn.office,
        task,
        item=CaseItem(case),
        last=None,
        key_suffix=f":file:{document.id}",
    )

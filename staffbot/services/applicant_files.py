"""The applicant's side of the chat: which open case a WhatsApp number has, and a file
the applicant sent (stored, the paused deadline resumed, the holders' cards edited)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from staffbot.app.bus import Command, Handler
from staffbot.app.commands.chat import ApplicantCase, FindApplicantCase, ReceiveApplicantFile
from staffbot.messages import Choice
from staffbot.services import notify
from staffbot.services.context import Office
from staffbot.services.file_button import with_files_button
from staffbot.services.files import store_document
from staffbot.services.intake import APPLICANT
from staffbot.services.tasks import push_cards, schedule_fields
from staffbot.services.work_items import CaseItem
from storage.tables import Staff
from storage.uow import UnitOfWork


async def find_applicant_case(
    cmd: FindApplicantCase, uow: UnitOfWork, office: Office
) -> ApplicantCase | None:
    cases = await uow.cases.open_for_phone(cmd.phone)
    if not cases or cases[0].id is None:
        return None
    return ApplicantCase(cases[0].id, cases[0].number)


async def receive_applicant_file(
    cmd: ReceiveApplicantFile, uow: UnitOfWork, office: Office
) -> None:
    case = await uow.cases.get(cmd.case_id)
    assert case is not None and case.id is not None
    document = await store_document(
        uow, office, data=cmd.data, filename=cmd.filename, kind="berkas", case_id=case.id
    )
    now = office.now()
    await uow.audit.append(
        at=now,
        kind="applicant_file",
        actor=APPLICANT,
        case_id=case.id,
        # the applicant's own file name may carry personal data: not in the hash chain
        data={"document_id": document.id, "mime": document.mime_type},
    )
    task = await uow.tasks.open_for_case(case.id)
    if task is None:
        return
    if task.paused_at is not None:
        step = office.flow.step(task.step)
        await uow.tasks.set_fields(task, paused_at=None, **schedule_fields(office, step, now))
        await uow.audit.append(
            at=now,
            kind="resumed",
            actor=APPLICANT,
            case_id=case.id,
            task_id=task.id,
            from_step=task.step,
            to_step=task.step,
            data={"reason": "berkas diterima"},
        )
    # The holders' cards are edited to list the new file: one card per case, not one
    # more per file (a holder who has none yet, e.g. a task opened before cards were
    # kept, gets one).
    item = CaseItem(case)
    step = office.flow.step(task.step)
    card = await item.card(uow, office, step, task, None)

    async def rechoose(choices: Sequence[Choice], person: Staff, lang: str) -> list[Choice]:
        return await with_files_button(
            uow, office, choices, staff=person, step=step, item=item, lang=lang
        )

    edited = await notify.refresh_cards_of(
        uow,
        office,
        task,
        lambda choices, lang: card(choices=choices, lang=lang),
        key=f"file:{document.id}",
        rechoose=rechoose,
    )
    if not edited:
        await push_cards(uow, office, task, item=item, last=None, key_suffix=f":file:{document.id}")


HANDLERS: dict[type[Command[Any]], Handler] = {
    FindApplicantCase: find_applicant_case,
    ReceiveApplicantFile: receive_applicant_file,
}

"""The result document of SOP step 8: uploaded by the operator, or the standard reply
letter the bot makes ("Buat Surat Tanggapan" in the chat, `case act --generate` on the
command line). An uploaded PDF that already carries a valid signature is noted as such
(:mod:`staffbot.services.presigned`): it is never stamped a second time."""

from __future__ import annotations

from typing import Any

from flows.errors import AlreadyDone
from staffbot.app.bus import Command, Handler
from staffbot.app.commands.chat import MakeSurat, StoreResult
from staffbot.app.commands.files import GenerateResult
from staffbot.errors import AuthError
from staffbot.services.actors import find_staff
from staffbot.services.context import Office
from staffbot.services.files import store_document
from staffbot.services.locate import find
from staffbot.services.presigned import note_existing_signature
from staffbot.services.work_items import already_done
from storage.tables import Task
from storage.uow import UnitOfWork


async def _generate(uow: UnitOfWork, office: Office, task: Task) -> int:
    generate = office.generators.get("surat_tanggapan")
    if generate is None:
        raise AuthError(reason="surat generator not configured")
    if not task.is_open:
        raise await already_done(uow, office, task)
    return await generate(uow, office, task)


async def make_surat(cmd: MakeSurat, uow: UnitOfWork, office: Office) -> int:
    task = await uow.tasks.get(cmd.task_id)
    if task is None:
        raise AlreadyDone(actor="?", at="?")
    return await _generate(uow, office, task)


async def generate_result(cmd: GenerateResult, uow: UnitOfWork, office: Office) -> int:
    """The chat's "Buat Surat Tanggapan" for a work item named by its number; whether
    the person may submit it is checked by the action it is made for (:class:`Act`, in
    the same transaction: a refused action leaves no letter behind)."""
    await find_staff(uow, nip=cmd.who.nip, staff_id=cmd.who.staff_id)
    item, task = await (await find(uow, cmd.ref)).at_work(uow)
    if task is None:
        raise await item.finished(uow, office)
    return await _generate(uow, office, task)


async def store_result(cmd: StoreResult, uow: UnitOfWork, office: Office) -> int:
    task = await uow.tasks.get(cmd.task_id)
    document = await store_document(
        uow,
        office,
        data=cmd.data,
        filename=cmd.filename,
        kind="hasil",
        case_id=task.case_id if task is not None else None,
        created_by=cmd.staff_id,
    )
    await note_existing_signature(uow, office, document, cmd.data)
    assert document.id is not None
    return document.id


HANDLERS: dict[type[Command[Any]], Handler] = {
    GenerateResult: generate_result,
    MakeSurat: make_surat,
    StoreResult: store_result,
}

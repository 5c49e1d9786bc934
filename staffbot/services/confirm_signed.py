"""The signing step of a document that came signed: one press, no PIN, no second stamp.

Nothing is signed here, so nothing waits outside a transaction (unlike
:mod:`staffbot.services.signing`): the checks, the transition with the document as it
came, its audit event ("ditandatangani di SIAK") and the card edits are one transaction.
Why no PIN: the PIN guards *making* a signature with the Kepala Dinas's key; this
records one he already made in SIAK, which his own press confirms (see
:mod:`staffbot.services.presigned`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from flows.engine import Request
from flows.errors import PinRequired
from staffbot.app.bus import Command, Handler
from staffbot.app.commands.cases import ActResult, CameSigned, ConfirmSigned
from staffbot.errors import StaffbotError
from staffbot.services import presigned
from staffbot.services.actors import find_staff, load_actor
from staffbot.services.context import Office
from staffbot.services.documents import new_verify_code
from staffbot.services.files import read_blob
from staffbot.services.locate import locate, of_task
from staffbot.services.signing import came_signed, document_to_sign, signing_effect
from staffbot.services.transitions import apply, assignee_key, decide_named
from storage.uow import UnitOfWork


async def confirm_signed(cmd: ConfirmSigned, uow: UnitOfWork, office: Office) -> ActResult:
    now = office.now()
    staff = await find_staff(uow, nip=cmd.who.nip, staff_id=cmd.who.staff_id)
    actor = await load_actor(uow, staff)
    item, task = await locate(uow, office, ref=cmd.ref, task_id=cmd.task_id)
    item.refuse_while_manual_check()
    document = await document_to_sign(uow, office, item, task)
    existing = presigned.existing_signature(document)
    if existing is None:
        raise PinRequired(action=cmd.action)
    state = item.state(task.step, await assignee_key(uow, task))
    # pin_given: see the module's doc (a confirmation of a signature, not a signature)
    request = Request(cmd.action, pin_given=True, reason=presigned.note(existing, office))
    transition = await decide_named(uow, office, task, state, actor, request, now)
    effect = signing_effect(transition)
    data = await asyncio.to_thread(read_blob, office, document)
    signature = came_signed(document, data, existing, new_verify_code())
    return await apply(uow, office, staff, task, item, transition, prepared={effect: signature})


async def came_signed_query(cmd: CameSigned, uow: UnitOfWork, office: Office) -> bool:
    task = await uow.tasks.get(cmd.task_id)
    if task is None or not task.is_open:
        return False
    if not office.flow.step(task.step).signed_with_pin:
        return False
    try:
        document = await document_to_sign(uow, office, await of_task(uow, task), task)
    except StaffbotError:
        return False
    return presigned.existing_signature(document) is not None


HANDLERS: dict[type[Command[Any]], Handler] = {
    CameSigned: came_signed_query,
    ConfirmSigned: confirm_signed,
}

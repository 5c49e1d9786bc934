"""The messages sent to the applicant, as staff see them with the case (`case show`, the
web case page, the chat's case card), and sending the documents again.

An applicant's message is an outbox row of kind "applicant" (always WhatsApp). What it
was is read from its idempotency key (``applicant:<case>:<what>:...``, the effects'
convention); how far it got from the row: the outbox's own state until WhatsApp took
it, then the statuses Meta reported (sent, delivered, read, failed). A row said again
as a template for the 24-hour window (``reengage:<id>``) or sent again by a person
(``resend:<id>``) is the same message once more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from staffbot.app.bus import Command, Handler
from staffbot.app.commands.deliveries import (
    BALASAN,
    CANCELLED,
    DOKUMEN,
    FAILED,
    LAMPIRAN,
    PENDING,
    RETRYING,
    SENT,
    DeliveryLine,
    ResendResult,
    ResendToApplicant,
)
from staffbot.errors import ValidationError
from staffbot.masking import mask_free_text, mask_phone
from staffbot.messages import OutgoingMessage
from staffbot.services import notify
from staffbot.services.access import roles_covered
from staffbot.services.actors import find_staff
from staffbot.services.context import Office
from staffbot.services.locate import find
from storage.tables import (
    OUTBOX_CANCELLED,
    OUTBOX_FAILED,
    OUTBOX_PENDING,
    OUTBOX_SENT,
    Case,
    Outbox,
    Task,
)
from storage.uow import UnitOfWork

APPLICANT_KIND = "applicant"
#: Who may send a case's documents again besides whoever sent them: the PDF sender of
#: step 13 and the Kasi Inovasi (who is alerted with them).
RESEND_ROLES = frozenset({"operator_pengirim_pdf", "kasi_inovasi"})
_KNOWN = frozenset({"instruksi", "berkas_kurang", "terdaftar", DOKUMEN})
#: Delivery statuses that mean the applicant's phone has it.
ARRIVED = frozenset({"delivered", "read"})
#: A status webhook and the task it follows are written a moment apart.
_SLACK = timedelta(seconds=2)


def applicant_rows(rows: Sequence[Outbox]) -> list[Outbox]:
    return [r for r in rows if r.kind == APPLICANT_KIND]


def document_id(row: Outbox) -> int | None:
    attachment = row.payload.get("attachment")
    return int(attachment["document_id"]) if isinstance(attachment, dict) else None


def filename(row: Outbox) -> str | None:
    attachment = row.payload.get("attachment")
    return str(attachment.get("filename", "")) if isinstance(attachment, dict) else None


def _again(row: Outbox) -> tuple[str | None, int | None]:
    head, _, rest = row.idempotency_key.partition(":")
    if head in ("reengage", "resend"):
        original = rest.split(":", 1)[0]
        return ("template" if head == "reengage" else "resend"), (
            int(original) if original.isdigit() else None
        )
    return None, None


def what_of(row: Outbox, by_id: Mapping[int, Outbox]) -> str:
    """instruksi, berkas_kurang, terdaftar, dokumen; lampiran or balasan otherwise."""
    _, original = _again(row)
    if original is not None and original in by_id and original != row.id:
        return what_of(by_id[original], by_id)
    parts = row.idempotency_key.split(":")
    if parts[0] == "applicant" and len(parts) > 2 and parts[2] in _KNOWN:
        return parts[2]
    return LAMPIRAN if document_id(row) is not None else BALASAN


def state_of(row: Outbox) -> tuple[str, datetime | None, str | None]:
    """(state, when the platform reported it, the error to show)."""
    if row.status == OUTBOX_FAILED:
        return FAILED, None, row.last_error
    if row.status == OUTBOX_CANCELLED:
        return CANCELLED, None, row.last_error
    if row.status == OUTBOX_PENDING:
        if row.attempts and row.last_error:
            return RETRYING, None, row.last_error
        return PENDING, None, None
    reported = row.delivery_status
    if reported is None:
        return SENT, row.sent_at, None
    return reported, row.delivery_status_at, row.last_error if reported == FAILED else None


def sender_task(row: Outbox, tasks: Sequence[Task]) -> Task | None:
    """The task whose action sent the message: the row names it; older rows (and the
    chat's replies) are matched to the last task of the case done by then."""
    if row.task_id is not None:
        return next((t for t in tasks if t.id == row.task_id), None)
    done = [t for t in tasks if t.done_at is not None and t.done_at <= row.created_at + _SLACK]
    return done[-1] if done and document_id(row) is not None else None


def describe(
    rows: Sequence[Outbox], tasks: Sequence[Task], names: Mapping[int, str]
) -> list[DeliveryLine]:
    """The applicant's messages among a case's outbox rows, oldest first."""
    mine = applicant_rows(rows)
    by_id = {r.id: r for r in mine if r.id is not None}
    lines = []
    for row in mine:
        assert row.id is not None
        state, state_at, error = state_of(row)
        task = sender_task(row, tasks)
        actor = task.actor_id if task is not None else None
        lines.append(
            DeliveryLine(
                outbox_id=row.id,
                what=what_of(row, by_id),
                filename=filename(row),
                to=mask_phone(row.chat_id),
                queued_at=row.created_at,
                sent_at=row.sent_at,
                state=state,
                state_at=state_at,
                # the platform's words may repeat the number: masked like free text
                error=mask_free_text(error) if error else None,
                again=_again(row)[0],
                sender=names.get(actor) if actor is not None else None,
            )
        )
    return lines


def line_json(line: DeliveryLine) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "outbox_id": line.outbox_id,
        "what": line.what,
        "filename": line.filename,
        "to": line.to,
        "queued_at": iso(line.queued_at),
        "sent_at": iso(line.sent_at),
        "state": line.state,
        "state_at": iso(line.state_at),
        "error": line.error,
        "again": line.again,
        "sender": line.sender,
    }


def latest_documents(rows: Sequence[Outbox]) -> list[Outbox]:
    """The newest message of each document the applicant was sent: an earlier one was
    said again (template, resend) and is no longer the one that counts."""
    newest: dict[int, Outbox] = {}
    for row in applicant_rows(rows):
        doc = document_id(row)
        if doc is None or row.id is None:
            continue
        if doc not in newest or (newest[doc].id or 0) < row.id:
            newest[doc] = row
    return sorted(newest.values(), key=lambda r: r.id or 0)


def needs_resend(row: Outbox) -> bool:
    """Failed, or handed to WhatsApp without ever reaching the phone; not one still
    waiting in the outbox (it will go), nor one that arrived."""
    if row.status in (OUTBOX_FAILED, OUTBOX_CANCELLED):
        return True
    return row.status == OUTBOX_SENT and row.delivery_status not in ARRIVED


async def resend(cmd: ResendToApplicant, uow: UnitOfWork, office: Office) -> ResendResult:
    staff = await find_staff(uow, nip=cmd.who.nip, staff_id=cmd.who.staff_id)
    item = await find(uow, cmd.ref)
    case = item.case
    if case is None or case.id is None:
        raise ValidationError(field="resend", problem="not_a_case", value=item.number)
    rows = await uow.outbox.for_case(case.id)
    documents = latest_documents(rows)
    tasks = list(await uow.tasks.history_of_case(case.id))
    senders = {t.actor_id for r in documents if (t := sender_task(r, tasks)) is not None}
    if staff.id not in senders and not (await roles_covered(uow, staff)) & RESEND_ROLES:
        raise ValidationError(field="resend", problem="not_allowed", value=case.number)
    again = [row for row in documents if needs_resend(row)]
    for row in again:
        await _queue_again(uow, office, case, row)
    if again:
        await uow.audit.append(
            at=office.now(),
            kind="applicant_resend",
            actor=staff.name,
            actor_id=staff.id,
            case_id=case.id,
            from_step=case.step,
            to_step=case.step,
            data={"outbox": [r.id for r in again], "documents": [filename(r) for r in again]},
        )
    return ResendResult(
        number=case.number,
        documents=tuple(filename(r) or "" for r in again),
        to=mask_phone(case.wa_number),
    )


async def _queue_again(uow: UnitOfWork, office: Office, case: Case, row: Outbox) -> None:
    """The message as it was first written (the channel picks a template again if the
    24-hour window is closed), to the case's number as it is now."""
    assert case.id is not None
    original = OutgoingMessage.from_payload(row.payload)
    await notify.queue(
        uow,
        office,
        address=notify.Address(notify.APPLICANT_CHANNEL, case.wa_number),
        kind=APPLICANT_KIND,
        message=OutgoingMessage(text=original.text, attachment=original.attachment),
        key=f"resend:{row.id}",
        case_id=case.id,
        task_id=row.task_id,
    )


HANDLERS: dict[type[Command[Any]], Handler] = {ResendToApplicant: resend}

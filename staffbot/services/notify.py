"""Who gets which message: outbox rows for cards, card edits and applicant messages.

Everything here runs inside the transition's transaction, so a message exists if
and only if the change it reports was committed. At the end: the outbox as the admin
sees it (`outbox list`, `outbox retry`).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from flows.model import Action
from staffbot.app.bus import Command, Handler
from staffbot.app.commands.outbox import ListOutbox, OutboxLine, RetryOutbox
from staffbot.cards import action_label
from staffbot.channels.base import ChannelName
from staffbot.errors import ValidationError
from staffbot.masking import mask_free_text, mask_phone
from staffbot.messages import EDIT_SENDS_DOCUMENT, Attachment, Choice, OutgoingMessage
from staffbot.richtext import esc
from staffbot.services.context import Office
from staffbot.services.locate import find
from staffbot.texts import t
from storage.tables import (
    OUTBOX_FAILED,
    OUTBOX_PENDING,
    OUTBOX_SENT,
    ButtonToken,
    Document,
    Outbox,
    Staff,
    Task,
)
from storage.uow import UnitOfWork

WEB = ChannelName.WEB
TELEGRAM = ChannelName.TELEGRAM
WHATSAPP = ChannelName.WHATSAPP
#: The applicant is reached on WhatsApp only.
APPLICANT_CHANNEL = WHATSAPP


@dataclass(frozen=True)
class Address:
    channel: str
    chat_id: str


def address_of(staff: Staff) -> Address:
    """Where a staff member's messages go: their chosen channel if it is set up, else web."""
    if staff.channel == TELEGRAM and staff.telegram_id is not None:
        return Address(TELEGRAM, str(staff.telegram_id))
    if staff.channel == WHATSAPP and staff.whatsapp:
        return Address(WHATSAPP, staff.whatsapp)
    return Address(WEB, str(staff.id))


def new_token() -> str:
    # 72 random bits, 12 URL-safe characters: well inside Telegram's 64-byte limit.
    return secrets.token_urlsafe(9)


async def task_recipients(uow: UnitOfWork, task: Task) -> list[Staff]:
    """The staff who should see a task's card now.

    A claimed task goes to its assignee (or their delegate while on leave). An open
    one goes to every active holder of the role, with holders on leave replaced by
    their delegates. If that leaves nobody, the holders get it anyway: a card that
    reaches someone on leave beats a card that reaches no one.
    """
    if task.assignee_id is not None:
        assignee = await uow.staff.get(task.assignee_id)
        if assignee is not None:
            return [await _present(uow, assignee)]
    holders = list(await uow.staff.holders(task.role))
    chosen: dict[int, Staff] = {}
    for holder in holders:
        person = await _present(uow, holder)
        if not person.on_leave and person.id is not None:
            chosen.setdefault(person.id, person)
    if not chosen:
        return holders
    return list(chosen.values())


async def _present(uow: UnitOfWork, staff: Staff) -> Staff:
    if staff.on_leave and staff.delegate_id is not None:
        delegate = await uow.staff.get(staff.delegate_id)
        if delegate is not None and delegate.active and not delegate.on_leave:
            return delegate
    return staff


async def buttons(
    uow: UnitOfWork,
    office: Office,
    *,
    staff: Staff,
    task: Task,
    actions: Sequence[Action],
    lang: str,
) -> list[Choice]:
    """One opaque token per button, bound to this staff member, task and action."""
    assert staff.id is not None and task.id is not None
    now = office.now()
    tokens = [
        ButtonToken(
            token=new_token(), staff_id=staff.id, action=a.key, task_id=task.id, created_at=now
        )
        for a in actions
    ]
    uow.outbox.stage_tokens(tokens)
    return [
        Choice(action_label(a, lang), tok.token) for a, tok in zip(actions, tokens, strict=True)
    ]


def staff_language(office: Office, staff: Staff) -> str:
    return staff.language or office.language


async def queue(
    uow: UnitOfWork,
    office: Office,
    *,
    address: Address,
    kind: str,
    message: OutgoingMessage,
    key: str,
    staff: Staff | None = None,
    case_id: int | None = None,
    task_id: int | None = None,
    ba_id: int | None = None,
    ref_id: int | None = None,
    extra: dict[str, object] | None = None,
    later: bool = False,
) -> Outbox:
    """Write an outbox row in the caller's transaction.

    ``later``: staged, written with the transaction's other staged rows in one INSERT
    at commit (a transition's edits, cards and applicant messages); the returned row
    then has no id yet. Otherwise it is inserted now, after anything staged before it,
    so rows keep the order they were queued in.
    """
    now = office.now()
    row = Outbox(
        created_at=now,
        channel=address.channel,
        chat_id=address.chat_id,
        staff_id=staff.id if staff is not None else None,
        kind=kind,
        payload={**message.to_payload(), **(extra or {})},
        idempotency_key=key,
        next_attempt_at=now,
        case_id=case_id,
        task_id=task_id,
        ba_id=ba_id,
        ref_id=ref_id,
    )
    if later:
        uow.outbox.stage([row])
    else:
        await uow.outbox.flush_staged()
        await uow.outbox.add_all([row])
    uow.wrote_outbox = True
    return row


async def edit_cards_of(
    uow: UnitOfWork,
    office: Office,
    task: Task,
    line: str,
    *,
    document: Document | None = None,
    cards: Sequence[Outbox] | None = None,
) -> int:
    """Edit every card of a finished task (``cards``, when the caller read them already):
    the outcome appended, the buttons gone.

    With ``document`` (the signed PDF of a signing step) the card carries that document
    from now on: the web shows its link in the card; Telegram and WhatsApp, which cannot
    put a file into an edited message, send it with the edit (``EDIT_SENDS_DOCUMENT``).
    """
    assert task.id is not None
    if cards is None:
        cards = await uow.outbox.cards_of_task(task.id)
    extra: dict[str, object] = {}
    attachment = None
    if document is not None and document.id is not None:
        attachment = Attachment(document.id, document.filename)
        name = mask_free_text(document.filename)  # an upload's name may hold a NIK
        line += "\n" + esc(t("card.signed_document", office.language, filename=name))
        extra[EDIT_SENDS_DOCUMENT] = True
    for card in cards:
        assert card.id is not None
        original = OutgoingMessage.from_payload(card.payload)
        edited = OutgoingMessage(text=original.text + "\n\n" + line, attachment=attachment)
        await queue(
            uow,
            office,
            address=Address(card.channel, card.chat_id),
            kind="edit",
            message=edited,
            key=f"edit:{card.id}:{task.id}",
            case_id=card.case_id,
            task_id=task.id,
            ba_id=card.ba_id,
            ref_id=card.id,
            extra=extra,
            later=True,
        )
    return len(cards)


#: New buttons of a card being refreshed, from its current ones, for one person.
Rechoose = Callable[[Sequence[Choice], Staff, str], Awaitable[Sequence[Choice]]]


async def refresh_cards_of(
    uow: UnitOfWork,
    office: Office,
    task: Task,
    render: Callable[[Sequence[Choice], str], OutgoingMessage],
    *,
    key: str,
    rechoose: Rechoose | None = None,
) -> int:
    """Edit every card of an open task in place (new facts, the same live buttons, or
    those ``rechoose`` makes of them for that person), so a holder keeps one card per
    task; WhatsApp, which cannot edit, gets it as a reply."""
    assert task.id is not None
    cards = await uow.outbox.cards_of_task(task.id)
    for card in cards:
        assert card.id is not None
        person = await uow.staff.get(card.staff_id) if card.staff_id is not None else None
        lang = staff_language(office, person) if person is not None else office.language
        original = OutgoingMessage.from_payload(card.payload)
        if rechoose is not None and person is not None:
            original = replace(
                original, choices=tuple(await rechoose(original.choices, person, lang))
            )
        await queue(
            uow,
            office,
            address=Address(card.channel, card.chat_id),
            kind="edit",
            message=replace(render(original.choices, lang), attachment=original.attachment),
            key=f"refresh:{card.id}:{key}",
            case_id=card.case_id,
            task_id=task.id,
            ba_id=card.ba_id,
            ref_id=card.id,
            later=True,
        )
    return len(cards)


async def notify_applicant(
    uow: UnitOfWork,
    office: Office,
    *,
    case_id: int,
    phone: str,
    message: OutgoingMessage,
    key: str,
    task_id: int | None = None,
) -> Outbox:
    """``task_id``: the task whose action sends it (who is told if it does not arrive)."""
    return await queue(
        uow,
        office,
        address=Address(APPLICANT_CHANNEL, phone),
        kind="applicant",
        message=message,
        key=key,
        case_id=case_id,
        task_id=task_id,
        later=True,
    )


# -- the outbox as the admin sees it ---------------------------------------------------


async def list_outbox(cmd: ListOutbox, uow: UnitOfWork, office: Office) -> list[OutboxLine]:
    if cmd.case:
        case = (await find(uow, cmd.case)).case
        rows = list(await uow.outbox.for_case(case.id)) if case and case.id else []
    else:
        status = OUTBOX_FAILED if cmd.failed else OUTBOX_SENT if cmd.sent else OUTBOX_PENDING
        rows = list(await uow.outbox.listing(status=status))
    out = []
    for r in rows:
        assert r.id is not None
        out.append(
            OutboxLine(
                id=r.id,
                channel=r.channel,
                # a WhatsApp chat is a phone number: never shown in full
                chat=mask_phone(r.chat_id) if r.channel == WHATSAPP else r.chat_id,
                kind=r.kind,
                status=r.status,
                attempts=r.attempts,
                error=mask_free_text(r.last_error) if r.last_error else None,
                created_at=r.created_at,
                delivery_status=r.delivery_status,
                delivery_status_at=r.delivery_status_at,
            )
        )
    return out


async def retry_outbox(cmd: RetryOutbox, uow: UnitOfWork, office: Office) -> None:
    row = await uow.outbox.get(cmd.outbox_id)
    if row is None:
        raise ValidationError(field="outbox", problem="unknown", value=cmd.outbox_id)
    if not await uow.outbox.retry(cmd.outbox_id, at=office.now()):
        raise ValidationError(
            field="outbox", problem="not_failed", value=cmd.outbox_id, status=row.status
        )


HANDLERS: dict[type[Command[Any]], Handler] = {ListOutbox: list_outbox, RetryOutbox: retry_outbox}

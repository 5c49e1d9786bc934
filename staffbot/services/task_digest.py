"""Task digests: one message for the people who chose it, instead of a card per task.

The Kepala Dinas signs dozens of documents a day; a card each (with its PDF, the PIN
prompt and the confirmation) drowns his chat. With ``staff.cards == "digest"`` his task
cards are not pushed (services/tasks.push_cards); instead, while the office is open,
one digest lists what waits for him ("12 dokumen menunggu tanda tangan"), with a
button to pick the documents and sign them with one PIN and one to list them (each
card one tap away, as in /tugas).

* Where the chat can edit (web, Telegram) the day's digest is updated in place as
  tasks come and go: no new message, no new notification.
* WhatsApp cannot edit: a new digest goes out when what waits has changed and the last
  one is older than ``every`` (and the first of each office day).
* Each digest remembers what it listed (a fingerprint in its payload), so an unchanged
  list sends nothing, and two processes running the scan write it once (the key).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from staffbot.app.bus import Command, Handler
from staffbot.app.commands.cases import Who
from staffbot.app.commands.chat import MenuVerb
from staffbot.app.commands.queries import MyTasks, TaskSummary
from staffbot.app.commands.sla import TaskDigests
from staffbot.app.commands.staff import CARDS_DIGEST
from staffbot.channels.base import ChannelName
from staffbot.messages import Choice, OutgoingMessage
from staffbot.richtext import b, esc
from staffbot.services import notify
from staffbot.services.context import Office
from staffbot.services.queries import my_tasks
from staffbot.texts import t
from storage.tables import ButtonToken, Outbox, Staff
from storage.uow import UnitOfWork

#: The outbox kind of a digest message (what later updates edit).
DIGEST = "digest"
#: Items named in the digest's text; the rest are counted.
LISTED = 10


async def task_digests(cmd: TaskDigests, uow: UnitOfWork, office: Office) -> int:
    if not office.calendar.is_open(cmd.now):
        return 0
    queued = 0
    for person in await uow.staff.all():
        if person.cards == CARDS_DIGEST and person.active and person.id is not None:
            queued += await _digest_of(uow, office, person, cmd)
    return queued


async def _digest_of(uow: UnitOfWork, office: Office, person: Staff, cmd: TaskDigests) -> int:
    assert person.id is not None
    tasks = await my_tasks(MyTasks(Who(staff_id=person.id)), uow, office)
    print_ = _fingerprint(tasks)
    last = await uow.outbox.latest_of_kind(person.id, DIGEST)
    today = office.local(cmd.now).date()
    posted_today = last is not None and office.local(last.created_at).date() == today
    if last is not None and posted_today:
        shown = await uow.outbox.latest_edit_of(last.id or 0) or last
        if shown.payload.get(DIGEST) == print_:
            return 0  # nothing changed since it was last shown
    elif not tasks:
        return 0  # nothing waits and nothing was said today
    address = notify.address_of(person)
    message = await _message(uow, office, person, tasks)
    extra: dict[str, object] = {DIGEST: print_}
    if last is not None and posted_today and address.channel != ChannelName.WHATSAPP:
        await notify.queue(
            uow,
            office,
            address=address,
            kind="edit",
            message=message,
            key=f"{DIGEST}:{person.id}:{last.id}:{print_}",
            staff=person,
            ref_id=last.id,
            extra=extra,
        )
        return 1
    if not tasks or (last is not None and posted_today and _recent(last, cmd)):
        return 0
    await notify.queue(
        uow,
        office,
        address=address,
        kind=DIGEST,
        message=message,
        key=f"{DIGEST}:{person.id}:{today}:{print_}",
        staff=person,
        extra=extra,
    )
    return 1


def _recent(last: Outbox, cmd: TaskDigests) -> bool:
    return cmd.now - last.created_at < cmd.every


def _fingerprint(tasks: Sequence[TaskSummary]) -> str:
    ids = ",".join(str(i) for i in sorted(task.task_id for task in tasks))
    return hashlib.sha256(ids.encode()).hexdigest()[:16]


def signable(office: Office, tasks: Sequence[TaskSummary]) -> list[TaskSummary]:
    """The tasks whose step is signed with the PIN."""
    flow = office.flow
    return [t for t in tasks if flow.step(t.step).signed_with_pin]


async def _message(
    uow: UnitOfWork, office: Office, person: Staff, tasks: Sequence[TaskSummary]
) -> OutgoingMessage:
    lang = notify.staff_language(office, person)
    to_sign = signable(office, tasks)
    if not tasks:
        return OutgoingMessage(text=esc(t("digest.empty", lang)))
    if len(to_sign) == len(tasks):
        title = t("digest.to_sign", lang, count=len(tasks))
    else:
        title = t("digest.tasks", lang, count=len(tasks), signing=len(to_sign))
    lines = [b(title)]
    for task in tasks[:LISTED]:
        line = t(
            "digest.line", lang, number=task.number, sop_no=task.sop_no, kecamatan=task.kecamatan
        )
        lines.append(esc(line))
    if len(tasks) > LISTED:
        lines.append(esc(t("digest.more", lang, count=len(tasks) - LISTED)))
    buttons: list[tuple[str, MenuVerb, str]] = []
    if to_sign:
        buttons.append((t("digest.pick", lang, count=len(to_sign)), MenuVerb.SIGN_PICK, "start"))
    buttons.append((t("digest.list", lang), MenuVerb.MENU, "tugas"))
    choices = []
    for label, verb, target in buttons:
        token = ButtonToken(
            token=notify.new_token(),
            staff_id=person.id or 0,
            action=verb.value,
            target=target,
            created_at=office.now(),
        )
        uow.outbox.stage_tokens([token])
        choices.append(Choice(label, token.token))
    return OutgoingMessage(text="\n".join(lines), choices=tuple(choices))


HANDLERS: dict[type[Command[Any]], Handler] = {TaskDigests: task_digests}

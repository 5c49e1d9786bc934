"""When the applicant's document does not reach them: alert whoever sent it (the PDF
sender who pressed Kirim PDF; for the proof of registration, the counter clerk who
approved step 6) and the Kasi Inovasi, once, through the outbox like every message.

Two ways to learn it:

* at once, from WhatsApp: a ``failed`` status webhook (services/whatsapp_state.py calls
  :func:`alert_trouble` in the transaction that records the status);
* from the scheduler's watch (:class:`WatchDeliveries`, every escalation interval): a
  row the dispatcher gave up on after its retries, a failure the webhook path did not
  alert, and a document WhatsApp took but never reported delivered or read within
  ``late_hours`` working hours (STAFFBOT_APPLICANT_DELIVERY_ALERT_HOURS, on the office
  calendar: a PDF sent at 15:30 on a Friday is not late over the weekend). Rows still
  waiting in the outbox are not watched: the dispatcher's retries end in "failed".

Only the newest message of each document counts: one said again as a template for the
24-hour window, or sent again by a person, replaces the earlier. Each (message, kind
of trouble) alerts once: a ``processed_update`` row written with the alerts, and each
alert's outbox key ``delivery-alert:<row>:<failed|late>:<staff>`` inserted only if new,
so a repeated webhook, the next scan or two processes scanning at once add nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from staffbot.app.bus import Command, Handler
from staffbot.app.commands.chat import MenuVerb
from staffbot.app.commands.deliveries import (
    FAILED,
    TROUBLE_FAILED,
    TROUBLE_LATE,
    WatchDeliveries,
)
from staffbot.masking import mask_free_text, mask_phone
from staffbot.messages import OutgoingMessage
from staffbot.richtext import b, esc
from staffbot.services import notify
from staffbot.services.context import Office
from staffbot.services.deliveries import (
    document_id,
    latest_documents,
    sender_task,
    what_of,
)
from staffbot.services.sla_support import Mailer, Roster
from staffbot.texts.delivery import dt, reason_text
from staffbot.timefmt import short_time
from storage.tables import OUTBOX_FAILED, OUTBOX_SENT, Case, Outbox, Staff
from storage.uow import UnitOfWork

#: Who hears of every applicant's document that does not arrive.
ALERT_ROLE = "kasi_inovasi"
#: processed_update source: one alert per (message, trouble).
SOURCE = "delivery-alert"
#: How far back the watch looks (a document older than this is history).
LOOKBACK = timedelta(days=7)


def trouble_of(row: Outbox, office: Office, now: datetime, late: timedelta | None) -> str | None:
    if row.status == OUTBOX_FAILED or row.delivery_status == FAILED:
        return TROUBLE_FAILED
    if (
        late is not None
        and row.status == OUTBOX_SENT
        and row.delivery_status in (None, "sent")
        and row.sent_at is not None
        and office.calendar.add_duration(row.sent_at, late) <= now
    ):
        return TROUBLE_LATE
    return None


async def alert_trouble(
    uow: UnitOfWork,
    office: Office,
    rows: Sequence[Outbox],
    *,
    trouble: str,
    late_hours: float | None = None,
) -> int:
    """Alert about these messages (those that are the applicant's newest copy of a
    document, and not alerted for this trouble before). Returns the alerts queued."""
    queued = 0
    cases: dict[int, list[Outbox]] = {}
    for row in rows:
        if row.kind != "applicant" or row.case_id is None or document_id(row) is None:
            continue
        if row.case_id not in cases:
            cases[row.case_id] = list(await uow.outbox.for_case(row.case_id))
        # recorded for a superseded copy too: the watch need not look at it again
        if not await uow.processed.first_time(SOURCE, f"{row.id}:{trouble}", office.now()):
            continue
        if row.id not in {r.id for r in latest_documents(cases[row.case_id])}:
            continue
        queued += await _alert(uow, office, row, cases[row.case_id], trouble, late_hours)
    return queued


async def _alert(
    uow: UnitOfWork,
    office: Office,
    row: Outbox,
    case_rows: Sequence[Outbox],
    trouble: str,
    late_hours: float | None,
) -> int:
    assert row.case_id is not None and row.id is not None
    case = await uow.cases.get(row.case_id)
    if case is None:
        return 0
    roster = await Roster.load(uow)
    task = sender_task(row, await uow.tasks.history_of_case(row.case_id))
    sender = roster.get(task.actor_id) if task is not None else None
    people: dict[int, Staff] = {}
    for person in ([roster.present(sender)] if sender and sender.active else []) + (
        roster.role_people(ALERT_ROLE)
    ):
        if person.id is not None:
            people.setdefault(person.id, person)
    now = office.now()
    mailer = Mailer(uow, office, now)
    by_id = {r.id: r for r in case_rows if r.id is not None}
    what = what_of(row, by_id)
    for person in people.values():
        lang = notify.staff_language(office, person)
        text = _text(office, case, row, what, trouble, late_hours, sender, lang, now)
        choices = mailer.choices(
            person,
            [
                (dt("button.resend", lang), MenuVerb.MENU.value, None, f"kirimulang {case.number}"),
                (
                    dt("button.open", lang, number=case.number),
                    MenuVerb.MENU.value,
                    None,
                    f"kasus {case.number}",
                ),
            ],
        )
        mailer.card(
            person,
            OutgoingMessage(text=text, choices=choices),
            key=f"delivery-alert:{row.id}:{trouble}:{person.id}",
            case_id=case.id,
        )
    queued = await mailer.flush()
    await uow.audit.append(
        at=now,
        kind="applicant_delivery_alert",
        actor="staffbot",
        case_id=case.id,
        from_step=case.step,
        to_step=case.step,
        data={
            "outbox_id": row.id,
            "trouble": trouble,
            "what": what,
            "to": [p.name for p in people.values()],
        },
    )
    return queued


def _text(
    office: Office,
    case: Case,
    row: Outbox,
    what: str,
    trouble: str,
    late_hours: float | None,
    sender: Staff | None,
    lang: str,
    now: datetime,
) -> str:
    title = "alert.failed_title" if trouble == TROUBLE_FAILED else "alert.late_title"
    lines = [
        b(dt(title, lang, number=case.number)),
        esc(dt("alert.what", lang, what=dt(f"what.{what}", lang), phone=mask_phone(row.chat_id))),
    ]
    when = row.sent_at or row.created_at
    by = dt("alert.by", lang, name=sender.name) if sender is not None else ""
    lines.append(esc(dt("alert.sent", lang, at=short_time(when, office.tz, now, lang), by=by)))
    if trouble == TROUBLE_FAILED:
        reason = reason_text(row.last_error, lang) or dt("state.failed", lang)
        lines.append(esc(dt("alert.reason", lang, reason=mask_free_text(reason))))
    else:
        hours = f"{late_hours or 0:g}"
        lines.append(
            esc(dt("alert.late", lang, hours=hours.replace(".", ",") if lang == "id" else hours))
        )
    lines.append(esc(dt("alert.hint", lang, number=case.number)))
    return "\n".join(lines)


async def watch(cmd: WatchDeliveries, uow: UnitOfWork, office: Office) -> int:
    late = timedelta(hours=cmd.late_hours) if cmd.late_hours else None
    rows = await uow.outbox.applicant_trouble(
        since=cmd.now - LOOKBACK, sent_before=cmd.now - late if late is not None else None
    )
    found: dict[str, list[Outbox]] = {TROUBLE_FAILED: [], TROUBLE_LATE: []}
    for row in rows:
        trouble = trouble_of(row, office, cmd.now, late)
        if trouble is not None and document_id(row) is not None:
            found[trouble].append(row)
    queued = 0
    for trouble, candidates in found.items():
        done = await uow.processed.seen(SOURCE, [f"{r.id}:{trouble}" for r in candidates])
        fresh = [r for r in candidates if f"{r.id}:{trouble}" not in done]
        if fresh:
            queued += await alert_trouble(
                uow, office, fresh, trouble=trouble, late_hours=cmd.late_hours
            )
    return queued


HANDLERS: dict[type[Command[Any]], Handler] = {WatchDeliveries: watch}

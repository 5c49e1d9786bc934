"""The daily rekap at closing time for the Kepala Bidang: a text card.

Counts of the office day (00:00 WIB until the run): cases opened, cases finished,
and open tasks past their due time at the moment of the run, each per kecamatan.
Runs once per office day across processes (the (job, day) claim shares the
transaction with the cards); skipped on weekends and holidays. The monthly PDF
report is a separate feature (``report rekap``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from staffbot.app.bus import Command, Handler
from staffbot.app.commands.sla import DailyRekap
from staffbot.messages import OutgoingMessage
from staffbot.richtext import b, esc
from staffbot.services import notify
from staffbot.services.context import Office
from staffbot.services.sla_support import Mailer, Roster
from staffbot.texts.sla import st
from staffbot.timefmt import long_date
from storage.repos.escalation import EscalationRepository
from storage.uow import UnitOfWork

REKAP_JOB = "daily_rekap"


@dataclass(frozen=True)
class DayCounts:
    day: date
    opened: dict[str, int]
    finished: dict[str, int]
    overdue: dict[str, int]

    def places(self) -> list[str]:
        return sorted(set(self.opened) | set(self.finished) | set(self.overdue))


async def day_counts(repo: EscalationRepository, office: Office, *, now: datetime) -> DayCounts:
    local = now.astimezone(office.tz)
    start = datetime.combine(local.date(), time(0), tzinfo=office.tz)
    return DayCounts(
        day=local.date(),
        opened=await repo.cases_opened(start, now),
        finished=await repo.cases_finished(start, now),
        overdue=await repo.overdue_by_kecamatan(now),
    )


def rekap_card(counts: DayCounts, office: Office, *, at: datetime, lang: str) -> OutgoingMessage:
    total = {
        "opened": sum(counts.opened.values()),
        "finished": sum(counts.finished.values()),
        "overdue": sum(counts.overdue.values()),
    }
    lines = [
        b(st("rekap.title", lang, date=long_date(at, office.tz, lang))),
        esc(st("rekap.totals", lang, **total)),
    ]
    if not any(total.values()):
        lines.append(esc(st("rekap.quiet", lang)))
    else:
        lines.append(b(st("rekap.header", lang)))
        for place in counts.places():
            lines.append(
                esc(
                    st(
                        "rekap.line",
                        lang,
                        kecamatan=place,
                        opened=counts.opened.get(place, 0),
                        finished=counts.finished.get(place, 0),
                        overdue=counts.overdue.get(place, 0),
                    )
                )
            )
    return OutgoingMessage(text="\n".join(lines))


async def daily_rekap(cmd: DailyRekap, uow: UnitOfWork, office: Office) -> int:
    """The (job, day) claim is written in the same transaction as the cards."""
    now = cmd.now
    day = now.astimezone(office.tz).date()
    if not office.calendar.is_working_day(day):
        return 0
    repo = EscalationRepository(uow.session)
    if not await repo.claim_day(REKAP_JOB, day, at=now, owner=cmd.owner):
        return 0
    counts = await day_counts(repo, office, now=now)
    mailer = Mailer(uow, office, now)
    for person in (await Roster.load(uow)).role_people(cmd.role):
        lang = notify.staff_language(office, person)
        mailer.card(
            person,
            rekap_card(counts, office, at=now, lang=lang),
            key=f"rekap:{day.isoformat()}:{person.id}",
            kind="text",
        )
    sent = await mailer.flush()
    await repo.set_sent(REKAP_JOB, day, sent)
    return sent


HANDLERS: dict[type[Command[Any]], Handler] = {DailyRekap: daily_rekap}

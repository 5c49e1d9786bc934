"""GET /s/{code}: the applicant's status page, behind the bukti pendaftaran's QR code.

Where the application is (one sentence per SOP step), when it should be done, and the
office's contact. Never the applicant's name, NIK or phone number (the query does not
even return them). 200 for a known code, 404 otherwise.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from staffbot.app.bus import MessageBus
from staffbot.app.commands.verification import ApplicationStatus, StatusView
from staffbot.texts.public import pt
from staffbot.timefmt import day_name, long_date, long_time
from staffbot.web.public_page import PublicFrame, facts
from staffbot.web.templating import Safe, esc, join, tag

_CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")


def status_routes(bus: MessageBus, frame: PublicFrame) -> list[BaseRoute]:
    office = bus.office

    async def show(request: Request) -> Response:
        code = str(request.path_params["code"])[:40]
        view = await bus.handle(ApplicationStatus(code if _CODE.fullmatch(code) else ""))
        return _page(view, frame, office.language, office.tz)

    return [Route("/s/{code}", show, methods=["GET"])]


def _day(at: datetime, tz: tzinfo, lang: str) -> str:
    return f"{day_name(at.astimezone(tz).weekday(), lang)}, {long_date(at, tz, lang)}"


def _page(view: StatusView, frame: PublicFrame, lang: str, tz: tzinfo) -> Response:
    title = pt("s.title", lang)
    contact = _contact(view, frame, lang)
    if not view.known:
        box = tag(
            "section",
            join(
                [
                    tag("h1", "✖ " + pt("s.unknown.heading", lang)),
                    tag("p", pt("s.unknown.lead", lang)),
                ]
            ),
            class_="verdict verdict-bad",
        )
        return frame.response(title, [box, contact], status=404)
    tone = "ok" if view.closed else ("warn" if view.paused else "info")
    box = tag(
        "section",
        join(
            [
                tag("h1", title),
                tag("p", view.stage, class_="lead stage"),
                tag(
                    "p", pt("s.step", lang, no=view.sop_no, total=view.total_steps), class_="muted"
                ),
            ]
        ),
        class_=f"verdict verdict-{tone}",
    )
    rows: list[tuple[str, object]] = [(pt("s.number", lang), view.number)]
    if view.registration_number:
        rows.append((pt("s.registration", lang), view.registration_number))
    rows.append((pt("s.layanan", lang), view.layanan))
    if view.closed and view.finished_at is not None:
        rows.append((pt("s.finished", lang), long_time(view.finished_at, tz, lang)))
    elif view.paused:
        rows.append((pt("s.expected", lang), pt("s.expected_paused", lang)))
    elif view.expected_finish is not None:
        when = pt("s.expected_value", lang, date=_day(view.expected_finish, tz, lang))
        rows.append((pt("s.expected", lang), when))
    parts = [box, facts(rows), contact]
    if view.bukti_code:
        link = tag("a", pt("s.bukti", lang), href=f"/v/{view.bukti_code}")
        parts.append(tag("p", link, class_="small"))
    return frame.response(title, parts, status=200)


def _contact(view: StatusView, frame: PublicFrame, lang: str) -> Safe:
    letterhead = frame.letterhead
    lines = [tag("h2", pt("s.contact", lang))]
    if view.service_number:
        number = tag("span", view.service_number, class_="nowrap")
        lines.append(tag("p", join([esc(pt("s.contact_wa", lang)), number], " ")))
    if letterhead.contact:
        lines.append(tag("p", letterhead.contact))
    lines.append(tag("p", letterhead.address))
    lines.append(tag("p", pt("s.contact_note", lang), class_="muted small"))
    return tag("section", join(lines), class_="contact")


__all__ = ["status_routes"]

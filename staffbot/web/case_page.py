"""GET /kantor/kasus/<nomor>: one case, links to its documents and the messages sent to the
applicant with their delivery status (phone masked), for staff the access policy allows
(services/access.py, applied inside the LookAtCase query; each document link is checked
again by GET /documents/<id>)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from starlette.requests import Request
from starlette.responses import Response

from staffbot.app.commands.cases import Who
from staffbot.app.commands.deliveries import FAILED
from staffbot.app.commands.queries import CaseGlance, LookAtCase
from staffbot.errors import ValidationError
from staffbot.masking import mask_free_text
from staffbot.texts import has, t
from staffbot.texts.delivery import dt, reason_text, state_label, what_label
from staffbot.timefmt import short_time
from staffbot.web.context import Web
from staffbot.web.pages import html, message_page, not_found
from staffbot.web.templating import Safe, esc, join, page, render, tag

#: Longer than any case or Berita Acara number; anything longer is not one.
MAX_REF = 80


class CasePage:
    def __init__(self, web: Web) -> None:
        self.web = web

    async def show(self, request: Request) -> Response:
        info = await self.web.page_session(request)
        if isinstance(info, Response):
            return info
        ref = str(request.path_params.get("ref") or request.query_params.get("nomor") or "")
        ref = ref.strip()
        if not ref or len(ref) > MAX_REF:
            return not_found()
        try:
            glance = await self.web.deps.bus.handle(LookAtCase(Who(staff_id=info.staff.id), ref))
        except ValidationError:
            return message_page("Tidak ditemukan", f"Tidak ada kasus {ref}.", 404)
        if glance is None:
            return message_page(
                "Belum untuk Anda",
                f"Kasus {ref.upper()} belum sampai ke peran Anda, jadi belum dapat dibuka.",
                403,
            )
        office = self.web.deps.office
        return html(page(glance.number, _body(glance, office.tz, office.now())))


def _deliveries(glance: CaseGlance, tz: tzinfo, now: datetime) -> Safe:
    """What went to the applicant and how far it got (WhatsApp's statuses)."""
    if not glance.deliveries:
        return Safe(f'<tr><td colspan="5" class="muted">{esc(dt("none"))}</td></tr>')
    rows = []
    for line in glance.deliveries:
        when = line.sent_at or line.queued_at
        state = state_label(line.state)
        if line.state_at is not None:
            state += f" · {short_time(line.state_at, tz, now)}"
        rows.append(
            Safe(
                "<tr>"
                + tag("td", what_label(line.what, line.again))
                + tag("td", line.to)
                + tag("td", short_time(when, tz, now))
                + tag("td", state, class_="failed" if line.state == FAILED else None)
                + tag("td", reason_text(line.error))
                + "</tr>"
            )
        )
    return join(rows)


def _body(glance: CaseGlance, tz: tzinfo, now: datetime) -> Safe:
    key = f"case.status.{glance.status}"
    facts = [
        ("Langkah", f"{glance.sop_no}. {glance.step_title}"),
        ("Status", t(key, "id") if has(key) else glance.status),
        ("Kecamatan", glance.kecamatan),
        ("Layanan", glance.layanan),
    ]
    if glance.applicant_name is not None:
        facts[2:2] = [
            ("Pemohon", glance.applicant_name),
            ("NIK", glance.nik or "-"),
            ("Nomor WA", glance.phone or "-"),
        ]
    if glance.registration_no:
        facts.append(("No. registrasi", glance.registration_no))
    rows = [Safe("<tr>" + tag("th", name) + tag("td", value) + "</tr>") for name, value in facts]
    # a file name is typed by people and may hold a NIK or phone number, as on the cards
    files = [
        Safe(
            "<tr>"
            + tag("td", tag("a", mask_free_text(f.filename), href=f"/documents/{f.document_id}"))
            + tag("td", f.kind)
            + "</tr>"
        )
        for f in glance.files
    ]
    empty = Safe('<tr><td colspan="2" class="muted">Belum ada berkas.</td></tr>')
    return render(
        "kasus.html",
        number=glance.number,
        facts=join(rows),
        files=join(files) if files else empty,
        deliveries=_deliveries(glance, tz, now),
    )

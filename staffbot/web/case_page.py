"""GET /kantor/kasus/<nomor>: one case and links to its documents, for staff the access
policy allows (services/access.py, applied inside the LookAtCase query; each document link
is checked again by GET /documents/<id>)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from staffbot.app.commands.cases import Who
from staffbot.app.commands.queries import CaseGlance, LookAtCase
from staffbot.errors import ValidationError
from staffbot.masking import mask_free_text
from staffbot.texts import has, t
from staffbot.web.context import Web
from staffbot.web.pages import html, message_page, not_found
from staffbot.web.templating import Safe, join, page, render, tag

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
        return html(page(glance.number, _body(glance)))


def _body(glance: CaseGlance) -> Safe:
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
    )

"""The public pages behind the QR codes, for anyone on the internet:

* GET /v/{code}: a document's verification page. It says what the register says, in
  plain words: signed and valid (by whom, when, whose certificate), a draft not signed,
  an old version (with a link to the one in force), or cancelled (when; never why).
* POST /v/periksa: a PDF someone holds, compared byte for byte with what we issued.
* GET /s/{code}: the applicant's status page (the bukti pendaftaran's QR).

HTTP status of /v/{code}: 200 for every registered document whatever its state (the page
describes it, and X-Document-Status names the state for scripts), 410 for a cancelled
one, 404 for an unknown code. Shows only what the paper itself shows.
"""

from __future__ import annotations

import re
from datetime import tzinfo

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from staffbot.app.bus import MessageBus
from staffbot.app.commands.verification import CheckFile, Verdict, VerifyCode
from staffbot.services.context import Office
from staffbot.texts.public import pt
from staffbot.timefmt import long_date, long_time
from staffbot.web.public_page import PublicFrame, facts
from staffbot.web.status import status_routes
from staffbot.web.templating import Safe, esc, join, tag

MAX_CHECK_BYTES = 20 * 1024 * 1024
_CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")

#: (tone, icon) of each judgement; the tone is the CSS class of the verdict box.
_TONES = {"ok": "✔", "warn": "⚠", "bad": "✖", "info": "ℹ"}


def verification_routes(bus: MessageBus) -> list[BaseRoute]:
    """/v/ (verification) and /s/ (the applicant's status): every public QR target."""
    office = bus.office
    frame = PublicFrame(office.documents.letterhead)

    async def show(request: Request) -> Response:
        code = str(request.path_params["code"])[:40]
        if not _CODE.fullmatch(code):  # codes are URL-safe base64; anything else: unknown
            return verdict_page(Verdict(known=False), office, frame)
        verdict = await bus.handle(VerifyCode(code))
        return verdict_page(verdict, office, frame)

    async def check(request: Request) -> Response:
        form = await request.form(max_files=1, max_part_size=MAX_CHECK_BYTES)
        upload = form.get("berkas")
        data = await upload.read() if upload is not None and not isinstance(upload, str) else b""
        if not data:
            return verdict_page(Verdict(known=False), office, frame, status=400)
        verdict = await bus.handle(CheckFile(data))
        # the check itself went through, whatever it found: 200
        return verdict_page(verdict, office, frame, status=200)

    return [
        Route("/v/periksa", check, methods=["POST"]),
        Route("/v/{code}", show, methods=["GET"]),
        *status_routes(bus, frame),
    ]


def judge(verdict: Verdict, lang: str, tz: tzinfo) -> tuple[str, str, str, int]:
    """(tone, heading, lead, HTTP status of /v/{code}) for a verdict."""
    if not verdict.known:
        lead = "v.changed.lead" if verdict.matches_record is False else "v.unknown.lead"
        return "bad", pt("v.unknown.heading", lang), pt(lead, lang), 404
    if verdict.status == "void":
        when = long_date(verdict.status_at, tz, lang) if verdict.status_at else "-"
        return "bad", pt("v.void.heading", lang), pt("v.void.lead", lang, date=when), 410
    if verdict.status == "superseded":
        lead = "v.superseded.signed_lead" if verdict.current_is_signed_copy else "v.superseded.lead"
        return "warn", pt("v.superseded.heading", lang), pt(lead, lang), 200
    if verdict.status == "received":
        return "info", pt("v.received.heading", lang), pt("v.received.lead", lang), 200
    if verdict.signed:
        if verdict.signature_ok is False:
            problem = verdict.signature_problem or ""
            return (
                "bad",
                pt("v.bad_signature.heading", lang),
                pt("v.bad_signature.lead", lang, problem=problem),
                200,
            )
        at = long_time(verdict.signed_at, tz, lang) if verdict.signed_at else "-"
        lead = "v.signed.lead" if verdict.signature_ok else "v.signed.lead_purged"
        return (
            "ok",
            pt("v.signed.heading", lang),
            pt(lead, lang, signer=verdict.signer or "-", at=at),
            200,
        )
    if verdict.needs_signature:
        return "warn", pt("v.draft.heading", lang), pt("v.draft.lead", lang), 200
    return "ok", pt("v.unsigned.heading", lang), pt("v.unsigned.lead", lang), 200


def _rows(verdict: Verdict, lang: str, tz: tzinfo) -> list[tuple[str, object]]:
    if not verdict.known:
        return [(pt("v.row.sha256", lang), _hash(verdict.sha256))] if verdict.sha256 else []
    rows: list[tuple[str, object]] = [(pt("v.row.kind", lang), verdict.kind)]
    if verdict.number:
        rows.append((pt("v.row.number", lang), verdict.number))
    if verdict.version:
        rows.append((pt("v.row.version", lang), str(verdict.version)))
    status = verdict.status
    if status == "draft" and not verdict.needs_signature:
        status = "draft_final"
    if status:
        rows.append((pt("v.row.status", lang), pt(f"status.{status}", lang)))
    if verdict.issued_at:
        rows.append((pt("v.row.issued", lang), long_time(verdict.issued_at, tz, lang)))
    if verdict.signed:
        rows.append((pt("v.row.signer", lang), verdict.signer or "-"))
        if verdict.signed_at:
            rows.append((pt("v.row.signed_at", lang), long_time(verdict.signed_at, tz, lang)))
        if verdict.issuer in ("bsre", "local"):
            rows.append((pt("v.row.issuer", lang), pt(f"issuer.{verdict.issuer}", lang)))
    if verdict.purged:
        rows.append((pt("v.row.file", lang), pt("v.row.purged", lang)))
    if verdict.sha256:
        rows.append((pt("v.row.sha256", lang), _hash(verdict.sha256)))
    return rows


def _hash(value: str) -> Safe:
    return tag("code", value, class_="hash")


def verdict_page(
    verdict: Verdict, office: Office, frame: PublicFrame, *, status: int | None = None
) -> HTMLResponse:
    lang, tz = office.language, office.tz
    tone, heading, lead, code_status = judge(verdict, lang, tz)
    box = [tag("h1", f"{_TONES[tone]} {heading}"), tag("p", lead, class_="lead")]
    if verdict.current_code:
        box.append(
            tag(
                "p",
                tag(
                    "a",
                    pt("v.superseded.link", lang),
                    href=f"/v/{verdict.current_code}",
                    class_="button",
                ),
            )
        )
    form = Safe(
        '<form method="post" action="/v/periksa" enctype="multipart/form-data" class="check">'
        f"<p>{esc(pt('v.form.lead', lang))}</p>"
        '<input type="file" name="berkas" accept="application/pdf" required> '
        f'<button type="submit">{esc(pt("v.form.button", lang))}</button></form>'
    )
    parts = [
        tag("section", join(box), class_=f"verdict verdict-{tone}"),
        facts(_rows(verdict, lang, tz)),
        form,
    ]
    return frame.response(
        pt("v.title", lang),
        parts,
        status=code_status if status is None else status,
        headers={"X-Document-Status": verdict.status or "unknown"},
    )


__all__ = ["esc", "judge", "verdict_page", "verification_routes"]

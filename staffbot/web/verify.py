"""GET /v/{code}: the public page behind every document's QR code; POST /v/periksa
checks a PDF someone holds. Shows only what the paper itself shows."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from staffbot.app.bus import MessageBus
from staffbot.app.commands.verification import CheckFile, Verdict, VerifyCode
from staffbot.services.context import Office
from staffbot.timefmt import long_time
from staffbot.web.templating import Safe, esc, join, page, tag

MAX_CHECK_BYTES = 20 * 1024 * 1024
_CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")


def verification_routes(bus: MessageBus) -> list[BaseRoute]:
    office = bus.office

    async def show(request: Request) -> Response:
        code = str(request.path_params["code"])[:40]
        if not _CODE.fullmatch(code):  # codes are URL-safe base64; anything else: unknown
            return _page(Verdict(known=False), office, status=404)
        verdict = await bus.handle(VerifyCode(code))
        return _page(verdict, office, status=200 if verdict.known else 404)

    async def check(request: Request) -> Response:
        form = await request.form(max_files=1, max_part_size=MAX_CHECK_BYTES)
        upload = form.get("berkas")
        data = await upload.read() if upload is not None and not isinstance(upload, str) else b""
        if not data:
            return _page(Verdict(known=False), office, status=400)
        verdict = await bus.handle(CheckFile(data))
        return _page(verdict, office, status=200)

    return [
        Route("/v/periksa", check, methods=["POST"]),
        Route("/v/{code}", show, methods=["GET"]),
    ]


def _page(verdict: Verdict, office: Office, *, status: int) -> HTMLResponse:
    if not verdict.known:
        heading = "Dokumen tidak terdaftar"
        lead = (
            "Kode atau berkas ini tidak cocok dengan dokumen yang diterbitkan Disdukcapil "
            "Kabupaten Tanggamus."
            if verdict.matches_record is not False
            else "Berkas ini tidak sama dengan dokumen yang kami terbitkan (isinya berbeda "
            "atau berubah)."
        )
        ok = False
    elif verdict.signed and not verdict.signature_ok:
        heading, ok = "Tanda tangan elektronik TIDAK sah", False
        lead = f"Dokumen terdaftar, tetapi {verdict.signature_problem}."
    else:
        heading, ok = "Dokumen sah", True
        lead = "Dokumen ini diterbitkan oleh Disdukcapil Kabupaten Tanggamus."
    rows: list[tuple[str, str]] = []
    if verdict.known:
        rows.append(("Jenis dokumen", verdict.kind))
        if verdict.number:
            rows.append(("Nomor", verdict.number))
        if verdict.issued_at:
            rows.append(("Diterbitkan", long_time(verdict.issued_at, office.tz)))
        if verdict.signed:
            rows.append(("Ditandatangani oleh", verdict.signer or "-"))
            if verdict.signed_at:
                rows.append(("Waktu tanda tangan", long_time(verdict.signed_at, office.tz)))
    if verdict.purged:
        rows.append(("Berkas", "dihapus setelah masa simpan; periksa berkas Anda di bawah"))
    if verdict.sha256:
        rows.append(("SHA-256", verdict.sha256))
    table = tag(
        "table",
        join([tag("tr", join([tag("th", label), tag("td", value)], "")) for label, value in rows]),
        class_="verify",
    )
    form = Safe(
        '<form method="post" action="/v/periksa" enctype="multipart/form-data">'
        "<p>Punya berkas PDF-nya? Periksa apakah sama persis dengan yang kami terbitkan:</p>"
        '<input type="file" name="berkas" accept="application/pdf" required> '
        '<button type="submit">Periksa berkas</button></form>'
    )
    body = tag(
        "main",
        join(
            [
                tag("h1", ("✔ " if ok else "✖ ") + heading),
                tag("p", lead),
                table,
                form,
            ]
        ),
        class_="page narrow verify-" + ("ok" if ok else "bad"),
    )
    return HTMLResponse(
        page("Verifikasi dokumen", body), status_code=status, headers={"Cache-Control": "no-store"}
    )


__all__ = ["esc", "verification_routes"]

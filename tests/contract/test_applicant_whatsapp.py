"""The applicant's side on WhatsApp: the instruction at step 2, files sent in and attached
to the case (and shown on the WA receiver's card), the finished PDF at step 13, the
delivery statuses Meta reports for it recorded on the case's outbox row, shown with the
case, and a failure alerting the PDF sender and the Kasi Inovasi."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from staffbot.app.commands.deliveries import WatchDeliveries
from staffbot.bootstrap import build_bus
from staffbot.cli.root import app
from staffbot.services.context import Office
from storage.db import Database
from storage.tables import OUTBOX_SENT
from tests.contract.conftest import open_desk
from tests.contract.harness import Desk
from tests.doubles.whatsapp import GraphError
from tests.support import FORM, HAPPY, PIN, ROSTER, tiny_pdf

APPLICANT = "+6281234567890"


def jpeg() -> bytes:
    """A real (tiny) photo: the print dossier of step 5 renders the applicant's images."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 180, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


async def test_applicant_on_whatsapp(db: Database, office: Office, tmp_path: Path) -> None:
    async with open_desk(db, office, tmp_path, {}) as desk:
        assert desk.wa is not None
        number = await _record(desk)

        # Step 2: the applicant never wrote to us, so the instruction is a template.
        [instruction] = desk.wa.sent(APPLICANT)
        assert instruction.type == "template"
        assert instruction.content["name"] == "staffbot_info_pengaduan"
        body = instruction.content["components"][0]["parameters"][0]["text"]
        assert number in body and office.reference.service_number in body

        # The applicant sends a photo and a PDF; a redelivered id is taken once.
        photo = await desk.wa.push_image(APPLICANT, jpeg(), "image/jpeg", name="Siti Aminah")
        scan = await desk.wa.push_document(APPLICANT, "kk.pdf", tiny_pdf("kk"), name="Siti")
        again = await desk.wa.push_document(
            APPLICANT, "kk-lagi.pdf", tiny_pdf("lagi"), message_id=scan.message_id
        )
        assert (photo.status, scan.status, again.status) == (200, 200, 200)
        await desk.settle()
        async with db.uow(readonly=True) as uow:
            case = await uow.cases.by_number(number)
            assert case is not None and case.id is not None
            files = await uow.documents.of_case(case.id, "berkas")
        assert [f.mime_type for f in files] == ["image/jpeg", "application/pdf"]
        thanks = [m for m in desk.wa.sent(APPLICANT) if m.type == "text"]
        assert len(thanks) == 2 and all(number in (m.text or "") for m in thanks)
        # Step 3's holder sees the files on the card pushed again.
        receiver = desk.person("operator_penerima_wa")
        latest = (await desk.transcript(receiver))[-1]
        assert number in latest.text and "Berkas dari pemohon: 2" in latest.text
        assert "Teruskan" in latest.buttons

        # Steps 3-13 by their holders (on the web channel); step 13 sends the PDF.
        await _work_to_the_end(desk, number)
        pdf = desk.wa.sent(APPLICANT)[-1]
        assert pdf.type == "document" and "telah selesai" in (pdf.text or "")
        media = desk.wa.media_of(pdf)
        assert media is not None and media.data.startswith(b"%PDF")

        # Meta reports the PDF's fate; a late "delivered" does not undo "read".
        for status in ("sent", "delivered", "read"):
            await desk.wa.push_status(pdf.id, status)
        await desk.wa.push_status(pdf.id, "delivered")
        async with db.uow(readonly=True) as uow:
            rows = await uow.outbox.for_case(case.id)
        [delivered] = [r for r in rows if r.platform_message_id == pdf.id]
        assert delivered.kind == "applicant" and delivered.payload.get("attachment")
        assert delivered.status == OUTBOX_SENT
        assert delivered.delivery_status == "read" and delivered.delivery_status_at is not None


async def _record(desk: Desk) -> str:
    cc = desk.person("petugas_call_center")
    await desk.command(cc, "baru")
    for answer in (FORM.name, FORM.nik, FORM.wa):
        await desk.say(cc, answer)
    await desk.press(cc, FORM.kecamatan)
    await desk.press(cc, FORM.layanan)
    await desk.say(cc, FORM.keluhan)
    await desk.press(cc, "Simpan")
    async with desk.db.uow(readonly=True) as uow:
        [case] = await uow.cases.open_for_phone(APPLICANT)
    return case.number


async def _work_to_the_end(desk: Desk, number: str) -> None:
    flow = desk.office.flow
    while (step := flow.step(await _step_of(desk, number))).key in HAPPY:
        before = step.key
        person = desk.person(step.role)
        assert person.nip == ROSTER[step.role]
        action = step.action(HAPPY[step.key])
        assert action is not None
        await desk.press(person, action.label, on=number)
        if action.requires_attachment:
            await desk.send_file(person, "hasil.pdf", tiny_pdf(number), "application/pdf")
        if action.requires_pin:
            await desk.say(person, PIN)
        assert await _step_of(desk, number) != before, (before, desk.toasts[-1:])


async def _step_of(desk: Desk, number: str) -> str:
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None
        return case.step


async def test_a_failed_pdf_shows_with_the_case_and_alerts_its_sender_once(
    db: Database, office: Office, tmp_path: Path, db_url: str
) -> None:
    """Meta reports the signed PDF failed (131026): `case show` (text and JSON) and
    `outbox list` show it, the PDF sender (on WhatsApp) and the Kasi Inovasi get one
    alert each however often the webhook comes, and its Kirim ulang button sends the
    PDF again."""
    async with open_desk(db, office, tmp_path, {"operator_pengirim_pdf": "whatsapp"}) as desk:
        assert desk.wa is not None
        sender, kasi = desk.person("operator_pengirim_pdf"), desk.person("kasi_inovasi")
        await desk.join(sender)
        number = await _record(desk)
        await _work_to_the_end(desk, number)
        # the applicant never wrote: the PDF goes as the document template
        pdf = desk.wa.sent(APPLICANT)[-1]
        assert pdf.content["name"] == "staffbot_dokumen_selesai"

        await desk.wa.push_status(pdf.id, "sent")
        for _ in range(2):  # Meta delivers a webhook twice now and then
            failed = await desk.wa.push_status(
                pdf.id, "failed", error=GraphError(131026, "Message undeliverable")
            )
            assert failed.status == 200
        await desk.settle()
        # the scheduler's watch finds the failure already told
        assert await build_bus(db, office).handle(WatchDeliveries(now=office.now())) == 0
        await desk.settle()

        for person in (sender, kasi):
            alerts = [m for m in await desk.transcript(person) if "GAGAL terkirim" in m.text]
            assert len(alerts) == 1, (person.role, [m.text for m in alerts])
            [alert] = alerts
            assert number in alert.text and "131026" in alert.text
            assert "+62 812-****-7890" in alert.text and APPLICANT not in alert.text
            assert alert.buttons == ["Kirim ulang", f"Lihat {number}"]

        env = {"STAFFBOT_DATABASE_URL": db_url, "STAFFBOT_DATA_DIR": str(tmp_path / "cli")}
        view = json.loads(await cli(env, "case", "show", number, "--json"))
        [document] = [d for d in view["deliveries"] if d["what"] == "dokumen"]
        assert (document["state"], document["to"]) == ("failed", "+62 812-****-7890")
        assert "131026" in document["error"] and document["sender"] == sender.name
        assert document["state_at"] is not None and document["sent_at"] is not None
        whats = [d["what"] for d in view["deliveries"]]
        assert whats == ["instruksi", "terdaftar", "dokumen"]
        text = await cli(env, "case", "show", number)
        assert "Pesan ke pemohon" in text and "gagal" in text and "131026" in text
        assert APPLICANT not in text and APPLICANT not in json.dumps(view)
        listed = json.loads(await cli(env, "outbox", "list", "--case", number, "--json"))
        [row] = [r for r in listed if r["id"] == document["outbox_id"]]
        assert (row["status"], row["delivery_status"]) == ("sent", "failed")
        assert row["chat"] == "+62 812-****-7890"
        # the sent messages' table has the delivery status column (the PDF: failed)
        assert "failed" in await cli(env, "outbox", "list", "--sent")

        # the alert opens the case: its card says how far the documents got
        await desk.press(sender, f"Lihat {number}", on=number)
        card = (await desk.transcript(sender))[-1].text
        assert "Ke pemohon: Dokumen selesai bertanda tangan (PDF) · gagal" in card
        assert "Ke pemohon: Bukti pendaftaran (PDF) · terkirim" in card

        # the button sends the PDF again
        await desk.press(sender, "Kirim ulang", on=number)
        again = desk.wa.sent(APPLICANT)[-1]
        assert again.id != pdf.id and again.content["name"] == "staffbot_dokumen_selesai"
        said = (await desk.transcript(sender))[-1].text
        assert "dijadwalkan dikirim ulang" in said and number in said
        view = json.loads(await cli(env, "case", "show", number, "--json"))
        assert [d["again"] for d in view["deliveries"] if d["what"] == "dokumen"] == [
            None,
            "resend",
        ]


async def cli(env: dict[str, str], *args: str) -> str:
    """The command line in a thread (it runs its own event loop)."""
    result = await asyncio.to_thread(CliRunner().invoke, app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout

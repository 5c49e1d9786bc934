"""The WhatsApp channel against the WhatsApp double: interactive cards within the
platform's limits, the 24-hour window and its templates, status webhooks, the pair
rate, and the webhook's signature check."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from staffbot.app.commands.staff import ChangeStaff
from staffbot.channels.base import Delivery, FileBlob
from staffbot.channels.whatsapp import WhatsAppChannel
from staffbot.channels.whatsapp_render import interactive, template_param
from staffbot.channels.whatsapp_webhook import SIGNATURE_HEADER
from staffbot.chat.service import ChatService
from staffbot.clock import SystemClock
from staffbot.dispatcher import OutboxDispatcher
from staffbot.errors import BadChannelRequest, ChannelUnavailable, RecipientUnreachable, RetryAfter
from staffbot.messages import Choice, OutgoingMessage
from storage.repos.channels import ChannelRepository
from tests.channels.support import (
    WA_PHONE_ID,
    WA_SECRET,
    WA_TOKEN,
    WA_VERIFY,
    Recorder,
    document_loader,
    serve,
    whatsapp_channel,
)
from tests.doubles._common import FaultPlan
from tests.doubles._whatsapp_payloads import sign
from tests.doubles.whatsapp import WhatsAppDouble
from tests.support import ROSTER, Desk, tiny_pdf

STAFF = "+6281299990001"
APPLICANT = "+6281234567890"
CARD = OutgoingMessage(
    "📄 <b>Kasus PO-2026-00001</b>\nLangkah 3 · Operator Penerima WA",
    (Choice("Teruskan", "tok-forward"), Choice("Tolak", "tok-reject")),
)


@dataclass
class Wa:
    api: WhatsAppDouble
    channel: WhatsAppChannel
    recorder: Recorder
    dispatcher: OutboxDispatcher
    url: str


@pytest.fixture
async def wa(desk: Desk) -> AsyncIterator[Wa]:
    await desk.bus.handle(
        ChangeStaff(ROSTER["operator_penerima_wa"], whatsapp=STAFF, channel="whatsapp")
    )
    async with WhatsAppDouble(WA_TOKEN, phone_id=WA_PHONE_ID, app_secret=WA_SECRET) as api:
        recorder = Recorder(ChatService(desk.bus).handle)
        channel = whatsapp_channel(api.url, recorder, desk.db, desk.office)
        await channel.initialize()
        async with serve(channel.receiver().routes()) as url:
            api.configure_webhook(f"{url}/whatsapp/webhook")
            dispatcher = OutboxDispatcher(
                desk.db,
                {"whatsapp": channel},
                clock=SystemClock(),
                load_document=document_loader(desk.db, desk.office),
            )
            yield Wa(api, channel, recorder, dispatcher, url)
        await channel.shutdown()


def send(phone: str, message: OutgoingMessage, **kw: object) -> Delivery:
    return Delivery(phone, "send", message, **kw)  # type: ignore[arg-type]


# -- rendering -----------------------------------------------------------------------------


def test_up_to_three_short_choices_are_reply_buttons_else_lists() -> None:
    [buttons] = interactive("Kartu", CARD.choices)
    assert buttons.content["type"] == "button"
    assert [b["reply"]["title"] for b in buttons.content["action"]["buttons"]] == [
        "Teruskan",
        "Tolak",
    ]
    four = [Choice(f"Pilihan {i}", f"t{i}") for i in range(4)]
    [listed] = interactive("Kartu", four)
    assert listed.content["type"] == "list"
    assert listed.content["action"]["button"] == "Pilih"
    # A title over 20 characters does not fit a button: a list row shows it (<= 24).
    [long] = interactive("Kartu", [Choice("Bandar Negeri Semuong", "a"), Choice("Semaka", "b")])
    assert long.content["type"] == "list"
    twelve = [Choice(f"Buka PO-2026-000{i:02d} · Kota Agung Timur", f"t{i}") for i in range(12)]
    first, second = interactive("Tugas Anda", twelve)
    rows = [r for part in (first, second) for r in part.content["action"]["sections"][0]["rows"]]
    assert len(first.content["action"]["sections"][0]["rows"]) == 10 and len(rows) == 12
    assert all(len(r["title"]) <= 24 for r in rows)
    assert rows[0]["description"] == "Buka PO-2026-00000 · Kota Agung Timur"
    assert second.content["body"]["text"] == "Pilihan lainnya (2/2)"
    with pytest.raises(BadChannelRequest):
        interactive("x", [Choice("A", "i" * 257)])
    assert template_param("<b>Yth.</b>\n\nBaris   dua\tdan  tiga") == "Yth. · Baris dua dan tiga"


# -- outgoing --------------------------------------------------------------------------------


async def test_cards_edits_and_documents_inside_the_window(wa: Wa) -> None:
    await wa.api.push_text(STAFF, "/start", name="Andi")
    sent = await wa.channel.deliver(send(STAFF, CARD))
    blob = FileBlob("berkas.pdf", "application/pdf", tiny_pdf("b"))
    with_file = await wa.channel.deliver(send(STAFF, CARD, document=blob, idempotency_key="k1"))
    closed = OutgoingMessage(CARD.text + "\n\n<b>✔ Diteruskan oleh Andi Saputra, 09:05</b>")
    edited = await wa.channel.deliver(Delivery(STAFF, "edit", closed, message_id=sent.message_id))
    gone = await wa.channel.deliver(Delivery(STAFF, "delete", CARD, message_id="wamid.x"))
    messages = [m for m in wa.api.sent(STAFF) if m.type != "text" or m.context_id]
    card, card_again, document, reply = messages[-4:]
    assert card.id == sent.message_id and card.buttons == [
        ("tok-forward", "Teruskan"),
        ("tok-reject", "Tolak"),
    ]
    assert card.text == "📄 *Kasus PO-2026-00001*\nLangkah 3 · Operator Penerima WA"
    assert card_again.id == with_file.message_id and document.type == "document"
    media = wa.api.media_of(document)
    assert media is not None and media.data == blob.data and media.filename == "berkas.pdf"
    assert reply.id == edited.message_id and reply.context_id == sent.message_id
    assert reply.text == "📄 *Kasus PO-2026-00001*\n*✔ Diteruskan oleh Andi Saputra, 09:05*"
    assert gone.message_id == "wamid.x"  # nothing to delete on WhatsApp: done


async def test_outside_the_window_staff_get_one_invitation_and_applicants_a_template(
    wa: Wa, desk: Desk
) -> None:
    with pytest.raises(RecipientUnreachable, match="invitation template sent"):
        await wa.channel.deliver(send(STAFF, CARD))
    with pytest.raises(RecipientUnreachable):
        await wa.channel.deliver(send(STAFF, CARD))  # no second invitation
    [invitation] = wa.api.sent(STAFF)
    assert invitation.type == "template" and invitation.content["name"] == "staffbot_tugas_baru"
    components = invitation.content["components"]
    assert components[0]["parameters"][0]["text"] == "📄 Kasus PO-2026-00001"
    assert components[1]["parameters"][0]["payload"] == "/tugas"
    async with desk.db.uow(readonly=True) as uow:
        window = await ChannelRepository(uow.session).window(STAFF)
    assert window is not None and window.invited_at is not None

    # The staff member taps "Lihat tugas": their task list comes, the window is open.
    pressed = await _press_quick_reply(wa.api, STAFF, "/tugas")
    assert pressed.status == 200
    await wa.dispatcher.drain()
    assert wa.api.sent(STAFF)[-1].type in ("text", "interactive")

    blob = FileBlob("hasil.pdf", "application/pdf", tiny_pdf("hasil"))
    text = await wa.channel.deliver(send(APPLICANT, OutgoingMessage("Yth. <b>Siti</b>,\nSilakan")))
    pdf = await wa.channel.deliver(send(APPLICANT, OutgoingMessage("Dokumen"), document=blob))
    first, second = wa.api.sent(APPLICANT)
    assert (first.id, second.id) == (text.message_id, pdf.message_id)
    assert first.content["name"] == "staffbot_info_pengaduan"
    assert first.content["components"][0]["parameters"][0]["text"] == "Yth. Siti, · Silakan"
    assert second.content["name"] == "staffbot_dokumen_selesai"
    header = second.content["components"][0]["parameters"][0]["document"]
    media = wa.api.media.get(header["id"])
    assert media is not None and media.data == blob.data and header["filename"] == "hasil.pdf"


async def test_a_window_failure_reported_later_is_sent_again_as_a_template(
    wa: Wa, desk: Desk
) -> None:
    # Meta accepts free-form messages outside the window and fails them later (131047).
    wa.api.window_violation = "status"
    number = (await desk.new_case()).number
    await wa.api.push_text(APPLICANT, "halo")  # our record: the window is open
    wa.api.thread(APPLICANT).last_inbound = wa.api.clock() - 25 * 3600  # Meta's: it is not
    for _ in range(3):
        await wa.dispatcher.drain()
        await wa.api.drain()
        await wa.channel.statuses_recorded()
    thread = wa.api.thread(APPLICANT).messages
    failed = [m for m in thread if m.failed_with == 131047]
    templates = [m for m in wa.api.sent(APPLICANT) if m.type == "template"]
    said = [m.content["components"][0]["parameters"][0]["text"] for m in templates]
    assert failed and all(m.type == "text" for m in failed)
    # Whatever failed went again as a template; the applicant got both messages.
    assert len(templates) == 2, said
    assert any("telah dicatat dengan nomor " + number in text for text in said)
    assert any("pesan Anda kami terima" in text for text in said)
    async with desk.db.uow(readonly=True) as uow:
        repo = ChannelRepository(uow.session)
        rows = [r for m in failed for r in await repo.by_platform_id("whatsapp", m.id)]
        window = await repo.window(APPLICANT)
        pending = await uow.outbox.listing(status="pending")
    assert rows and all(r.delivery_status == "failed" for r in rows)
    assert window is not None and window.last_inbound_at is None
    assert [r for r in pending if r.chat_id == APPLICANT] == []


async def test_throttling(wa: Wa) -> None:
    await wa.api.push_text(STAFF, "halo")
    wa.api.pair_rate_limit = True
    await wa.channel.deliver(send(STAFF, OutgoingMessage("satu")))
    # Meta's pair limit throttles this one user only: back off this message, not the number.
    with pytest.raises(ChannelUnavailable, match="131056"):
        await wa.channel.deliver(send(STAFF, OutgoingMessage("dua")))
    wa.api.faults = FaultPlan(script=["429"])
    with pytest.raises(RetryAfter):
        await wa.channel.deliver(send(APPLICANT, OutgoingMessage("tiga")))


# -- incoming ------------------------------------------------------------------------------


async def test_webhook_verification_and_signatures(wa: Wa, desk: Desk) -> None:
    endpoint = f"{wa.url}/whatsapp/webhook"
    challenge = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
    body = json.dumps(_quick_reply(wa.api, APPLICANT, "/tugas")).encode()
    async with httpx.AsyncClient() as http:
        ok = await http.get(endpoint, params={**challenge, "hub.verify_token": WA_VERIFY})
        bad = await http.get(endpoint, params={**challenge, "hub.verify_token": "salah"})
        missing = await http.post(endpoint, content=body)
        forged = await http.post(
            endpoint, content=body, headers={SIGNATURE_HEADER: sign("bukan-rahasia", body)}
        )
        # Refused before parsing: a badly signed non-JSON body is a 403, not a 400.
        garbage = await http.post(endpoint, content=b"{x", headers={SIGNATURE_HEADER: "sha256=0"})
        unparsable = await http.post(
            endpoint, content=b"{x", headers={SIGNATURE_HEADER: sign(WA_SECRET, b"{x")}
        )
    assert (ok.status_code, ok.text) == (200, "1158201444")
    assert bad.status_code == 403
    assert (missing.status_code, forged.status_code, garbage.status_code) == (401, 403, 403)
    assert unparsable.status_code == 400
    # Pushed by the double with a bad signature: refused, nothing recorded.
    refused = await wa.api.push_text(APPLICANT, "palsu", signature="invalid")
    assert refused.status == 403
    assert wa.recorder.seen == []
    async with desk.db.read_engine.connect() as conn:
        windows = (await conn.execute(text("SELECT count(*) FROM chat_window"))).scalar_one()
    assert windows == 0


async def test_a_refused_press_is_answered_in_the_chat(wa: Wa) -> None:
    await wa.api.push_text(STAFF, "halo")
    card = await wa.channel.deliver(send(STAFF, CARD))
    assert card.message_id is not None
    pressed = await wa.api.push_button_reply(STAFF, "tok-forward", "Teruskan", card.message_id)
    assert pressed.status == 200
    reply = wa.api.sent(STAFF)[-1]
    assert reply.context_id == card.message_id
    assert reply.text == "Tombol ini tidak dikenal atau bukan untuk Anda."


async def test_an_invite_binds_a_whatsapp_number_too(wa: Wa, desk: Desk) -> None:
    from staffbot.app.commands.invites import CreateInvite

    code = await desk.bus.handle(CreateInvite(nip=ROSTER["operator"]))
    phone = "+6281299990002"
    await wa.api.push_text(phone, f"/start {code}", name="Yusuf")
    await wa.dispatcher.drain()
    async with desk.db.uow(readonly=True) as uow:
        staff = await uow.staff.by_nip(ROSTER["operator"])
    assert staff is not None and (staff.whatsapp, staff.channel) == (phone, "whatsapp")
    said = [m.text or "" for m in wa.api.sent(phone)]
    assert "terhubung dengan Yusuf Hidayat" in said[0] and "Selamat datang" in said[1]


async def test_a_message_id_is_processed_once(wa: Wa, desk: Desk) -> None:
    number = (await desk.new_case()).number
    first = await wa.api.push_document(APPLICANT, "kk.pdf", tiny_pdf("kk"))
    await wa.api.redeliver(first)  # identical bytes
    again = await wa.api.push_document(  # same wamid, another body
        APPLICANT, "kk-2.pdf", tiny_pdf("kk2"), message_id=first.message_id
    )
    assert again.status == 200
    assert [e.update_id for e in wa.recorder.seen] == [first.message_id] * 3
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        files = await uow.documents.of_case(case.id, "berkas")
    assert [f.filename for f in files] == ["kk.pdf"]


async def test_statuses_without_contacts_are_recorded(wa: Wa, desk: Desk) -> None:
    wa.api.status_contacts = False  # the older payload shape pywa 4.5 drops
    await wa.api.push_text(APPLICANT, "halo")
    delivered = await wa.channel.deliver(send(APPLICANT, OutgoingMessage("Terima kasih")))
    async with desk.uow() as uow:
        from staffbot.services import notify

        row = await notify.queue(
            uow,
            desk.office,
            address=notify.Address("whatsapp", APPLICANT),
            kind="applicant",
            message=OutgoingMessage("Terima kasih"),
            key="status-test",
        )
        await uow.outbox.mark_sent(
            row.id or 0, at=desk.office.now(), platform_message_id=delivered.message_id
        )
        await uow.commit()
    assert delivered.message_id is not None
    for status in ("delivered", "sent", "read"):
        response = await wa.api.push_status(delivered.message_id, status)
        assert response.status == 200
    async with desk.db.uow(readonly=True) as uow:
        stored = await uow.outbox.get(row.id or 0)
    assert stored is not None and stored.delivery_status == "read"


def _quick_reply(api: WhatsAppDouble, phone: str, payload: str) -> dict[str, object]:
    """The webhook body Meta sends when a template's quick-reply button is pressed."""
    from tests.doubles._whatsapp_payloads import envelope, inbound_value

    value = inbound_value(
        api.thread(phone),
        "wamid.quick",
        api.clock(),
        "button",
        {"payload": payload, "text": "Lihat tugas"},
    )
    return envelope(api.waba_id, api.phone_id, api.display_phone_number, value)


async def _press_quick_reply(api: WhatsAppDouble, phone: str, payload: str) -> Any:
    """The person presses it: an inbound message, so it opens the 24-hour window too."""
    return await api._push_message(
        phone, "Andi", "button", {"payload": payload, "text": "Lihat tugas"}, signature="valid"
    )

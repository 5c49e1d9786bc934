"""Webhooks beyond the basic secret and signature checks (tests/channels has those):
a tampered or replayed body, a signature of another kind, a well-signed payload that is
malformed or for another number, an update Telegram would redeliver forever if it got
a 500. Each is answered at once, clearly, and changes nothing."""

from __future__ import annotations

import json

import httpx
from sqlalchemy import text

from staffbot.channels.telegram_receivers import SECRET_HEADER
from staffbot.channels.whatsapp_webhook import SIGNATURE_HEADER
from tests.channels.support import WA_SECRET
from tests.channels.test_telegram_webhook import USER, Hook, hook  # noqa: F401 (fixture)
from tests.channels.test_whatsapp import APPLICANT, Wa, wa  # noqa: F401 (fixture)
from tests.doubles._whatsapp_payloads import sign
from tests.support import Desk, counts


async def _processed(desk: Desk) -> int:
    async with desk.db.read_engine.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM processed_update"))).scalar_one())


async def test_telegram_malformed_updates_with_the_right_secret_are_dropped_not_retried(
    hook: Hook,  # noqa: F811
    desk: Desk,
) -> None:
    endpoint = f"{hook.url}/telegram/webhook"
    headers = {SECRET_HEADER: hook.secret}
    malformed = [
        {"update_id": 1, "message": {"from": "0", "chat": 5}},
        {"update_id": 2, "callback_query": {"message": "0", "from": {"id": USER}}},
        {"update_id": 3, "message": {"from": {"id": USER}, "chat": {"id": USER}, "photo": []}},
        {"update_id": 4, "message": {"from": {"id": USER}, "chat": {"id": USER}, "document": {}}},
        {"update_id": 5, "edited_message": {"text": "x"}},
    ]
    before = await counts(desk.db)
    async with httpx.AsyncClient() as http:
        answers = [
            await http.post(endpoint, content=json.dumps(u).encode(), headers=headers)
            for u in malformed
        ]
        not_an_object = await http.post(endpoint, content=b"[1, 2]", headers=headers)
    # 200: Telegram must not deliver these again (a 500 would repeat them forever)
    assert [a.status_code for a in answers] == [200] * len(malformed)
    assert not_an_object.status_code == 400
    assert hook.recorder.seen == [] and await counts(desk.db) == before


async def test_whatsapp_tampered_replayed_and_foreign_bodies(wa: Wa, desk: Desk) -> None:  # noqa: F811
    endpoint = f"{wa.url}/whatsapp/webhook"
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"phone_number_id": "999999"},  # another number
                            "contacts": [{"wa_id": APPLICANT[1:], "user_id": "u1"}],
                            "messages": [
                                {
                                    "from": APPLICANT[1:],
                                    "id": "wamid.foreign",
                                    "type": "text",
                                    "text": {"body": "/tugas"},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    body = json.dumps(payload).encode()
    good = sign(WA_SECRET, body)
    tampered = body.replace(b"/tugas", b"/cari!")
    sha1 = "sha1=" + good.removeprefix("sha256=")
    before = await counts(desk.db)
    async with httpx.AsyncClient() as http:
        changed = await http.post(endpoint, content=tampered, headers={SIGNATURE_HEADER: good})
        other_kind = await http.post(endpoint, content=body, headers={SIGNATURE_HEADER: sha1})
        foreign = await http.post(endpoint, content=body, headers={SIGNATURE_HEADER: good})
        replayed = await http.post(endpoint, content=body, headers={SIGNATURE_HEADER: good})
        broken = json.dumps({"object": "whatsapp_business_account", "entry": True}).encode()
        malformed = await http.post(
            endpoint, content=broken, headers={SIGNATURE_HEADER: sign(WA_SECRET, broken)}
        )
    assert (changed.status_code, other_kind.status_code) == (403, 403)
    # signed, but for another number of the business account, or malformed: taken (200,
    # so Meta does not resend it) and ignored
    assert (foreign.status_code, replayed.status_code, malformed.status_code) == (200, 200, 200)
    assert wa.recorder.seen == []
    assert await counts(desk.db) == before and await _processed(desk) == 0

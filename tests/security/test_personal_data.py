"""Personal data in a whole case on every channel at once (the mixed office of the
contract suite: Telegram, WhatsApp and web staff, the applicant on WhatsApp), with every
log line captured at DEBUG:

* no NIK or KK number, phone number, PIN, token or secret appears unmasked in any
  outgoing message, except on the cards of the steps that need it (SOP steps 4 and 8
  show the NIK, step 6 the WhatsApp number) and in the intake form's summary shown to
  the call center who typed it: the places docs/SECURITY.md names;
* none at all in any log line;
* the complaint and the applicant's file names are masked too (people type NIKs there).

The office signs with the local signer (its passphrase is the PIN) in the first test,
through BSrE (the double) in the second: the BSrE passphrase the Kepala Dinas types
reaches BSrE and nothing else (no message, no log line, no database row).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

import storage.tables
import tests.contract.test_channel_contract as contract
from staffbot.admin import install_log_safety
from staffbot.app.commands.staff import DEMO_ROSTER
from staffbot.documents.bsre import BsreSigner
from staffbot.services.context import Office
from staffbot.settings import Settings
from storage.db import Database
from tests.channels.support import TG_TOKEN, WA_SECRET, WA_TOKEN
from tests.contract.conftest import open_desk
from tests.contract.test_channel_contract import APPLICANT, VARIANTS
from tests.doubles.bsre import SIGN_PATH, BsreDouble, BsreUser
from tests.support import FORM, PIN, ROSTER, tiny_pdf

KK = "1806051234560007"
OTHER_PHONE = "0812-9999-1111"
NIK_LIKE = re.compile(r"(?<!\d)\d{4}[ .-]?\d{4}[ .-]?\d{4}[ .-]?\d{4}(?!\d)")
PHONE_LIKE = re.compile(r"(?<![\d*])(?:\+?62|0)[ .-]?8\d{2}[ .-]?\d{3,4}[ .-]?\d{3,4}(?!\d)")
#: Where the flow shows what unmasked (flows/pengaduan_online.py `reveals`).
REVEALS = {"nik": ("Langkah 4 ", "Langkah 8 "), "phone": ("Langkah 6 ",)}
SUMMARY = "Periksa data pengaduan"
#: The office's own online-service number (told to applicants): not personal data.
OFFICE_NUMBER = "+62 812-0000-0000"


def allowed(kind: str, text: str) -> bool:
    if text.startswith(SUMMARY) or text.startswith("Check the complaint"):
        return True  # step 2: the call center checks what they typed
    return any(marker in text for marker in REVEALS[kind])


def scan(text: str, secrets: list[str]) -> list[str]:
    found = []
    if not allowed("nik", text):
        found += [f"NIK/KK {m}" for m in NIK_LIKE.findall(text)]
    if not allowed("phone", text):
        found += [f"phone {m}" for m in PHONE_LIKE.findall(text)]
    found += [
        f"secret {s[:4]}…" for s in secrets if re.search(rf"(?<!\d){re.escape(s)}(?!\d)", text)
    ]
    return [f for f in found if OFFICE_NUMBER not in f]


def scrub_logs_for(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    """The log safety `run` installs, knowing this office's tokens; every record kept."""
    install_log_safety(
        Settings(  # type: ignore[call-arg]
            telegram_token=TG_TOKEN,
            whatsapp_token=WA_TOKEN,
            whatsapp_app_secret=WA_SECRET,
            data_dir=settings.data_dir,
            _env_file=None,
        )
    )
    caplog.set_level(logging.DEBUG)


async def test_no_personal_data_or_secret_leaves_unmasked(
    db: Database, office: Any, tmp_path: Path, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    scrub_logs_for(settings, caplog)
    form = replace(FORM, keluhan=f"KK {KK} hilang, hubungi {OTHER_PHONE}")
    platforms, library = VARIANTS["mixed"]
    secrets = [TG_TOKEN, WA_TOKEN, WA_SECRET, PIN]
    original = contract.FORM
    contract.FORM = form
    try:
        async with open_desk(db, office, tmp_path / "tg", platforms, library=library) as desk:
            for person in desk.people.values():
                await desk.join(person)
            number = await contract.record_by_chat(desk)
            assert desk.wa is not None
            # the applicant sends a scan named after their NIK
            await desk.wa.push_document(
                APPLICANT, f"KTP_{FORM.nik}.pdf", tiny_pdf(), "application/pdf"
            )
            await desk.settle()
            await contract.work_the_case(desk, number)
            await desk.settle()
            messages = await _outgoing(desk)
    finally:
        contract.FORM = original
    assert len(messages) > 50
    leaks = {text[:80]: found for text in messages if (found := scan(text, secrets))}
    assert leaks == {}
    # the masked forms did go out where the data is not needed
    joined = "\n".join(messages)
    assert "1806********0001" in joined and "1806********0007" in joined
    assert "+62 812-****-7890" in joined
    # ... and the full ones where it is (so the test would notice masking everywhere)
    assert any(FORM.nik in m for m in messages if "Langkah 4 " in m)
    logs = caplog.text + "\n".join(
        r.getMessage() + json.dumps(getattr(r, "args", None), default=str) for r in caplog.records
    )
    assert len(caplog.records) > 20
    found_in_logs = [f for f in (NIK_LIKE.findall(logs) + PHONE_LIKE.findall(logs))]
    found_in_logs += [s[:4] for s in secrets if re.search(rf"(?<!\d){re.escape(s)}(?!\d)", logs)]
    assert found_in_logs == []


BSRE_PASSPHRASE = "Tanggamus#Sah-2026"
KADIS_NIK = "1806030309790001"


async def test_a_bsre_passphrase_reaches_bsre_and_nothing_else(
    db: Database,
    office: Office,
    tmp_path: Path,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The mixed office again, signing through BSrE: the Kepala Dinas (on WhatsApp in
    this roster) types his BSrE passphrase for the letter and for the Berita Acara."""
    scrub_logs_for(settings, caplog)
    platforms, library = VARIANTS["mixed"]
    kadis_name = next(name for role, name, _nip, _sup in DEMO_ROSTER if role == "kepala_dinas")
    user = BsreUser(nik=KADIS_NIK, name=kadis_name, passphrase=BSRE_PASSPHRASE)
    original = contract.PIN
    async with BsreDouble(users=[user]) as bsre:
        signer = BsreSigner(
            bsre.url,
            username=bsre.username,
            password=bsre.password,
            now=office.now,
            accounts={ROSTER["kepala_dinas"]: KADIS_NIK},
        )
        office = dataclasses.replace(office, signer=signer)
        contract.PIN = BSRE_PASSPHRASE  # what the Kepala Dinas types at the PIN prompt
        try:
            async with open_desk(db, office, tmp_path / "tg", platforms, library=library) as desk:
                await _signs_only_at_bsre(db)
                for person in desk.people.values():
                    await desk.join(person)
                number = await contract.record_by_chat(desk)
                await contract.work_the_case(desk, number)
                await desk.settle()
                messages = await _outgoing(desk)
        finally:
            contract.PIN = original
            await signer.aclose()
    # Both signatures were made by BSrE, one request each.
    assert bsre.requests[SIGN_PATH] == 2 and bsre.signed == 2
    assert len(messages) > 50
    secrets = [TG_TOKEN, WA_TOKEN, WA_SECRET, BSRE_PASSPHRASE]
    leaks = {text[:80]: found for text in messages if (found := scan(text, secrets))}
    assert leaks == {}
    logs = _logs(caplog)
    assert len(caplog.records) > 20 and "bsre sign" in logs
    assert BSRE_PASSPHRASE not in logs and KADIS_NIK not in logs
    stored = await _database_text(db)
    assert number in stored  # the dump does hold the case
    assert BSRE_PASSPHRASE not in stored


async def _signs_only_at_bsre(db: Database) -> None:
    """An office on BSrE keeps no PIN: the passphrase is checked by BSrE alone."""
    async with db.uow() as uow:
        kadis = await uow.staff.by_nip(ROSTER["kepala_dinas"])
        assert kadis is not None
        kadis.pin_hash = None
        uow.session.add(kadis)
        await uow.commit()


def _logs(caplog: pytest.LogCaptureFixture) -> str:
    return caplog.text + "\n".join(
        r.getMessage() + json.dumps(getattr(r, "args", None), default=str) for r in caplog.records
    )


async def _database_text(db: Database) -> str:
    """Every row of every table, as text."""
    assert storage.tables  # the tables are registered on SQLModel's metadata
    rows: list[str] = []
    async with db.read_engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            result = await conn.execute(select(table))
            rows += [json.dumps(list(row), default=str, ensure_ascii=False) for row in result]
    return "\n".join(rows)


async def _outgoing(desk: Any) -> list[str]:
    """Every text that went out, on every channel, with each version of edited ones."""
    texts: list[str] = []
    if desk.tg is not None:
        for chat in desk.tg.chats.values():
            for m in chat.bot_messages():
                texts += [h.get("raw_text") or h.get("text") or "" for h in m.history]
                texts += [m.raw_text or m.text or "", m.caption or ""]
    phones = {p.address for p in desk.people.values() if p.platform == "whatsapp"}
    for phone in sorted(phones | {APPLICANT}):
        texts += [json.dumps(m.content, ensure_ascii=False) for m in desk.wa.sent(phone)]
    async with desk.db.uow(readonly=True) as uow:
        rows = await uow.outbox.listing(limit=100_000)
    texts += [json.dumps(r.payload, ensure_ascii=False) for r in rows if r.channel == "web"]
    return [t for t in texts if t]


def test_the_log_scrubber() -> None:
    from staffbot.logsafety import install, redact

    install(["s3cret-app-key"])
    assert redact("POST https://api.telegram.org/bot123456:AAE_x-yz0123456789abcd/sendMessage") == (
        "POST https://api.telegram.org/bot<token>/sendMessage"
    )
    assert redact("NIK 1806054501900001, KK 1806-0512-3456-0007") == (
        "NIK 1806********0001, KK 1806********0007"
    )
    assert redact("wa +6281234567890 / 0812-3456-7890 / 62 812 3456 7890") == (
        "wa +62 812-****-7890 / +62 812-****-7890 / +62 812-****-7890"
    )
    assert redact("Authorization: Bearer EAAG1234567890abcdef") == "Authorization: Bearer ***"
    assert redact("app secret s3cret-app-key used") == "app secret *** used"
    # what is not personal stays readable
    assert redact("outbox row 1234 sent at 2026-11-25 09:00:00 (PO-2026-00001)") == (
        "outbox row 1234 sent at 2026-11-25 09:00:00 (PO-2026-00001)"
    )

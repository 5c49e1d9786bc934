"""`case purge`: after the retention period the personal data of closed cases is gone
(case row, registration book, stored files, outbox payloads that mention it,
conversations), an open case is untouched, and the audit chain still verifies. A copy of
a signed PDF the citizen holds is still recognised by its hash."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import text
from typer.testing import CliRunner

from staffbot.app.commands.audit import VerifyAuditChain
from staffbot.app.commands.privacy import PurgeClosedCases
from staffbot.app.commands.verification import CheckFile, VerifyCode
from staffbot.channels.base import CommandReceived, TextReceived
from staffbot.cli.root import app
from staffbot.services import audit as audit_service
from staffbot.services.files import read_blob
from staffbot.services.purge import PURGED_TEXT
from staffbot.services.verification import by_code, check_file
from staffbot.settings import Settings
from tests.chat.test_chat_service import Chats
from tests.support import FORM, Desk

OLD = replace(FORM, name="Rahmawati Lubis", nik="1806054107850003", wa="0813-1111-2222")


async def _dump(desk: Desk, table: str) -> str:
    async with desk.db.read_engine.connect() as conn:
        rows = (await conn.execute(text(f"SELECT * FROM {table}"))).all()
    return json.dumps([list(map(str, r)) for r in rows], ensure_ascii=False)


async def test_personal_data_of_old_closed_cases_is_removed(desk: Desk, settings: Settings) -> None:
    chats = Chats(desk)
    # the old case is recorded through the chat: the form's summary mentions its data
    await chats.send("petugas_call_center", CommandReceived, command="baru")
    for answer in (OLD.name, OLD.nik, OLD.wa):
        await chats.send("petugas_call_center", TextReceived, text=answer)
    await chats.press("petugas_call_center", OLD.kecamatan)
    await chats.press("petugas_call_center", OLD.layanan)
    await chats.send("petugas_call_center", TextReceived, text="-")
    await chats.press("petugas_call_center", "Simpan")
    old = "PO-2026-00001"
    await desk.advance_to(old, "buat_ba")
    await desk.make_ba(old)
    await desk.act(old, "sign")
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(old)
        assert case is not None and case.status == "closed" and case.id is not None
        documents = list(await uow.documents.of_case(case.id))
        ba_documents = list(await uow.documents.of_ba(case.ba_id or 0))
    signed = next(d for d in documents if d.signed)
    citizen_copy = read_blob(desk.office, signed)
    files = [desk.office.data_dir / d.path for d in documents + ba_documents]
    assert all(f.exists() for f in files)
    # a newer, still open case
    recent = (await desk.new_case()).number
    await desk.advance_to(recent, "loket")

    office = desk.office
    office.clock.advance(timedelta(days=400))  # type: ignore[attr-defined]
    early = await desk.bus.handle(PurgeClosedCases(retention_days=730))
    assert early.cases == ()
    office.clock.advance(timedelta(days=331))  # type: ignore[attr-defined]
    preview = await desk.bus.handle(PurgeClosedCases(retention_days=730, dry_run=True))
    assert preview.cases == (old,)
    report = await desk.bus.handle(PurgeClosedCases(retention_days=730, by="Admin Uji"))
    assert report.cases == (old,) and report.files == len(files)
    assert not any(f.exists() for f in files)

    # nothing of the applicant anywhere: not in any table
    for table in (
        "cases",
        "registration_book",
        "document",
        "outbox",
        "conversation",
        "chat_window",
        "audit_event",
    ):
        dumped = await _dump(desk, table)
        for word in (OLD.name, OLD.nik, "6281311112222", "081311112222"):
            assert word not in dumped, (table, word)
    async with desk.db.uow(readonly=True) as uow:
        purged = await uow.cases.by_number(old)
        kept = await uow.cases.by_number(recent)
        assert purged is not None and purged.purged_at is not None
        assert (purged.kecamatan, purged.layanan, purged.status) == (
            OLD.kecamatan,
            OLD.layanan,
            "closed",
        )
        assert kept is not None and (kept.applicant_name, kept.nik) == (FORM.name, FORM.nik)
        rows = await uow.outbox.for_case(purged.id or 0)
        assert rows and {r.payload["text"] for r in rows} == {PURGED_TEXT}
        # the hash chain still verifies, and says what was purged (numbers only)
        assert (await audit_service.verify_chain(VerifyAuditChain(), uow, office)).ok
        # the citizen's copy is still recognised, and the QR page still answers
        verdict = await check_file(CheckFile(citizen_copy), uow, office)
        assert verdict.known and verdict.signature_ok
        assert signed.verify_code is not None
        page = await by_code(VerifyCode(signed.verify_code), uow, office)
        assert page.known and page.purged
    kinds = await _dump(desk, "audit_event")
    assert "cases_purged" in kinds and "Admin Uji" in kinds
    # the web transcript of the call center: the summary lost the data, kept its shape
    summary = [
        m for m in await chats.messages("petugas_call_center") if "Periksa data" in m["text"]
    ]
    assert summary and "[dihapus]" in summary[-1]["text"] and OLD.nik not in summary[-1]["text"]
    # a second run finds nothing
    again = await desk.bus.handle(PurgeClosedCases(retention_days=730))
    assert again.cases == ()


def test_the_purge_verb(settings: Settings, tmp_path: object) -> None:
    env = {
        "STAFFBOT_DATABASE_URL": settings.database_url,
        "STAFFBOT_DATA_DIR": str(settings.data_dir),
    }
    runner = CliRunner()
    shown = runner.invoke(app, ["case", "purge", "--dry-run"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "0 kasus" in shown.output
    off = runner.invoke(app, ["case", "purge"], env={**env, "STAFFBOT_RETENTION_DAYS": "0"})
    assert off.exit_code == 1

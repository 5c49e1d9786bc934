"""A BSrE signature whose outcome is unknown, through the real signing service
(the `Sign` process, `services.signing`) and the real BSrE client against the BSrE double.

The double hangs on the sign request, the client times out after sending it: the case
is flagged for a manual check, a `sign_unknown` audit event is written, the task stays
open, BSrE saw exactly one request, and every further press is refused without asking
BSrE again until `case clear-check` (the command line) clears the flag.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from staffbot.app.commands.cases import Sign, Who
from staffbot.cli.root import app
from staffbot.documents.bsre import BsreSigner
from staffbot.documents.verify import validate_signed_pdf
from staffbot.errors import ManualCheckPending, SignOutcomeUnknown
from staffbot.services.files import read_blob
from storage.tables import AuditEvent
from tests.doubles.bsre import SIGN_PATH, BsreDouble, BsreUser
from tests.support import ROSTER, Desk

KADIS_NIP = ROSTER["kepala_dinas"]
KADIS_NIK = "1806030309790001"
PASSPHRASE = "Passphrase-BSrE-Kadis-1"


@pytest.fixture
async def bsre(desk: Desk) -> AsyncIterator[BsreDouble]:
    """The office signs through BSrE: the Kepala Dinas has no local PIN, his
    passphrase is checked by BSrE, which knows him by his NIK."""
    async with desk.db.uow() as uow:
        kadis = await uow.staff.by_nip(KADIS_NIP)
        assert kadis is not None
        kadis.pin_hash = None
        uow.session.add(kadis)
        await uow.commit()
        name = kadis.name
    async with BsreDouble(users=[BsreUser(nik=KADIS_NIK, name=name, passphrase=PASSPHRASE)]) as bs:
        signer = BsreSigner(
            bs.url,
            username=bs.username,
            password=bs.password,
            # Short read timeout: the double in "hang" mode never answers.
            timeout=httpx.Timeout(1.0),
            now=desk.office.now,
            accounts={KADIS_NIP: KADIS_NIK},
        )
        desk.office = dataclasses.replace(desk.office, signer=signer)
        try:
            yield bs
        finally:
            await signer.aclose()


async def _press(desk: Desk, task_id: int) -> None:
    [outcome] = await desk.bus.handle(Sign(Who(nip=KADIS_NIP), PASSPHRASE, task_ids=(task_id,)))
    if outcome.error is not None:
        raise outcome.error


async def _case(desk: Desk, number: str) -> tuple[bool, str, int | None]:
    """(needs_manual_check, step, open task id)"""
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        task = await uow.tasks.open_for_case(case.id)
        return case.needs_manual_check, case.step, task.id if task is not None else None


async def _events(desk: Desk, kind: str) -> list[AuditEvent]:
    async with desk.db.uow(readonly=True) as uow:
        return [e async for e in uow.audit.stream() if e.kind == kind]


def _clear_check(db_url: str, data_dir: Path, number: str) -> str:
    result = CliRunner().invoke(
        app,
        ["case", "clear-check", number, "--note", "tidak ada di portal BSrE", "--by", "Admin TI"],
        env={"STAFFBOT_DATABASE_URL": db_url, "STAFFBOT_DATA_DIR": str(data_dir)},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return result.output


async def test_an_unknown_bsre_outcome_flags_the_case_until_a_person_clears_it(
    desk: Desk, bsre: BsreDouble, db_url: str, tmp_path: Path
) -> None:
    number = (await desk.new_case()).number
    await desk.advance_to(number, "ttd_kadis")
    task_id = await desk.open_task_id(number)

    bsre.mode = "hang"
    with pytest.raises(SignOutcomeUnknown):
        await _press(desk, task_id)
    assert bsre.requests[SIGN_PATH] == 1 and bsre.signed == 0
    assert await _case(desk, number) == (True, "ttd_kadis", task_id)
    [unknown] = await _events(desk, "sign_unknown")
    assert (unknown.task_id, unknown.actor) == (task_id, "Ahmad Fauzi, S.STP., M.Si.")
    assert unknown.note and "after the request was sent" in unknown.note
    assert PASSPHRASE not in str(unknown.data) + unknown.note

    # BSrE answers again, but nobody may sign before the check: not asked at all.
    bsre.mode = "normal"
    for _ in range(2):
        with pytest.raises(ManualCheckPending):
            await _press(desk, task_id)
    assert bsre.requests[SIGN_PATH] == 1
    assert await _case(desk, number) == (True, "ttd_kadis", task_id)
    assert len(await _events(desk, "sign_unknown")) == 1

    # Checked by hand (the BSrE portal shows no signature): cleared on the command line.
    said = await asyncio.to_thread(_clear_check, db_url, tmp_path / "cli-data", number)
    assert f"{number}: pemeriksaan manual selesai" in said
    [cleared] = await _events(desk, "manual_check_cleared")
    assert (cleared.actor, cleared.note) == ("Admin TI", "tidak ada di portal BSrE")
    assert await _case(desk, number) == (False, "ttd_kadis", task_id)

    await _press(desk, task_id)
    assert bsre.requests[SIGN_PATH] == 2 and bsre.signed == 1
    flagged, step, _ = await _case(desk, number)
    assert (flagged, step) == (False, "cetak_dokumen")
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
        assert case is not None and case.id is not None
        [signed] = await uow.documents.of_case(case.id, "hasil_ttd")
    assert bsre.ca_cert is not None
    report = await validate_signed_pdf(read_blob(desk.office, signed), [bsre.ca_cert])
    assert report.ok and report.signer_subject is not None and KADIS_NIK in report.signer_subject

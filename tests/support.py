"""Helpers shared by service, contract and CLI tests: a demo roster and a case driven
through the SOP by the holder of each step."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfWriter

from staffbot.app.bus import MessageBus
from staffbot.app.commands.cases import (
    Act,
    ActResult,
    IntakeForm,
    IntakeResult,
    MakeBa,
    RecordCase,
    Sign,
    Who,
)
from staffbot.app.commands.staff import DEMO_PIN, DEMO_ROSTER, SeedDemo
from staffbot.bootstrap import build_bus
from staffbot.services.context import Office
from staffbot.services.files import store_document
from staffbot.services.locate import find_case
from storage.db import Database
from storage.uow import UnitOfWork

#: role -> NIP of the demo roster
ROSTER = {role: nip for role, _name, nip, _sup in DEMO_ROSTER}
PIN = DEMO_PIN

FORM = IntakeForm(
    name="Siti Aminah",
    nik="1806054501900001",
    wa="0812-3456-7890",
    kecamatan="Kota Agung",
    layanan="KTP-el",
    keluhan="KTP-el hilang, mohon dicetak ulang",
)

#: The happy path: step -> action taken there.
HAPPY = {
    "terima_wa": "forward",
    "angkat_data": "done",
    "cetak_berkas": "done",
    "loket": "approve",
    "verifikasi_kasi": "approve",
    "entri_data": "submit_tte",
    "ttd_kadis": "sign",
    "cetak_dokumen": "done",
    "paraf_kabid": "paraf",
    "pilah": "done",
    "kirim_pdf": "send_pdf",
}


def tiny_pdf(text: str = "hasil") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


#: Who signed :func:`siak_signed_pdf` (the name in its certificate).
SIAK_SIGNER = "Ahmad Fauzi (SIAK)"


def siak_signed_pdf(directory: Path) -> bytes:
    """A KK as SIAK prints it: signed already, with the certificate of a CA the bot does
    not know (BSrE's, as far as the office's own CA is concerned)."""
    from datetime import UTC, datetime, timedelta

    from staffbot.documents.model import SignRequest
    from staffbot.documents.pki import init_office_pki
    from staffbot.documents.signing import last_page_placement, sign_with_pkcs12

    signed_at = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)  # the morning of the tests' day
    secret = "rahasia-siak-2026"
    pki = init_office_pki(
        directory,
        office_name="BSrE uji",
        kadis_name=SIAK_SIGNER,
        kadis_nip="197903031998101001",
        passphrase=secret,
        now=signed_at - timedelta(days=30),
    )
    pdf = tiny_pdf("KK dari SIAK")
    request = SignRequest(
        signer_name=SIAK_SIGNER,
        nip="197903031998101001",
        secret=secret,
        placement=last_page_placement(pdf),
        verification_url="https://siak.example/v/1",
    )
    return sign_with_pkcs12(pki.pkcs12, pdf, request, signed_at=signed_at).pdf


@dataclass
class Desk:
    """The office as tests see it: the database, the context, the roster."""

    db: Database
    office: Office

    def uow(self) -> UnitOfWork:
        return self.db.uow()

    @property
    def bus(self) -> MessageBus:
        """The message bus over this desk's database and (current) office."""
        return build_bus(self.db, self.office)

    async def seed(self) -> None:
        await self.bus.handle(SeedDemo())

    async def new_case(self, form: IntakeForm = FORM) -> IntakeResult:
        return await self.bus.handle(RecordCase(Who(nip=ROSTER["petugas_call_center"]), form))

    async def step_of(self, number: str) -> str:
        async with self.db.uow(readonly=True) as uow:
            case = await uow.cases.by_number(number)
            assert case is not None
            return case.step

    async def attach(self, number: str, *, upload: bool = False) -> int:
        """The result document of step 8: the standard letter, or an uploaded PDF."""
        async with self.uow() as uow:
            case = await find_case(uow, number)
            task = await uow.tasks.open_for_case(case.id or 0)
            if not upload and task is not None:
                document_id = await self.office.generators["surat_tanggapan"](
                    uow, self.office, task
                )
                await uow.commit()
                return document_id
            document = await store_document(
                uow,
                self.office,
                data=tiny_pdf(number),
                filename="hasil.pdf",
                kind="hasil",
                case_id=case.id,
            )
            await uow.commit()
            assert document.id is not None
            return document.id

    async def act(
        self,
        number: str,
        action: str,
        *,
        role: str | None = None,
        note: str | None = None,
        pin: str | None = None,
        attachment_id: int | None = None,
    ) -> ActResult:
        """``action`` by the holder of the step's role (or of ``role``); a signature
        through the signing process (with the demo PIN unless ``pin`` is given)."""
        step = self.office.flow.step(await self.step_of(number))
        who = Who(nip=ROSTER[role or step.role])
        if action == "submit_tte" and attachment_id is None:
            attachment_id = await self.attach(number)
        if action == "sign":
            secret = PIN if pin is None else pin
            [outcome] = await self.bus.handle(Sign(who, secret, refs=(number,)))
            if outcome.error is not None:
                raise outcome.error
            assert outcome.result is not None
            return outcome.result
        return await self.bus.handle(
            Act(who, action, ref=number, note=note, attachment_id=attachment_id)
        )

    async def open_task_id(self, number: str) -> int:
        async with self.db.uow(readonly=True) as uow:
            case = await uow.cases.by_number(number)
            assert case is not None and case.id is not None
            task = await uow.tasks.open_for_case(case.id)
            if task is None and case.ba_id is not None:
                task = await uow.tasks.open_for_ba(case.ba_id)
            assert task is not None and task.id is not None
            return task.id

    async def advance_to(self, number: str, target: str) -> None:
        while (step := await self.step_of(number)) != target:
            await self.act(number, HAPPY[step])

    async def make_ba(self, *numbers: str) -> list[ActResult]:
        return await self.bus.handle(MakeBa(Who(nip=ROSTER["kasi_inovasi"]), refs=numbers))


async def counts(db: Database) -> dict[str, int]:
    """Rows per table: 'nothing changed' means these are equal before and after."""
    from sqlalchemy import text

    out = {}
    async with db.read_engine.connect() as conn:
        for table in (
            "cases",
            "task",
            "audit_event",
            "outbox",
            "registration_book",
            "berita_acara",
            "document",
            "button_token",
        ):
            out[table] = (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
    return out


#: Every table a use case may write, with the order that makes a snapshot stable.
SNAPSHOT_TABLES = {
    "cases": "id",
    "task": "id",
    "staff": "id",
    "staff_role": "staff_id, role",
    "audit_event": "seq",
    "audit_head": "id",
    "outbox": "id",
    "button_token": "token",
    "registration_book": "id",
    "berita_acara": "id",
    "berita_acara_item": "ba_id, case_id",
    "document": "id",
    "counter": "name",
    "conversation": "chat_key",
}

Snapshot = dict[str, list[dict[str, Any]]]


async def snapshot(db: Database, tables: Iterable[str] = SNAPSHOT_TABLES) -> Snapshot:
    """The full content of these tables, row by row: 'nothing changed' means two
    snapshots are equal (not just the row counts, every column of every row)."""
    from sqlalchemy import text

    out: Snapshot = {}
    async with db.read_engine.connect() as conn:
        for table in tables:
            order = SNAPSHOT_TABLES[table]
            result = await conn.execute(text(f"SELECT * FROM {table} ORDER BY {order}"))
            out[table] = [dict(row) for row in result.mappings().all()]
    return out


def differences(before: Snapshot, after: Snapshot) -> dict[str, list[tuple[Any, Any]]]:
    """Per table, the (before, after) pairs of rows that differ; a row only on one side
    pairs with None. Empty when nothing changed."""
    out: dict[str, list[tuple[Any, Any]]] = {}
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table, []), after.get(table, [])
        pairs = [(a, b) for a, b in zip(old, new, strict=False) if a != b]
        pairs += [(a, None) for a in old[len(new) :]] + [(None, b) for b in new[len(old) :]]
        if pairs:
            out[table] = pairs
    return out


DeskFactory = Callable[[], Desk]

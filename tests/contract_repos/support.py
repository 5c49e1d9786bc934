"""Rows the repository contract starts from, written through the repositories only."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from storage.db import Database
from storage.tables import Case, Outbox, Staff, Task
from storage.uow import UnitOfWork
from tests.conftest import START
from tests.fakes import FakeDatabase, FakeUnitOfWork

Backend = Database | FakeDatabase
Uow = UnitOfWork | FakeUnitOfWork

LATER = START + timedelta(hours=1)


def a_case(number: str = "PO-2026-00001", **values: Any) -> Case:
    fields: dict[str, Any] = {
        "number": number,
        "flow_key": "pengaduan_online",
        "applicant_name": "Siti Aminah",
        "nik": "1806054501900001",
        "wa_number": "+6281234567890",
        "kecamatan": "Gisting",
        "layanan": "KTP-el",
        "step": "terima_wa",
        "created_at": START,
        "updated_at": START,
    }
    return Case(**{**fields, **values})


def a_task(case_id: int | None = None, step: str = "terima_wa", **values: Any) -> Task:
    fields: dict[str, Any] = {"role": "operator_penerima_wa", "created_at": START}
    return Task(case_id=case_id, step=step, **{**fields, **values})


def a_message(key: str, chat_id: str = "1", **values: Any) -> Outbox:
    fields: dict[str, Any] = {
        "created_at": START,
        "channel": "web",
        "chat_id": chat_id,
        "kind": "text",
        "payload": {"text": key},
        "idempotency_key": key,
        "next_attempt_at": START,
    }
    return Outbox(**{**fields, **values})


async def add_case(db: Backend, number: str = "PO-2026-00001", **values: Any) -> int:
    async with db.uow() as uow:
        case = await uow.cases.add(a_case(number, **values))
        await uow.commit()
    assert case.id is not None
    return case.id


async def add_task(db: Backend, case_id: int | None, **values: Any) -> int:
    async with db.uow() as uow:
        task = await uow.tasks.add(a_task(case_id, **values))
        await uow.commit()
    assert task.id is not None
    return task.id


async def add_staff(
    db: Backend, nip: str, roles: Iterable[str] = ("operator",), **values: Any
) -> int:
    async with db.uow() as uow:
        name = values.pop("name", f"Staf {nip[-3:]}")
        staff = await uow.staff.add(Staff(nip=nip, name=name, created_at=START, **values), roles)
        await uow.commit()
    assert staff.id is not None
    return staff.id


async def read_case(db: Backend, case_id: int) -> Case:
    async with db.uow(readonly=True) as uow:
        case = await uow.cases.get(case_id)
    assert case is not None
    return case


async def read_task(db: Backend, task_id: int) -> Task:
    async with db.uow(readonly=True) as uow:
        task = await uow.tasks.get(task_id)
    assert task is not None
    return task

"""Contract: counters, documents, conversations, holidays and processed updates."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from storage.tables import BeritaAcara, Document
from tests.conftest import START
from tests.contract_repos.support import LATER, Backend, add_case, add_staff


async def test_counters_count_per_name_and_forget_what_was_rolled_back(db: Backend) -> None:
    async with db.uow() as uow:
        assert [await uow.counters.next("case:2026") for _ in range(3)] == [1, 2, 3]
        assert await uow.counters.next("ba:2026") == 1
        await uow.commit()
    async with db.uow() as uow:
        assert await uow.counters.next("case:2026") == 4
    async with db.uow() as uow:
        assert await uow.counters.next("case:2026") == 4  # gap-free
        await uow.commit()


async def test_counters_are_gap_free_under_concurrency(db: Backend) -> None:
    async def take() -> int:
        async with db.uow() as uow:
            value = await uow.counters.next("case:2026")
            await asyncio.sleep(0)
            await uow.commit()
            return value

    values = await asyncio.gather(*(take() for _ in range(10)))
    assert sorted(values) == list(range(1, 11))


async def test_document_numbers_count_per_kind_and_year_and_restart_each_year(
    db: Backend,
) -> None:
    async with db.uow() as uow:
        assert [await uow.counters.next_in_year("surat", 2026) for _ in range(3)] == [1, 2, 3]
        assert await uow.counters.next_in_year("ba", 2026) == 1
        assert await uow.counters.next_in_year("surat", 2027) == 1
        await uow.commit()
    async with db.uow() as uow:
        assert await uow.counters.next_in_year("surat", 2026) == 4  # rolled back: given back
    async with db.uow() as uow:
        assert await uow.counters.next_in_year("surat", 2026) == 4
        assert await uow.counters.next_in_year("surat", 2027) == 2
        await uow.commit()


async def test_document_numbers_are_unique_under_concurrency(db: Backend) -> None:
    async def take() -> int:
        async with db.uow() as uow:
            value = await uow.counters.next_in_year("surat", 2026)
            await asyncio.sleep(0)
            await uow.commit()
            return value

    values = await asyncio.gather(*(take() for _ in range(10)))
    assert sorted(values) == list(range(1, 11))


def a_document(kind: str, **values: object) -> Document:
    fields: dict[str, object] = {
        "filename": f"{kind}.pdf",
        "mime_type": "application/pdf",
        "path": f"files/{kind}.pdf",
        "size": 3,
        "sha256": "a" * 64,
        "created_at": START,
    }
    return Document(kind=kind, **{**fields, **values})  # type: ignore[arg-type]


async def test_documents_of_a_case_and_of_a_berita_acara(db: Backend) -> None:
    case_id = await add_case(db)
    other = await add_case(db, "PO-2026-00002")
    async with db.uow() as uow:
        ba = await uow.cases.add_ba(
            BeritaAcara(
                number="BA-1", year=2026, seq=1, kecamatan="x", step="ttd_ba", created_at=START
            ),
            [case_id],
        )
        berkas = await uow.documents.add(a_document("berkas", case_id=case_id))
        hasil = await uow.documents.add(
            a_document("hasil", case_id=case_id, verify_code="v1", meta={"pages": 1})
        )
        signed = await uow.documents.add(
            a_document("hasil_ttd", case_id=case_id, signed=True, signer="Kadis", signed_at=LATER)
        )
        again = await uow.documents.add(a_document("hasil", case_id=case_id, sha256="b" * 64))
        await uow.documents.add(a_document("berkas", case_id=other))
        minutes = await uow.documents.add(a_document("berita_acara", ba_id=ba.id))
        assert berkas.id is not None and await uow.documents.get(berkas.id) is berkas
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        every = await uow.documents.of_case(case_id)
        results = await uow.documents.of_case(case_id, "hasil")
        of_ba = await uow.documents.of_ba(ba.id or 0)
        assert await uow.documents.of_ba(ba.id or 0, "hasil") == []
        by_code = await uow.documents.by_verify_code("v1")
        assert await uow.documents.by_verify_code("nope") is None
        same_bytes = await uow.documents.by_sha256("a" * 64)
        loaded = await uow.documents.get(signed.id or 0)
    assert [d.id for d in every] == [berkas.id, hasil.id, signed.id, again.id]
    assert [d.id for d in results] == [hasil.id, again.id]
    assert [d.id for d in of_ba] == [minutes.id]
    assert by_code is not None and (by_code.id, by_code.meta) == (hasil.id, {"pages": 1})
    assert len(same_bytes) == 5
    assert loaded is not None and (loaded.signed, loaded.signer, loaded.signed_at) == (
        True,
        "Kadis",
        LATER,
    )


async def test_a_verification_code_is_unique(db: Backend) -> None:
    async with db.uow() as uow:
        await uow.documents.add(a_document("hasil", verify_code="v1"))
        await uow.commit()
    with pytest.raises(IntegrityError):
        async with db.uow() as uow:
            await uow.documents.add(a_document("hasil_ttd", verify_code="v1"))


async def test_conversations_are_put_replaced_and_deleted(db: Backend) -> None:
    staff_id = await add_staff(db, "199001012015032001")
    async with db.uow() as uow:
        await uow.conversations.put(
            "web:1",
            kind="intake",
            state={"step": "nik", "form": {"name": "Siti"}},
            staff_id=staff_id,
            at=START,
        )
        await uow.conversations.put("web:2", kind="reason", state={}, staff_id=None, at=START)
        await uow.commit()
    async with db.uow() as uow:
        found = await uow.conversations.get("web:1")
        assert found is not None and found.state == {"step": "nik", "form": {"name": "Siti"}}
        await uow.conversations.put("web:1", kind="pin", state={"task": 3}, staff_id=None, at=LATER)
        await uow.conversations.delete("web:2")
        await uow.conversations.delete("nobody")
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        replaced = await uow.conversations.get("web:1")
        assert await uow.conversations.get("web:2") is None
    assert replaced is not None
    assert (replaced.kind, replaced.state, replaced.staff_id, replaced.updated_at) == (
        "pin",
        {"task": 3},
        None,
        LATER,
    )


async def test_holiday_overrides(db: Backend) -> None:
    async with db.uow() as uow:
        await uow.holidays.put(date(2026, 12, 24), name="Cuti bersama", removed=False, at=START)
        await uow.holidays.put(date(2026, 12, 1), name="Pilkada", removed=False, at=START)
        await uow.commit()
    async with db.uow() as uow:
        await uow.holidays.put(date(2026, 12, 1), name="Pilkada batal", removed=True, at=LATER)
        assert await uow.holidays.delete(date(2026, 12, 24))
        assert not await uow.holidays.delete(date(2026, 1, 1))
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        rows = await uow.holidays.all()
    assert [(r.day, r.name, r.removed, r.created_at) for r in rows] == [
        (date(2026, 12, 1), "Pilkada batal", True, START)
    ]


async def test_processed_updates_are_recognised(db: Backend) -> None:
    async with db.uow() as uow:
        assert await uow.processed.first_time("telegram", "42", START)
        assert not await uow.processed.first_time("telegram", "42", START)
        await uow.commit()
    async with db.uow() as uow:
        assert not await uow.processed.first_time("telegram", "42", START)
        assert await uow.processed.first_time("whatsapp", "42", START)
        await uow.commit()

"""Contract: staff and cases (with registrations and Berita Acara) on every backend."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from storage.tables import BA_OPEN, CASE_CLOSED, BeritaAcara, RegistrationEntry
from tests.conftest import START
from tests.contract_repos.support import (
    LATER,
    Backend,
    a_case,
    a_task,
    add_case,
    add_staff,
    add_task,
    read_case,
)

NIPS = ("199001012015032001", "199001012015032002", "199001012015032003")


# -- staff ----------------------------------------------------------------------------------


async def test_staff_are_found_by_id_nip_telegram_and_whatsapp(db: Backend) -> None:
    first = await add_staff(db, NIPS[0], ["operator", "kasi_inovasi"], telegram_id=42)
    second = await add_staff(db, NIPS[1], whatsapp="+6281111", name="Andi")
    async with db.uow(readonly=True) as uow:
        assert (await uow.staff.get(first)).nip == NIPS[0]  # type: ignore[union-attr]
        assert (await uow.staff.by_nip(NIPS[1])).id == second  # type: ignore[union-attr]
        assert (await uow.staff.by_telegram(42)).id == first  # type: ignore[union-attr]
        assert (await uow.staff.by_whatsapp("+6281111")).name == "Andi"  # type: ignore[union-attr]
        assert await uow.staff.get(999) is None and await uow.staff.by_nip("x") is None
        assert [s.id for s in await uow.staff.all()] == [first, second]
        assert await uow.staff.count() == 2
        assert await uow.staff.roles_of(first) == {"operator", "kasi_inovasi"}
        assert await uow.staff.roles_of(999) == frozenset()
        assert await uow.staff.roles_for([first, second, 999]) == {
            first: {"operator", "kasi_inovasi"},
            second: {"operator"},
        }
        assert await uow.staff.roles_for([]) == {}


async def test_a_nip_is_unique(db: Backend) -> None:
    await add_staff(db, NIPS[0])
    with pytest.raises(IntegrityError):
        await add_staff(db, NIPS[0])


async def test_set_roles_replaces_them(db: Backend) -> None:
    staff_id = await add_staff(db, NIPS[0], ["operator", "kurir"])
    async with db.uow() as uow:
        await uow.staff.set_roles(staff_id, ["kurir", "upt", "upt"])
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        assert await uow.staff.roles_of(staff_id) == {"kurir", "upt"}


async def test_holders_are_the_active_staff_of_a_role_by_id(db: Backend) -> None:
    late = await add_staff(db, NIPS[0], ["operator"])
    await add_staff(db, NIPS[1], ["operator"], active=False)
    away = await add_staff(db, NIPS[2], ["operator", "kurir"], on_leave=True)
    async with db.uow(readonly=True) as uow:
        assert [s.id for s in await uow.staff.holders("operator")] == [late, away]
        assert [s.id for s in await uow.staff.holders("kurir")] == [away]
        assert await uow.staff.holders("upt") == []


async def test_acting_roles_add_the_roles_of_absent_colleagues(db: Backend) -> None:
    delegate = await add_staff(db, NIPS[0], ["operator"])
    await add_staff(db, NIPS[1], ["kurir", "upt"], on_leave=True, delegate_id=delegate)
    await add_staff(db, NIPS[2], ["kasi_inovasi"], delegate_id=delegate)  # not on leave
    async with db.uow(readonly=True) as uow:
        own, stand_in = await uow.staff.acting_roles(delegate)
        absent = await uow.staff.absent_delegating_to(delegate)
        nobody = await uow.staff.acting_roles(999)
    assert own == {"operator"}
    assert stand_in == [(NIPS[1], frozenset({"kurir", "upt"}))]
    assert [s.nip for s in absent] == [NIPS[1]]
    assert nobody == (frozenset(), [])


# -- cases ----------------------------------------------------------------------------------


async def test_a_case_is_found_by_id_and_number(db: Backend) -> None:
    async with db.uow() as uow:
        case = await uow.cases.add(a_case("PO-2026-00001"))
        assert case.id is not None  # numbered at once
        assert await uow.cases.by_number("PO-2026-00001") is case  # one object per row
        await uow.commit()
    other = await add_case(db, "PO-2026-00002")
    async with db.uow(readonly=True) as uow:
        found = await uow.cases.get(case.id)
        assert found is not None and found.number == "PO-2026-00001"
        assert found.created_at == START and found.status == "open" and found.version == 1
        assert await uow.cases.get(999) is None
        assert await uow.cases.by_number("po-2026-00001") is None  # exact match
        assert [c.id for c in await uow.cases.many([other, case.id, 999])] == [case.id, other]
        assert await uow.cases.many([]) == []
        many = [*range(-700, 0), other, case.id]  # more ids than one statement binds
        assert [c.id for c in await uow.cases.many(many)] == [case.id, other]


async def test_a_case_is_found_by_its_status_code_and_the_code_is_unique(db: Backend) -> None:
    case_id = await add_case(db, status_code="Zk3-status_code-0001")
    await add_case(db, "PO-2026-00002")  # a case without one (made before 0008)
    async with db.uow(readonly=True) as uow:
        found = await uow.cases.by_status_code("Zk3-status_code-0001")
        assert found is not None and found.id == case_id
        assert await uow.cases.by_status_code("zk3-status_code-0001") is None  # exact match
        assert await uow.cases.by_status_code("") is None
    with pytest.raises(IntegrityError):
        await add_case(db, "PO-2026-00003", status_code="Zk3-status_code-0001")


async def test_a_case_number_is_unique(db: Backend) -> None:
    await add_case(db)
    with pytest.raises(IntegrityError):
        await add_case(db)


async def test_compare_and_set_bumps_the_version_and_a_stale_version_loses(db: Backend) -> None:
    case_id = await add_case(db)
    stale = await read_case(db, case_id)  # read by a press that will lose
    async with db.uow() as uow:
        loaded = await uow.cases.get(case_id)
        assert loaded is not None
        assert await uow.cases.compare_and_set(loaded, step="angkat_data", updated_at=LATER)
        assert (loaded.version, loaded.step) == (2, "angkat_data")  # the object follows
        await uow.commit()
    async with db.uow() as uow:
        assert not await uow.cases.compare_and_set(stale, step="loket")
        assert (stale.version, stale.step) == (1, "terima_wa")  # left as read
        await uow.commit()
    final = await read_case(db, case_id)
    assert (final.step, final.version, final.updated_at) == ("angkat_data", 2, LATER)


async def test_set_fields_writes_without_a_version_check(db: Backend) -> None:
    case_id = await add_case(db)
    stale = await read_case(db, case_id)
    async with db.uow() as uow:
        await uow.cases.set_fields(stale, registration_no="REG-2026-00001")
        assert stale.registration_no == "REG-2026-00001"
        await uow.commit()
    final = await read_case(db, case_id)
    assert (final.registration_no, final.version) == ("REG-2026-00001", 1)


async def test_search_matches_any_given_field_newest_first(db: Backend) -> None:
    first = await add_case(db, "PO-2026-00001", nik="1806054501900001")
    second = await add_case(db, "PO-2026-00002", nik="1806054501900002", wa_number="+6289")
    third = await add_case(db, "PO-2026-00003", nik="1806054501900001")
    async with db.uow(readonly=True) as uow:
        by_nik = await uow.cases.search(nik="1806054501900001")
        either = await uow.cases.search(number="PO-2026-00001", phone="+6289")
        limited = await uow.cases.search(phone="+6281234567890", limit=1)
        nothing = await uow.cases.search()
    assert [c.id for c in by_nik] == [third, first]
    assert [c.id for c in either] == [second, first]
    assert [c.id for c in limited] == [third]
    assert nothing == []


async def test_listing_filters_by_status_and_step_newest_first(db: Backend) -> None:
    first = await add_case(db, "PO-2026-00001")
    second = await add_case(db, "PO-2026-00002", step="loket")
    third = await add_case(db, "PO-2026-00003", status=CASE_CLOSED, step="loket")
    async with db.uow(readonly=True) as uow:
        assert [c.id for c in await uow.cases.listing()] == [third, second, first]
        assert [c.id for c in await uow.cases.listing(status="open")] == [second, first]
        assert [c.id for c in await uow.cases.listing(step="loket")] == [third, second]
        assert [c.id for c in await uow.cases.listing(limit=1)] == [third]
        assert [c.id for c in await uow.cases.open_for_phone("+6281234567890")] == [
            second,
            first,
        ]


async def test_listing_overdue_counts_case_tasks_and_berita_acara_tasks(db: Backend) -> None:
    late = await add_case(db, "PO-2026-00001")
    paused = await add_case(db, "PO-2026-00002")
    in_ba = await add_case(db, "PO-2026-00003", step="ttd_ba")
    on_time = await add_case(db, "PO-2026-00004")
    await add_task(db, late, due_at=START)
    await add_task(db, paused, due_at=START, paused_at=START)
    await add_task(db, on_time, due_at=LATER)
    async with db.uow() as uow:
        ba = await uow.cases.add_ba(
            BeritaAcara(
                number="BA-1",
                year=2026,
                seq=1,
                kecamatan="Gisting",
                step="ttd_ba",
                created_at=START,
            ),
            [in_ba],
        )
        await uow.tasks.add(
            a_task(None, step="ttd_ba", ba_id=ba.id, role="kepala_dinas", due_at=START)
        )
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        overdue = await uow.cases.listing(overdue_at=START + (LATER - START) / 2)
    assert [c.id for c in overdue] == [in_ba, late]


async def test_one_registration_per_case(db: Backend) -> None:
    case_id = await add_case(db)

    def entry(seq: int, number: str) -> RegistrationEntry:
        return RegistrationEntry(
            year=2026,
            seq=seq,
            number=number,
            case_id=case_id,
            wa_number="+62",
            registered_at=START,
        )

    async with db.uow() as uow:
        assert await uow.cases.registration_of(case_id) is None
        await uow.cases.add_registration(entry(1, "REG-2026-00001"))
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        found = await uow.cases.registration_of(case_id)
    assert found is not None and found.number == "REG-2026-00001" and found.id is not None
    with pytest.raises(IntegrityError):
        async with db.uow() as uow:
            await uow.cases.add_registration(entry(2, "REG-2026-00002"))


# -- Berita Acara ---------------------------------------------------------------------------


def a_ba(seq: int, kecamatan: str = "Gisting") -> BeritaAcara:
    return BeritaAcara(
        number=f"470/{seq}/BA/DISDUKCAPIL/2026",
        year=2026,
        seq=seq,
        kecamatan=kecamatan,
        step="ttd_ba",
        created_at=START,
    )


async def test_a_berita_acara_holds_its_cases(db: Backend) -> None:
    first, second = await add_case(db, "PO-2026-00001"), await add_case(db, "PO-2026-00002")
    async with db.uow() as uow:
        ba = await uow.cases.add_ba(a_ba(1), [second, first])
        other = await uow.cases.add_ba(a_ba(2, "Semaka"), [])
        await uow.commit()
    assert ba.id is not None and other.id is not None
    async with db.uow(readonly=True) as uow:
        loaded = await uow.cases.get_ba(ba.id)
        assert loaded is not None and (loaded.status, loaded.version) == (BA_OPEN, 1)
        assert (await uow.cases.ba_by_number("470/2/BA/DISDUKCAPIL/2026")).id == other.id  # type: ignore[union-attr]
        assert await uow.cases.ba_by_number("nope") is None
        assert [c.id for c in await uow.cases.ba_cases(ba.id)] == [first, second]
        assert [b.id for b in await uow.cases.bas()] == [other.id, ba.id]
        assert [b.id for b in await uow.cases.bas(limit=1)] == [other.id]
    with pytest.raises(IntegrityError):  # one number per (year, seq)
        async with db.uow() as uow:
            await uow.cases.add_ba(
                BeritaAcara(
                    number="other", year=2026, seq=1, kecamatan="x", step="ttd_ba", created_at=START
                ),
                [],
            )


async def test_a_stale_berita_acara_loses_its_compare_and_set(db: Backend) -> None:
    async with db.uow() as uow:
        ba = await uow.cases.add_ba(a_ba(1), [])
        await uow.commit()
    async with db.uow() as uow:
        assert await uow.cases.ba_compare_and_set(ba, status="ditandatangani", closed_at=LATER)
        assert ba.version == 2
        await uow.commit()
    stale = a_ba(1)
    stale.id, stale.version = ba.id, 1
    async with db.uow() as uow:
        assert not await uow.cases.ba_compare_and_set(stale, status="ditolak")
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        assert [b.status for b in await uow.cases.bas(status="ditandatangani")] == [
            "ditandatangani"
        ]
        assert await uow.cases.bas(status="ditolak") == []

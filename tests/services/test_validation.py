"""Bad input is refused with the exact text and changes nothing.

"Nothing" is checked on the full content of the tables a use case writes (cases,
tasks, staff, audit trail, outbox, tokens, counters ...), row by row and column by
column, not on row counts: an UPDATE that slipped through would not change a count.
"""

from __future__ import annotations

import dataclasses

import pytest

from flows.errors import StaffbotError
from staffbot.app.commands.cases import Act, Who
from staffbot.texts import error_text
from tests.support import FORM, ROSTER, Desk, counts, differences, snapshot


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"nik": "18060545019"}, "NIK harus 16 digit angka."),
        ({"nik": "9906054501900001"}, "NIK tidak valid: kode provinsi 99 tidak dikenal."),
        (
            {"nik": "1806057313900001"},
            "NIK tidak valid: digit 7–12 (731390) bukan tanggal lahir yang benar.",
        ),
        ({"nik": "1806054501900000"}, "NIK tidak valid: 4 digit terakhir tidak boleh 0000."),
        (
            {"wa": "021-555-1234"},
            "Nomor WhatsApp tidak valid: gunakan nomor seluler Indonesia, misalnya 0812 3456 7890.",
        ),
        (
            {"kecamatan": "Bandar Lampung"},
            'Kecamatan "Bandar Lampung" tidak dikenal. Pilih salah satu dari 20 kecamatan: '
            # in the order of their Kemendagri codes (18.06.01 ...)
            "Kota Agung, Talang Padang, Wonosobo, Pulau Panggung, Cukuh Balak, Pugung, "
            "Semaka, Sumberejo, Ulu Belu, Pematang Sawa, Kelumbayan, Kota Agung Barat, "
            "Kota Agung Timur, Gisting, Gunung Alip, Limau, Bandar Negeri Semuong, "
            "Air Naningan, Bulok, Kelumbayan Barat.",
        ),
        (
            {"layanan": "SIM"},
            'Jenis layanan "SIM" tidak dikenal. Pilihan: KK, KTP-el, KIA, Akta Kelahiran, '
            "Akta Kematian, Akta Perkawinan, Akta Perceraian, Pindah/Datang, Perubahan Biodata, "
            "Legalisir, Lainnya.",
        ),
        ({"name": "   "}, "Nama pemohon wajib diisi."),
    ],
)
async def test_bad_intake_is_refused_with_its_text(
    desk: Desk, change: dict[str, str], message: str
) -> None:
    before = await snapshot(desk.db)
    with pytest.raises(StaffbotError) as caught:
        await desk.new_case(dataclasses.replace(FORM, **change))
    assert error_text(caught.value, "id") == message
    assert differences(before, await snapshot(desk.db)) == {}


async def test_english_texts_with_the_setting(desk: Desk) -> None:
    with pytest.raises(StaffbotError) as caught:
        await desk.new_case(dataclasses.replace(FORM, nik="123"))
    assert error_text(caught.value, "en") == "The NIK must be 16 digits."


async def test_nik_from_another_regency_is_allowed_but_flagged(desk: Desk) -> None:
    result = await desk.new_case(dataclasses.replace(FORM, nik="1871054501900001"))
    assert result.warnings == (
        "Perhatian: NIK terdaftar di luar Kabupaten Tanggamus (kode "
        "wilayah 1871). Kasus tetap dicatat dan ditandai.",
    )
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(result.number)
    assert case is not None and case.nik_outside


async def test_women_have_forty_added_to_the_birth_day(desk: Desk) -> None:
    result = await desk.new_case(dataclasses.replace(FORM, nik="1806057101900001"))
    assert result.number


async def test_unknown_staff_is_refused(desk: Desk) -> None:
    number = (await desk.new_case()).number
    before = await snapshot(desk.db)
    with pytest.raises(StaffbotError) as caught:
        await desk.bus.handle(Act(Who(nip="199999999999999999"), "forward", ref=number))
    assert error_text(caught.value) == "Petugas dengan NIP 199999999999999999 tidak ditemukan."
    assert differences(before, await snapshot(desk.db)) == {}


async def test_wrong_role_is_refused(desk: Desk) -> None:
    number = (await desk.new_case()).number
    before = await snapshot(desk.db)
    with pytest.raises(StaffbotError) as caught:
        await desk.bus.handle(Act(Who(nip=ROSTER["operator"]), "forward", ref=number))
    assert error_text(caught.value) == (
        "Langkah 3. Operator Penerima WA menerima permohonan dan meneruskan ke Operator "
        "Pengangkat Data adalah tugas Operator Penerima WA; Yusuf Hidayat tidak memegang "
        "peran tersebut."
    )
    assert differences(before, await snapshot(desk.db)) == {}


async def test_reject_without_reason_is_refused(desk: Desk) -> None:
    number = (await desk.new_case()).number
    before = await snapshot(desk.db)
    with pytest.raises(StaffbotError) as caught:
        await desk.act(number, "reject")
    assert error_text(caught.value) == "Tindakan ini memerlukan alasan (minimal 3 huruf)."
    assert differences(before, await snapshot(desk.db)) == {}


async def test_wrong_pin_is_counted_and_changes_nothing_else(desk: Desk) -> None:
    number = (await desk.new_case()).number
    await desk.advance_to(number, "ttd_kadis")
    before = await snapshot(desk.db)
    with pytest.raises(StaffbotError) as caught:
        await desk.act(number, "sign", pin="000000")
    assert error_text(caught.value) == "PIN salah. Sisa percobaan: 4."
    # the one change: the signer's failure count (the lock after five wrong PINs)
    changed = differences(before, await snapshot(desk.db))
    [(kadis_before, kadis_after)] = changed.pop("staff")
    assert changed == {}
    assert kadis_after["nip"] == ROSTER["kepala_dinas"]
    assert kadis_after == {**kadis_before, "pin_failures": kadis_before["pin_failures"] + 1}
    assert await desk.step_of(number) == "ttd_kadis"


async def test_the_snapshot_sees_a_change_that_row_counts_miss(desk: Desk) -> None:
    from sqlalchemy import text

    number = (await desk.new_case()).number
    before, rows = await snapshot(desk.db), await counts(desk.db)
    async with desk.db.write_engine.begin() as conn:
        await conn.execute(
            text("UPDATE cases SET keluhan = 'diubah' WHERE number = :n"), {"n": number}
        )
    assert await counts(desk.db) == rows
    [(old, new)] = differences(before, await snapshot(desk.db))["cases"]
    assert (old["keluhan"], new["keluhan"]) == (FORM.keluhan, "diubah")

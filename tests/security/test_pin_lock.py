"""Five wrong PINs lock signing for that person (a locked signer is told at the press,
with the lock's end, and no PIN prompt opens) and alert their supervisor at once; each
PIN message is deleted from the chat. A PIN of the wrong length is refused at once and
not counted. A PIN sent when none was asked is deleted too, and nothing is signed."""

from __future__ import annotations

from sqlalchemy import text

from staffbot.app.commands.staff import AddStaff, ChangeStaff
from staffbot.channels.base import CommandReceived, TextReceived
from tests.chat.test_chat_service import Chats, record_case
from tests.support import PIN, ROSTER, Desk, counts, differences, snapshot


async def _audit_kinds(desk: Desk) -> list[str]:
    async with desk.db.read_engine.connect() as conn:
        rows = await conn.execute(text("SELECT kind FROM audit_event ORDER BY seq"))
        return [r[0] for r in rows]


async def test_five_wrong_pins_lock_signing_and_alert_the_supervisor(desk: Desk) -> None:
    chats = Chats(desk)
    # The Kepala Dinas reports to the Sekretaris in this office (a supervisor is set).
    await desk.bus.handle(
        AddStaff(name="Sekretaris Dinas", nip="197501011999031001", roles=("kepala_bidang",))
    )
    await desk.bus.handle(ChangeStaff(ROSTER["kepala_dinas"], supervisor_nip="197501011999031001"))
    number = await record_case(chats)
    await desk.advance_to(number, "ttd_kadis")
    kadis = "kepala_dinas"
    await chats.press(kadis, "Tanda Tangani")
    answers = []
    for i in range(5):
        answer = await chats.send(kadis, TextReceived, text="654321", message_id=f"w{i}")
        answers.append(answer.text)
    assert answers[:4] == [f"PIN salah. Sisa percobaan: {n}." for n in (4, 3, 2, 1)]
    assert answers[4].startswith("Penandatanganan dikunci sampai")
    # every PIN message was deleted from the chat
    deletes = [m["message_id"] for m in await chats.messages(kadis) if m["kind"] == "delete"]
    assert deletes == [f"w{i}" for i in range(5)]
    # locked: the press says so (with the end, office time, PUEBI), no PIN prompt opens,
    # so even the right PIN is not taken, and nothing is signed
    before = await counts(desk.db)
    pressed = await chats.press(kadis, "Tanda Tangani")
    assert pressed.alert and pressed.text.startswith("Penandatanganan dikunci sampai 09.30 ")
    assert not any("Masukkan PIN" in m["text"] for m in (await chats.messages(kadis))[-1:])
    locked = await chats.send(kadis, TextReceived, text=PIN, message_id="right")
    assert locked.text == ""
    assert (await chats.last(kadis))["text"].startswith("Tidak ada tanda tangan yang menunggu")
    assert await desk.step_of(number) == "ttd_kadis"
    after = await counts(desk.db)
    assert after["audit_event"] == before["audit_event"]
    assert after["document"] == before["document"]
    # the supervisor got the alert (and only the supervisor)
    async with desk.db.uow(readonly=True) as uow:
        sekretaris = await uow.staff.by_nip("197501011999031001")
        kabid = await uow.staff.by_nip(ROSTER["kepala_bidang"])
        assert sekretaris is not None and kabid is not None
        to_sekretaris = await uow.outbox.for_chat("web", str(sekretaris.id))
        to_kabid = await uow.outbox.for_chat("web", str(kabid.id))
    [alert] = [r for r in to_sekretaris if "dikunci" in r.payload["text"]]
    assert "Ahmad Fauzi" in alert.payload["text"] and alert.status == "sent"
    assert not [r for r in to_kabid if "dikunci" in r.payload["text"]]
    assert (await _audit_kinds(desk)).count("pin_locked") == 1
    # after the lock time the right PIN works again
    from datetime import timedelta

    desk.office.clock.advance(timedelta(minutes=31))  # type: ignore[attr-defined]
    await chats.press(kadis, "Tanda Tangani")
    done = await chats.send(kadis, TextReceived, text=PIN, message_id="later")
    assert done.text == f"✔ Ditandatangani: {number}"


async def test_the_head_of_office_has_no_supervisor_so_the_direct_reports_hear(
    desk: Desk,
) -> None:
    chats = Chats(desk)
    number = await record_case(chats)
    await desk.advance_to(number, "ttd_kadis")
    for i in range(5):
        await chats.press("kepala_dinas", "Tanda Tangani")
        await chats.send("kepala_dinas", TextReceived, text="000000", message_id=f"x{i}")
    alerts = [m for m in await chats.messages("kepala_bidang") if "dikunci" in m["text"]]
    assert len(alerts) == 1 and "Ahmad Fauzi" in alerts[0]["text"]


async def test_a_pin_nobody_asked_for_is_deleted_and_changes_nothing(desk: Desk) -> None:
    chats = Chats(desk)
    await chats.send("kepala_dinas", CommandReceived, command="tugas")
    before = await counts(desk.db)
    answer = await chats.send("kepala_dinas", TextReceived, text=PIN, message_id="stray")
    assert answer.text == ""
    messages = await chats.messages("kepala_dinas")
    assert [m["message_id"] for m in messages if m["kind"] == "delete"] == ["stray"]
    assert messages[-1]["text"].startswith("Tidak ada tanda tangan yang menunggu PIN")
    after = await counts(desk.db)
    assert after["audit_event"] == before["audit_event"] and after["cases"] == before["cases"]


async def test_a_pin_of_the_wrong_length_is_refused_at_once_and_not_counted(
    desk: Desk,
) -> None:
    chats = Chats(desk)
    number = await record_case(chats)
    await desk.advance_to(number, "ttd_kadis")
    await chats.press("kepala_dinas", "Tanda Tangani")
    for i, typo in enumerate(("65432", "1234567", "12345a")):
        before = await snapshot(desk.db)
        answer = await chats.send("kepala_dinas", TextReceived, text=typo, message_id=f"t{i}")
        assert answer.alert and answer.text == "PIN harus 6 digit angka."
        changed = differences(before, await snapshot(desk.db))
        # only the reply and the deletion of the typed PIN: no count, no signature
        assert set(changed) == {"outbox"}, changed
        assert [new["kind"] for old, new in changed["outbox"]] == ["delete", "text"]
    answer = await chats.send("kepala_dinas", TextReceived, text=PIN, message_id="right")
    assert answer.text == f"✔ Ditandatangani: {number}"

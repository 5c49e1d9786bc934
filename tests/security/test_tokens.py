"""Button tokens beyond forged / foreign / replayed (tests/chat, tests/web cover those):
stale tokens (the case came back to the same step by a reject: the old card's button must
not act on the new task), a holder who lost the role or left the office since the card
was sent, and junk a modified client can put in callback_data. Each is refused, clearly,
and changes nothing."""

from __future__ import annotations

from staffbot.channels.base import ChoicePressed, CommandReceived, TextReceived
from tests.chat.test_chat_service import AT, Chats, record_case
from tests.support import ROSTER, Desk, counts


async def _card_token(chats: Chats, role: str, label: str) -> str:
    for message in reversed(await chats.messages(role)):
        for choice in message.get("choices", []):
            if choice["label"] == label:
                return str(choice["token"])
    raise AssertionError(label)


async def test_an_old_cards_button_does_not_act_on_the_step_again(desk: Desk) -> None:
    chats = Chats(desk)
    number = await record_case(chats)
    old = await _card_token(chats, "operator_penerima_wa", "Teruskan")
    await desk.advance_to(number, "loket")
    # the counter sends it back to step 3 (files incomplete): a new task, a new card
    await chats.press("petugas_loket_pendaftaran", "Tolak")
    await chats.send("petugas_loket_pendaftaran", TextReceived, text="Foto KK tidak terbaca")
    assert await desk.step_of(number) == "terima_wa"
    before = await counts(desk.db)
    stale = await chats.send("operator_penerima_wa", ChoicePressed, token=old)
    assert stale.alert and stale.text.startswith("Sudah diproses oleh Andi Saputra")
    assert await counts(desk.db) == before and await desk.step_of(number) == "terima_wa"
    fresh = await _card_token(chats, "operator_penerima_wa", "Teruskan")
    assert fresh != old
    assert (await chats.send("operator_penerima_wa", ChoicePressed, token=fresh)).text.startswith(
        "✔"
    )


async def test_a_card_of_someone_who_lost_the_role_or_left(desk: Desk) -> None:
    chats = Chats(desk)
    number = await record_case(chats)
    token = await _card_token(chats, "operator_penerima_wa", "Teruskan")
    async with desk.db.uow() as uow:
        andi = await uow.staff.by_nip(ROSTER["operator_penerima_wa"])
        assert andi is not None and andi.id is not None
        await uow.staff.set_roles(andi.id, ["operator_cetak_berkas"])
        await uow.commit()
    before = await counts(desk.db)
    moved = await chats.send("operator_penerima_wa", ChoicePressed, token=token)
    assert moved.alert and "tidak" in moved.text.lower()  # not this role's step any more
    assert await counts(desk.db) == before
    async with desk.db.uow() as uow:
        await uow.staff.set_roles(andi.id, ["operator_penerima_wa"])
        await uow.commit()
    async with desk.db.uow() as uow:
        andi = await uow.staff.get(andi.id)
        assert andi is not None
        andi.active = False
        uow.session.add(andi)
        await uow.commit()
    gone = await chats.send("operator_penerima_wa", ChoicePressed, token=token)
    assert gone.alert and gone.text == "Tombol ini tidak dikenal atau bukan untuk Anda."
    assert await counts(desk.db) == before and await desk.step_of(number) == "terima_wa"


async def test_junk_in_callback_data_is_refused(desk: Desk) -> None:
    chats = Chats(desk)
    await record_case(chats)
    who = await chats.staff_id("operator_penerima_wa")
    before = await counts(desk.db)
    for i, junk in enumerate(
        ["", " ", "x" * 64, "'; DROP TABLE button_token; --", "\u202e\x00", "../../etc", "🙂" * 16]
    ):
        answer = await chats.chat.handle(
            ChoicePressed(
                channel="web", chat_id=who, user_id=who, at=AT, update_id=f"junk{i}", token=junk
            )
        )
        assert answer.alert and answer.text == "Tombol ini tidak dikenal atau bukan untuk Anda."
    after = await counts(desk.db)
    assert after == before


async def test_nul_bytes_anywhere_are_harmless(desk: Desk) -> None:
    """PostgreSQL refuses NUL in text: a forged update carrying one gets an answer like
    any other junk instead of failing inside the database."""
    chats = Chats(desk)
    await chats.send("petugas_call_center", CommandReceived, command="baru\x00", args="\x00")
    for text in ("Siti\x00 Aminah", "1806054501900001\x00", "\x00"):
        await chats.send("petugas_call_center", TextReceived, text=text, message_id="m\x00")
    answer = await chats.send("operator", ChoicePressed, token="abc\x00def")
    assert answer.alert
    texts = [m["text"] for m in await chats.messages("petugas_call_center")]
    assert texts[0].startswith("Pengaduan baru (1/6)") and "(3/6)" in texts[-1]

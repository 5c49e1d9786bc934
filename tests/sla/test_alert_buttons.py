"""The buttons of an alert card, pressed on the web channel: Ingatkan, Ambil alih
(then the supervisor finishes the step), Alihkan; foreign and stale tokens refused."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from staffbot.app.commands.cases import Who
from staffbot.app.commands.queries import MyTasks
from staffbot.app.commands.staff import AddStaff
from staffbot.bootstrap import build_bus
from staffbot.channels.base import Answer, ChoicePressed
from staffbot.chat.service import ChatService
from staffbot.clock import FixedClock
from staffbot.services.context import Office
from storage.db import Database
from storage.tables import ButtonToken
from tests.sla.support import alerts, scan, staff_ids, wib
from tests.support import ROSTER, Desk, counts

_updates = itertools.count(1)
RAHMAT_NIP = "199811112021011013"


class Phones:
    """Staff pressing buttons in their web chats."""

    def __init__(self, db: Database, office: Office) -> None:
        self.db = db
        self.office = office
        self.chat = ChatService(build_bus(db, office))

    async def id_of(self, role_or_nip: str) -> int:
        nip = ROSTER.get(role_or_nip, role_or_nip)
        async with self.db.uow(readonly=True) as uow:
            staff = await uow.staff.by_nip(nip)
            assert staff is not None and staff.id is not None
            return staff.id

    async def messages(self, who: str) -> list[dict[str, Any]]:
        chat = str(await self.id_of(who))
        async with self.db.uow(readonly=True) as uow:
            rows = await uow.outbox.for_chat("web", chat)
        return [{"key": r.idempotency_key, "kind": r.kind, **r.payload} for r in rows]

    async def token(self, who: str, label: str) -> str:
        for message in reversed(await self.messages(who)):
            for choice in message.get("choices", []):
                if choice["label"] == label:
                    return str(choice["token"])
        raise AssertionError(f"no button {label!r} for {who}")

    async def press_token(self, who: str, token: str) -> Answer:
        staff_id = str(await self.id_of(who))
        return await self.chat.handle(
            ChoicePressed(
                channel="web",
                chat_id=staff_id,
                user_id=staff_id,
                at=self.office.now(),
                update_id=f"press-{next(_updates)}",
                token=token,
            )
        )

    async def press(self, who: str, label: str) -> Answer:
        return await self.press_token(who, await self.token(who, label))


KASI = "kasi_identitas_penduduk"
ANDI = "operator_penerima_wa"


@pytest.fixture
async def overdue(desk: Desk, db: Database, office: Office, clock: FixedClock) -> tuple[str, int]:
    """A case opened Wednesday 09:00 at step 3, level 1 fired Thursday 09:00."""
    number = (await desk.new_case()).number
    await scan(db, office, clock, wib(2026, 11, 26, 9))
    clock.set(wib(2026, 11, 26, 9, 30))
    return number, await desk.open_task_id(number)


async def test_ingatkan_reminds_the_holder_once(
    overdue: tuple[str, int], db: Database, office: Office
) -> None:
    number, _ = overdue
    phones = Phones(db, office)
    answer = await phones.press(KASI, "Ingatkan")
    assert answer.text == "Pengingat terkirim ke: Andi Saputra"
    nudge = (await phones.messages(ANDI))[-1]
    assert nudge["text"].startswith("🔔 Pengingat dari Hendra Gunawan, S.Kom.: Kasus " + number)
    assert "terlambat 30 menit kerja" in nudge["text"]
    assert [c["label"] for c in nudge["choices"]] == [f"Buka {number}"]
    before = await counts(db)
    again = await phones.press(KASI, "Ingatkan")
    assert again.text == "Pengingat ini sudah dikirim."
    assert await counts(db) == before


async def test_ambil_alih_lets_the_supervisor_finish_the_step(
    overdue: tuple[str, int], desk: Desk, db: Database, office: Office
) -> None:
    number, task_id = overdue
    phones = Phones(db, office)
    answer = await phones.press(KASI, "Ambil alih")
    assert answer.text == f"Tugas {number} kini Anda pegang; kartunya menyusul."
    async with db.uow(readonly=True) as uow:
        task = await uow.tasks.get(task_id)
    kasi = await phones.id_of(KASI)
    assert task is not None and task.assignee_id == kasi
    # the ladder counts from the takeover: due Friday 09:30
    assert task.due_at == wib(2026, 11, 27, 9, 30) and task.escalation_level == -1
    listed = await build_bus(db, office).handle(MyTasks(Who(staff_id=kasi)))
    assert [t.task_id for t in listed] == [task_id]  # in the Kasi's /tugas too
    told = (await phones.messages(ANDI))[-1]
    assert told["text"] == f"Hendra Gunawan, S.Kom. mengambil alih tugas {number} (langkah 3)."
    # the holder's old card no longer works; the supervisor's new one does
    refused = await phones.press(ANDI, "Teruskan")
    assert refused.alert and "sudah diambil" in refused.text
    done = await phones.press(KASI, "Teruskan")
    assert not done.alert, done.text
    assert await desk.step_of(number) == "angkat_data"
    async with db.uow(readonly=True) as uow:
        events = await uow.audit.for_case(task.case_id or 0)
    takeover = [e for e in events if e.kind == "takeover"][-1]
    assert takeover.data == {"from": ["Andi Saputra"], "to": "Hendra Gunawan, S.Kom."}
    moved = [e for e in events if e.kind == "transition"][-1]
    assert (moved.actor, moved.action, moved.from_step) == (
        "Hendra Gunawan, S.Kom.",
        "forward",
        "terima_wa",
    )


async def test_alihkan_hands_the_task_to_another_holder_and_restarts_the_ladder(
    desk: Desk, db: Database, office: Office, clock: FixedClock
) -> None:
    await build_bus(db, office).handle(
        AddStaff(
            name="Rahmat Hidayat",
            nip=RAHMAT_NIP,
            roles=(ANDI,),
            supervisor_nip=ROSTER[KASI],
        )
    )
    number = (await desk.new_case()).number
    task_id = await desk.open_task_id(number)
    await scan(db, office, clock, wib(2026, 11, 26, 9))
    clock.set(wib(2026, 11, 26, 10))
    phones = Phones(db, office)
    answer = await phones.press(KASI, "Alihkan")
    assert answer.text == "Lihat pesan berikut"
    ask = (await phones.messages(KASI))[-1]
    assert ask["text"] == f"Alihkan {number} (langkah 3) kepada:"
    assert [c["label"] for c in ask["choices"]] == ["Andi Saputra", "Rahmat Hidayat"]
    done = await phones.press(KASI, "Rahmat Hidayat")
    assert done.text == f"{number} dialihkan kepada: Rahmat Hidayat"
    rahmat = await phones.id_of(RAHMAT_NIP)
    async with db.uow(readonly=True) as uow:
        task = await uow.tasks.get(task_id)
        events = await uow.audit.for_case(task.case_id or 0) if task else []
    assert task is not None and task.assignee_id == rahmat
    assert task.due_at == wib(2026, 11, 27, 10) and task.escalation_level == -1
    [moved] = [e for e in events if e.kind == "reassigned"]
    assert moved.data["from"] == ["Andi Saputra", "Rahmat Hidayat"]
    assert (moved.data["to"], moved.data["by"]) == ("Rahmat Hidayat", "Hendra Gunawan, S.Kom.")
    card = (await phones.messages(RAHMAT_NIP))[-1]
    assert card["kind"] == "card" and card["text"].startswith(f"📄 <b>Kasus {number}</b>")
    told = (await phones.messages(ANDI))[-1]
    assert told["text"] == (
        f"Tugas {number} (langkah 3) kini dipegang Rahmat Hidayat "
        "(dialihkan oleh Hendra Gunawan, S.Kom.)"
    )
    # the restarted ladder alerts the new holder, not the previous ones
    await scan(db, office, clock, wib(2026, 11, 27, 10))
    ids = await staff_ids(db)
    latest = {a.staff_id for a in await alerts(db) if a.at == wib(2026, 11, 27, 10)}
    assert latest == {rahmat, ids[KASI]}
    # a second press on the same name changes nothing
    again = await phones.press(KASI, "Rahmat Hidayat")
    assert again.alert


async def test_foreign_and_stale_tokens_are_refused(
    overdue: tuple[str, int], desk: Desk, db: Database, office: Office
) -> None:
    number, task_id = overdue
    phones = Phones(db, office)
    kasi_token = await phones.token(KASI, "Ingatkan")
    before = await counts(db)
    # Andi presses a button of the Kasi's card (a forwarded or forged callback)
    foreign = await phones.press_token(ANDI, kasi_token)
    assert foreign.alert and foreign.text == "Tombol ini tidak dikenal atau bukan untuk Anda."
    unknown = await phones.press_token(KASI, "no-such-token")
    assert unknown.alert
    assert await counts(db) == before
    # once the task is done, its alert buttons only say who was first
    await desk.act(number, "forward")
    before = await counts(db)
    for label in ("Ingatkan", "Ambil alih"):
        stale = await phones.press(KASI, label)
        assert stale.alert and stale.text.startswith("Sudah diproses oleh Andi Saputra")
    assert await counts(db) == before
    async with db.uow(readonly=True) as uow:
        task = await uow.tasks.get(task_id)
    assert task is not None and task.assignee_id is None


async def test_a_signature_cannot_be_taken_over(
    desk: Desk, db: Database, office: Office, clock: FixedClock
) -> None:
    number = (await desk.new_case()).number
    await desk.advance_to(number, "ttd_kadis")
    task_id = await desk.open_task_id(number)
    # the Kepala Dinas's step is overdue: the Kepala Bidang is alerted, without "Ambil alih"
    await scan(db, office, clock, wib(2026, 11, 27, 9))
    ids = await staff_ids(db)
    [to_kabid] = [a for a in await alerts(db) if a.staff_id == ids["kepala_bidang"]]
    assert to_kabid.task_id == task_id and to_kabid.labels == ("Ingatkan",)
    # a forged takeover token is refused and changes nothing
    async with db.uow() as uow:
        await uow.outbox.add_tokens(
            [
                ButtonToken(
                    token="forged-takeover",
                    staff_id=ids["kepala_bidang"],
                    action="alert_takeover",
                    task_id=task_id,
                    created_at=office.now(),
                )
            ]
        )
        await uow.commit()
    answer = await Phones(db, office).press_token("kepala_bidang", "forged-takeover")
    assert answer.alert and "tidak dapat diambil alih" in answer.text
    async with db.uow(readonly=True) as uow:
        task = await uow.tasks.get(task_id)
    assert task is not None and task.assignee_id is None

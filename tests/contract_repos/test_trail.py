"""Contract: the audit chain and the outbox (staged rows, button tokens, the commit
listeners that wake the dispatcher) on every backend."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import IntegrityError

from staffbot.app.commands.audit import VerifyAuditChain
from staffbot.services.audit import verify_chain
from staffbot.services.context import Office
from storage.audit_chain import CHAINED_FIELDS, GENESIS, chain_hash
from storage.tables import ButtonToken
from tests.conftest import START
from tests.contract_repos.support import LATER, Backend, a_message, add_case, add_staff, add_task

# -- audit ----------------------------------------------------------------------------------


async def test_appends_are_chained_at_commit(db: Backend, office: Office) -> None:
    case_id = await add_case(db)
    async with db.uow() as uow:
        first = await uow.audit.append(
            at=START, kind="case_created", actor="Pemohon", case_id=case_id
        )
        second = await uow.audit.append(
            at=LATER,
            kind="transition",
            actor="Andi",
            actor_id=7,
            case_id=case_id,
            task_id=3,
            action="forward",
            from_step="terima_wa",
            to_step="angkat_data",
            note="ok",
            data={"k": [1, "ü"]},
        )
        assert first.seq == 0 and first.hash == ""  # chained when the transaction commits
        await uow.commit()
    assert (first.seq, second.seq) == (1, 2)
    assert (first.prev_hash, second.prev_hash) == (GENESIS, first.hash)
    fields = {name: getattr(second, name) for name in CHAINED_FIELDS}
    assert second.hash == chain_hash(first.hash, fields)
    async with db.uow() as uow:
        third = await uow.audit.append(at=LATER, kind="claim", actor="Lina", ba_id=None)
        await uow.commit()
    assert (third.seq, third.prev_hash) == (3, second.hash)
    async with db.uow(readonly=True) as uow:
        head = await uow.audit.head()
        events = await uow.audit.for_case(case_id)
        count = await uow.audit.count()
        report = await verify_chain(VerifyAuditChain(), uow, office)
    assert head is not None and (head.seq, head.hash) == (3, third.hash)
    assert [(e.seq, e.kind, e.at, e.hash) for e in events] == [
        (1, "case_created", START, first.hash),
        (2, "transition", LATER, second.hash),
    ]
    assert (events[1].data, events[1].note, events[1].actor_id) == ({"k": [1, "ü"]}, "ok", 7)
    assert count == 3 and report.ok and report.events == 3


async def test_reads_see_the_events_of_their_own_transaction(db: Backend) -> None:
    async with db.uow() as uow:
        await uow.audit.append(at=START, kind="ba_created", actor="Maya", ba_id=None)
        await uow.audit.append_many(
            [{"at": START, "kind": "claim", "actor": "Lina", "task_id": 5}] * 2
        )
        assert await uow.audit.count() == 3
        assert [e.seq async for e in uow.audit.stream()] == [1, 2, 3]
        assert await uow.audit.for_ba(1) == []
        await uow.commit()


async def test_a_rolled_back_transaction_leaves_no_event(db: Backend, office: Office) -> None:
    async with db.uow() as uow:
        await uow.audit.append(at=START, kind="a", actor="x")
        await uow.commit()
    async with db.uow() as uow:
        await uow.audit.append(at=START, kind="lost", actor="x")
    async with db.uow() as uow:
        await uow.audit.append(at=START, kind="lost too", actor="x")
        await uow.rollback()
        kept = await uow.audit.append(at=START, kind="b", actor="x")
        await uow.commit()
    assert kept.seq == 2
    async with db.uow(readonly=True) as uow:
        assert [e.kind async for e in uow.audit.stream()] == ["a", "b"]
        assert (await verify_chain(VerifyAuditChain(), uow, office)).ok


async def test_concurrent_appends_never_fork_the_chain(db: Backend, office: Office) -> None:
    async def append(i: int) -> None:
        async with db.uow() as uow:
            await uow.audit.append(at=START, kind="k", actor=f"a{i}")
            await asyncio.sleep(0)
            await uow.commit()

    await asyncio.gather(*(append(i) for i in range(10)))
    async with db.uow(readonly=True) as uow:
        report = await verify_chain(VerifyAuditChain(), uow, office)
    assert report.ok and report.events == 10


# -- outbox ---------------------------------------------------------------------------------


async def test_staged_rows_are_written_at_commit_in_order(db: Backend) -> None:
    case_id = await add_case(db)
    async with db.uow() as uow:
        staged = [a_message("card:1", case_id=case_id), a_message("edit:1", case_id=case_id)]
        uow.outbox.stage(staged)
        assert all(row.id is None for row in staged)  # one INSERT, at commit
        [now] = await uow.outbox.add_all([a_message("text:1", case_id=case_id)])
        assert now.id is not None  # inserted at once, after what was staged before it
        uow.outbox.stage([a_message("applicant:1", case_id=case_id, chat_id="+62")])
        await uow.commit()
    assert all(row.id is None for row in staged)
    async with db.uow(readonly=True) as uow:
        rows = await uow.outbox.for_case(case_id)
        chat = await uow.outbox.for_chat("web", "1", after_id=rows[0].id or 0)
        newest = await uow.outbox.listing(limit=2)
        assert await uow.outbox.listing(status="sent") == []
        got = await uow.outbox.get(now.id)
    keys = ["card:1", "edit:1", "text:1", "applicant:1"]
    assert [r.idempotency_key for r in rows] == keys
    assert [r.id for r in rows] == sorted(r.id or 0 for r in rows)
    assert (rows[0].status, rows[0].attempts, rows[0].payload) == ("pending", 0, {"text": "card:1"})
    assert [r.idempotency_key for r in chat] == ["edit:1", "text:1"]
    assert [r.idempotency_key for r in newest] == ["applicant:1", "text:1"]
    assert got is not None and got.idempotency_key == "text:1"


async def test_reads_see_the_rows_staged_in_their_transaction(db: Backend) -> None:
    case_id = await add_case(db)
    task_id = await add_task(db, case_id)
    async with db.uow() as uow:
        uow.outbox.stage(
            [
                a_message("card:a", task_id=task_id, kind="card", case_id=case_id),
                a_message("edit:a", task_id=task_id, kind="edit", case_id=case_id),
                a_message("card:b", task_id=task_id, kind="card", chat_id="2"),
            ]
        )
        cards = await uow.outbox.cards_of_task(task_id)
        assert [c.idempotency_key for c in cards] == ["card:a", "card:b"]
        assert all(c.id is not None for c in cards)
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        assert len(await uow.outbox.for_case(case_id)) == 2


async def test_only_a_failed_message_is_retried(db: Backend) -> None:
    """`outbox retry ID`: a failed row is pending again, due at once, its attempts reset;
    a row that did not fail (or no row) is left alone."""
    async with db.uow() as uow:
        failed, sent = await uow.outbox.add_all(
            [
                a_message("card:1", status="failed", attempts=5, last_error="403"),
                a_message("card:2", status="sent", attempts=1),
            ]
        )
        await uow.commit()
    assert failed.id is not None and sent.id is not None
    async with db.uow() as uow:
        assert await uow.outbox.retry(failed.id, at=LATER)
        assert not await uow.outbox.retry(failed.id, at=LATER)  # pending now
        assert not await uow.outbox.retry(sent.id, at=LATER)
        assert not await uow.outbox.retry(999_999, at=LATER)
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        again = await uow.outbox.get(failed.id)
        untouched = await uow.outbox.get(sent.id)
    assert again is not None and (again.status, again.attempts, again.next_attempt_at) == (
        "pending",
        0,
        LATER,
    )
    assert untouched is not None and (untouched.status, untouched.attempts) == ("sent", 1)


async def test_a_repeated_idempotency_key_fails_the_commit(db: Backend) -> None:
    async with db.uow() as uow:
        uow.outbox.stage([a_message("card:1")])
        await uow.commit()
    with pytest.raises(IntegrityError):
        async with db.uow() as uow:
            uow.outbox.stage([a_message("other"), a_message("card:1")])
            await uow.commit()
    async with db.uow(readonly=True) as uow:
        assert [r.idempotency_key for r in await uow.outbox.listing()] == ["card:1"]


async def test_a_rolled_back_transaction_leaves_no_message(db: Backend) -> None:
    async with db.uow() as uow:
        uow.outbox.stage([a_message("lost")])
        await uow.outbox.add_all([a_message("lost too")])
    async with db.uow() as uow:
        uow.outbox.stage([a_message("discarded")])
        await uow.rollback()
        uow.outbox.stage([a_message("kept")])
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        assert [r.idempotency_key for r in await uow.outbox.listing()] == ["kept"]


async def test_button_tokens_are_found_and_used_once(db: Backend) -> None:
    staff_id = await add_staff(db, "199001012015032001")
    task_id = await add_task(db, await add_case(db))

    def token(name: str, **values: object) -> ButtonToken:
        fields = {"staff_id": staff_id, "action": "forward", "created_at": START}
        return ButtonToken(token=name, **{**fields, **values})  # type: ignore[arg-type]

    async with db.uow() as uow:
        uow.outbox.stage_tokens([token("tok-a", task_id=task_id), token("tok-b")])
        found = await uow.outbox.token("tok-a")  # before the commit, in this transaction
        assert found is not None and found.task_id == task_id
        await uow.outbox.add_tokens([token("tok-c", target="ba:1", action="pick")])
        await uow.commit()
    async with db.uow() as uow:
        assert await uow.outbox.use_token("tok-b", LATER)
        assert not await uow.outbox.use_token("tok-b", LATER)
        assert not await uow.outbox.use_token("nope", LATER)
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        used = await uow.outbox.token("tok-b")
        picked = await uow.outbox.token("tok-c")
        assert await uow.outbox.token("nope") is None
    assert used is not None and used.used_at == LATER
    assert picked is not None and (picked.target, picked.used_at) == ("ba:1", None)
    async with db.uow() as uow:
        uow.outbox.stage_tokens([token("tok-lost")])
    async with db.uow(readonly=True) as uow:
        assert await uow.outbox.token("tok-lost") is None


async def test_a_commit_that_wrote_outbox_rows_wakes_the_listeners(db: Backend) -> None:
    woken: list[str] = []
    db.add_commit_listener(lambda: woken.append("woken"))
    db.add_commit_listener(lambda: 1 / 0)  # type: ignore[func-returns-value]  # logged
    async with db.uow() as uow:
        await uow.counters.next("quiet")
        await uow.commit()
    assert woken == []
    async with db.uow() as uow:
        uow.outbox.stage([a_message("card:1")])
        uow.wrote_outbox = True  # what staffbot.services.notify.queue sets
        await uow.commit()
        assert not uow.wrote_outbox
    assert woken == ["woken"]
    async with db.uow() as uow:
        uow.outbox.stage([a_message("card:2")])
        uow.wrote_outbox = True
    assert woken == ["woken"]  # rolled back: nothing to deliver

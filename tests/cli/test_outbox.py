"""The outbox's retry budget: a message the channel keeps refusing is marked failed after
max_attempts, an admin sees it with `outbox list --failed`, `outbox retry ID` puts it back,
and it goes out once the channel works again. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from staffbot.channels.base import Channel, Delivered, Delivery
from staffbot.cli.root import app
from staffbot.clock import FixedClock
from staffbot.dispatcher import OutboxDispatcher
from staffbot.errors import ChannelUnavailable
from tests.support import Desk

MAX_ATTEMPTS = 3


class FlakyWeb(Channel):
    """A web channel whose server answers 502 until it is repaired."""

    name = "web"

    def __init__(self) -> None:
        self.working = False
        self.tries: list[str] = []
        self.delivered: list[str] = []

    async def deliver(self, delivery: Delivery) -> Delivered:
        self.tries.append(delivery.idempotency_key)
        if not self.working:
            raise ChannelUnavailable(channel="web", problem="HTTP 502 Bad Gateway")
        self.delivered.append(delivery.idempotency_key)
        return Delivered(message_id=f"web-{len(self.delivered)}")


async def cli(env: dict[str, str], *args: str) -> Result:
    """The command line in a thread: it runs its own event loop (asyncio.run)."""
    return await asyncio.to_thread(CliRunner().invoke, app, list(args), env=env)


async def test_a_message_that_keeps_failing_is_shown_retried_and_delivered(
    desk: Desk, clock: FixedClock, db_url: str, tmp_path: Path
) -> None:
    env = {"STAFFBOT_DATABASE_URL": db_url, "STAFFBOT_DATA_DIR": str(tmp_path / "cli-data")}
    await desk.new_case()  # its card to the WA receiver goes out on the web channel
    web = FlakyWeb()
    dispatcher = OutboxDispatcher(
        desk.db, {"web": web}, clock=clock, max_attempts=MAX_ATTEMPTS, max_backoff=60
    )
    for _ in range(MAX_ATTEMPTS + 2):  # more passes than the budget allows
        await dispatcher.drain()
        clock.advance(timedelta(minutes=5))  # past any backoff
    async with desk.db.uow(readonly=True) as uow:
        [card] = [r for r in await uow.outbox.listing() if r.channel == "web"]
    assert card.id is not None
    assert (card.kind, card.status, card.attempts) == ("card", "failed", MAX_ATTEMPTS)
    assert card.last_error is not None and "502" in card.last_error
    assert web.tries == [card.idempotency_key] * MAX_ATTEMPTS and web.delivered == []

    listed = await cli(env, "outbox", "list", "--failed", "--json")
    assert listed.exit_code == 0, listed.output
    [row] = json.loads(listed.stdout)
    assert (row["id"], row["kind"], row["status"], row["attempts"]) == (
        card.id,
        "card",
        "failed",
        MAX_ATTEMPTS,
    )
    assert "502" in row["error"]
    table = await cli(env, "outbox", "list", "--failed")
    assert table.exit_code == 0 and f"│ {card.id} " in table.stdout

    retried = await cli(env, "outbox", "retry", str(card.id))
    assert retried.exit_code == 0, retried.output
    assert f"pesan {card.id} dijadwalkan ulang" in retried.stdout
    async with desk.db.uow(readonly=True) as uow:
        again = await uow.outbox.get(card.id)
    assert again is not None and (again.status, again.attempts) == ("pending", 0)
    assert json.loads((await cli(env, "outbox", "list", "--failed", "--json")).stdout) == []

    # the command line stamps the retry with the wall clock: the dispatcher's clock
    # must have reached it for the row to be due
    clock.set(max(clock.now(), datetime.now(UTC)) + timedelta(seconds=1))
    web.working = True
    await dispatcher.drain()
    async with desk.db.uow(readonly=True) as uow:
        sent = await uow.outbox.get(card.id)
    assert sent is not None
    assert (sent.status, sent.platform_message_id, sent.last_error) == ("sent", "web-1", None)
    assert web.delivered == [card.idempotency_key]

    # a sent message is not retried, and an unknown id is refused with a clear message
    refused = await cli(env, "outbox", "retry", str(card.id))
    assert refused.exit_code == 1
    assert (
        f"Pesan keluar {card.id} berstatus sent, bukan gagal: hanya pesan yang gagal "
        "yang dapat dikirim ulang." in " ".join(refused.output.split())
    )
    unknown = await cli(env, "outbox", "retry", "999999")
    assert unknown.exit_code == 1
    assert "Pesan keluar 999999 tidak ada." in unknown.output
    async with desk.db.uow(readonly=True) as uow:
        assert (await uow.outbox.get(card.id)).status == "sent"  # type: ignore[union-attr]

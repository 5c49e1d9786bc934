"""Flood benchmark: bulk messages through the real outbox dispatcher to a Telegram double
that enforces Telegram's limits (1 msg/s per private chat, 20/min per group, 30/s).

    .venv/bin/python bench/flood.py [--library ptb|aiogram|both] [--messages 600] [--chats 60]
                                    [--whatsapp] [--out bench/results/flood.json]

Prints the achieved rate as a share of Telegram's 30 msg/s (goal: >= 0.85 with zero
429s) and writes the figures as JSON. ``--whatsapp`` also measures one user receiving a
burst under the Cloud API's pair rate limit (131056, one message per 6 s in the double)
with our pacing (1 s per chat) and with a 6 s pacing, for docs/CHANNELS.md.
tests/channels/test_flood.py runs the same flood and asserts counts, not time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import platform
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the doubles live in tests/
    sys.path.insert(0, str(ROOT))

TELEGRAM_CEILING = 30.0
TOKEN = "123456:TEST-token"


@dataclass
class FloodResult:
    library: str
    database: str
    messages: int
    chats: int
    delivered: int
    seconds: float
    rate: float
    share_of_ceiling: float
    flood_429s: int
    rate_limited: int
    in_order: bool


async def flood(
    db: Any,
    data_dir: Path,
    *,
    library: str = "ptb",
    messages: int = 600,
    chats: int = 60,
    bursts: dict[int, int] | None = None,
) -> tuple[FloodResult, dict[int, list[str]]]:
    """Queue ``messages`` outbox rows over ``chats`` private chats and deliver them all.

    ``bursts`` (chat id -> count) adds messages to single chats (a group has a negative
    id) where the per-chat limits bind; their transcripts are returned by chat id.
    """
    from staffbot.channels.base import Answer, Incoming
    from staffbot.channels.telegram import make_telegram
    from staffbot.channels.telegram_common import PACING, TelegramConfig
    from staffbot.clock import SystemClock
    from staffbot.dispatcher import OutboxDispatcher
    from storage.tables import OUTBOX_SENT, Outbox
    from tests.doubles.telegram import TelegramDouble

    async def ignore(event: Incoming) -> Answer:
        return Answer()

    now = datetime.now(UTC)
    rows = [
        Outbox(
            created_at=now,
            channel="telegram",
            chat_id=str(1000 + i % chats),
            kind="text",
            payload={"text": f"Pengingat {i // chats + 1}: <b>tugas lewat batas waktu</b>"},
            idempotency_key=f"flood:{i}",
            next_attempt_at=now,
        )
        for i in range(messages)
    ]
    for chat, count in (bursts or {}).items():
        rows += [
            Outbox(
                created_at=now,
                channel="telegram",
                chat_id=str(chat),
                kind="text",
                payload={"text": f"Ringkasan {n + 1}"},
                idempotency_key=f"burst:{chat}:{n}",
                next_attempt_at=now,
            )
            for n in range(count)
        ]
    expected = len(rows)
    watched = [1000 + c for c in range(chats)] + list(bursts or {})
    async with TelegramDouble(TOKEN, enforce_limits=True) as tg:
        config = TelegramConfig(TOKEN, tg.url, data_dir, pacing=PACING)
        channel = make_telegram(library, config, ignore, lambda: datetime.now(UTC))
        await channel.initialize()
        dispatcher = OutboxDispatcher(db, {"telegram": channel}, clock=SystemClock())
        try:
            async with db.uow() as uow:
                await uow.outbox.add_all(rows)
                await uow.commit()
            started = time.monotonic()
            await dispatcher.start()
            # (a generous bound: at 30 msg/s the flood takes expected / 30 seconds)
            await tg.wait_until(
                lambda: sum(len(tg.sent(chat)) for chat in watched) >= expected, expected
            )
            seconds = time.monotonic() - started
            await dispatcher.stop()
        finally:
            await channel.shutdown()
        async with db.uow(readonly=True) as uow:
            sent = [r for r in await uow.outbox.listing(limit=expected * 2)]
        delivered = sum(
            1 for r in sent if r.status == OUTBOX_SENT and r.idempotency_key.startswith("flood:")
        )
        in_order = all(
            [m.text for m in tg.sent(1000 + c)]
            == [
                f"Pengingat {n + 1}: tugas lewat batas waktu" for n in range(len(tg.sent(1000 + c)))
            ]
            for c in range(chats)
        )
        total = sum(len(tg.sent(1000 + c)) for c in range(chats))
        rate = total / seconds if seconds > 0 else 0.0
        transcripts = {chat: [m.text or "" for m in tg.sent(chat)] for chat in bursts or {}}
        return FloodResult(
            library=library,
            database=db.dialect,
            messages=messages,
            chats=chats,
            delivered=delivered,
            seconds=round(seconds, 2),
            rate=round(rate, 2),
            share_of_ceiling=round(rate / TELEGRAM_CEILING, 3),
            flood_429s=tg.flood_429s,
            rate_limited=sum(dispatcher.stats.rate_limited.values()),
            in_order=in_order,
        ), transcripts


async def pair_rate(db: Any, office: Any, *, interval: float, messages: int) -> dict[str, Any]:
    """One WhatsApp user, ``messages`` in a burst, against the double's strict pair limit."""
    from staffbot.bootstrap import build_bus
    from staffbot.channels.base import Answer, Incoming, Pacing
    from staffbot.channels.whatsapp import WhatsAppChannel
    from staffbot.channels.whatsapp_graph import WhatsAppConfig
    from staffbot.channels.whatsapp_port import Templates
    from staffbot.clock import SystemClock
    from staffbot.dispatcher import OutboxDispatcher
    from staffbot.services.whatsapp_state import WhatsAppStateOnBus
    from storage.repos.channels import ChannelRepository
    from storage.tables import OUTBOX_SENT, Outbox
    from tests.doubles.whatsapp import WhatsAppDouble

    async def ignore(event: Incoming) -> Answer:
        return Answer()

    phone = "+6281200000077"
    now = datetime.now(UTC)
    async with WhatsAppDouble("T", phone_id="111", pair_rate_limit=True) as api:
        await api.push_text(phone, "halo")  # the window is open
        pacing = Pacing(per_chat_interval=interval, global_rate=80.0)
        config = WhatsAppConfig(
            "T", "111", "s", api_url=api.url, templates=Templates(), pacing=pacing
        )
        channel = WhatsAppChannel(
            config, ignore, WhatsAppStateOnBus(build_bus(db, office)), office.now
        )
        await channel.initialize()
        async with db.uow() as uow:
            await ChannelRepository(uow.session).touch_inbound(phone, office.now())
            await uow.outbox.add_all(
                [
                    Outbox(
                        created_at=now,
                        channel="whatsapp",
                        chat_id=phone,
                        kind="text",
                        payload={"text": f"Kartu {i + 1}"},
                        idempotency_key=f"pair:{interval}:{i}",
                        next_attempt_at=now,
                    )
                    for i in range(messages)
                ]
            )
            await uow.commit()
        dispatcher = OutboxDispatcher(
            db, {"whatsapp": channel}, clock=SystemClock(), max_backoff=8.0
        )
        started = time.monotonic()
        await dispatcher.start()
        await api.wait_until(lambda: len(api.sent(phone)) >= messages, 30 * messages)
        seconds = time.monotonic() - started
        await dispatcher.stop()
        await channel.shutdown()
        async with db.uow(readonly=True) as uow:
            rows = [
                r
                for r in await uow.outbox.listing(limit=1000)
                if r.idempotency_key.startswith(f"pair:{interval}:")
            ]
        return {
            "per_chat_interval": interval,
            "messages": messages,
            "delivered": sum(1 for r in rows if r.status == OUTBOX_SENT),
            "seconds": round(seconds, 1),
            "pair_rate_refusals_131056": api.throttled[131056],
            "seconds_per_message": round(seconds / messages, 2),
        }


@contextlib.asynccontextmanager
async def fresh_database(directory: Path, name: str) -> AsyncIterator[Any]:
    """A migrated SQLite database of its own for one measurement."""
    from storage.db import Database
    from storage.migrate import upgrade

    url = f"sqlite+aiosqlite:///{directory / name}.db"
    await upgrade(url)
    db = Database(url)
    await db.initialize()
    try:
        yield db
    finally:
        await db.shutdown()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from staffbot.bootstrap import build_calendar
    from staffbot.clock import SystemClock
    from staffbot.settings import Settings

    out: dict[str, Any] = {"telegram": []}
    libraries = ("ptb", "aiogram") if args.library == "both" else (args.library,)
    with tempfile.TemporaryDirectory() as tmp:
        for library in libraries:
            async with fresh_database(Path(tmp), library) as db:
                result, _ = await flood(
                    db, Path(tmp), library=library, messages=args.messages, chats=args.chats
                )
            out["telegram"].append(asdict(result))
        if args.whatsapp:
            from staffbot.bootstrap import build_office

            settings = Settings(_env_file=None)
            clock = SystemClock()
            office = build_office(settings, clock, build_calendar(settings, clock.now(), {}, set()))
            async with fresh_database(Path(tmp), "whatsapp") as db:
                out["whatsapp_pair_rate"] = [
                    await pair_rate(db, office, interval=interval, messages=args.pair_messages)
                    for interval in (1.0, 6.0)
                ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--library", choices=("ptb", "aiogram", "both"), default="both")
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--chats", type=int, default=60)
    parser.add_argument("--whatsapp", action="store_true")
    parser.add_argument("--pair-messages", type=int, default=5)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "flood.json"
    )
    args = parser.parse_args()
    figures = asyncio.run(run(args))
    for telegram in figures["telegram"]:
        print(
            f"Telegram flood ({telegram['library']}, {telegram['database']}): "
            f"{telegram['delivered']}/{telegram['messages']} messages to {telegram['chats']} "
            f"chats in {telegram['seconds']} s = {telegram['rate']} msg/s = "
            f"{telegram['share_of_ceiling']:.1%} of 30 msg/s (goal >= 85%); "
            f"429s: {telegram['flood_429s']}; in order per chat: {telegram['in_order']}"
        )
    for row in figures.get("whatsapp_pair_rate", []):
        print(
            f"WhatsApp pair rate, {row['per_chat_interval']:.0f} s per chat: "
            f"{row['delivered']}/{row['messages']} in {row['seconds']} s "
            f"({row['seconds_per_message']} s each), 131056 refusals: "
            f"{row['pair_rate_refusals_131056']}"
        )
    figures["machine"] = {"python": sys.version.split()[0], "platform": platform.platform()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()

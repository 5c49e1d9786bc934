"""Joining by invite: `staff invite` makes a one-time code, the t.me deep link sends
`/start <code>`, and only a valid unused code binds the Telegram account."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from staffbot.app.commands.invites import CreateInvite
from staffbot.channels.telegram import bot_username, invite_link
from staffbot.channels.telegram_common import TelegramChannel
from staffbot.chat.service import ChatService
from staffbot.cli.root import app
from staffbot.clock import FixedClock, SystemClock
from staffbot.dispatcher import OutboxDispatcher
from staffbot.errors import ConfigurationError, ValidationError
from staffbot.services.invites import code_hash
from staffbot.settings import Settings
from storage.repos.channels import ChannelRepository
from tests.channels.support import TG_TOKEN, Recorder, telegram_channel
from tests.doubles.telegram import TelegramDouble
from tests.support import ROSTER, Desk

NEWCOMER = 515151
NIP = "199911112022031013"
BOT_USERNAME = "disdukcapil_tgm_bot"


@dataclass
class Bot:
    tg: TelegramDouble
    channel: TelegramChannel
    recorder: Recorder
    dispatcher: OutboxDispatcher

    async def say(self, user: int, text: str) -> list[str]:
        """The user writes; returns what the bot answered (texts, in order)."""
        before = len(self.tg.sent(user))
        update_id = self.tg.push_text(user, user, text, first_name="Baru")
        await self.recorder.wait_id(str(update_id))
        await self.dispatcher.drain()
        return [m.text or "" for m in self.tg.sent(user)[before:]]


@pytest.fixture
async def bot(desk: Desk, tmp_path: Path) -> AsyncIterator[Bot]:
    async with TelegramDouble(TG_TOKEN, bot_username=BOT_USERNAME) as tg:
        recorder = Recorder(ChatService(desk.bus).handle)
        channel = telegram_channel("ptb", tg.url, recorder, desk.office, tmp_path)
        await channel.initialize()
        receiver = channel.receiver()
        await receiver.start()
        dispatcher = OutboxDispatcher(desk.db, {"telegram": channel}, clock=SystemClock())
        yield Bot(tg, channel, recorder, dispatcher)
        await receiver.stop()
        await channel.shutdown()


async def _staff(desk: Desk, nip: str) -> tuple[int | None, str, frozenset[str]]:
    async with desk.db.uow(readonly=True) as uow:
        staff = await uow.staff.by_nip(nip)
        assert staff is not None and staff.id is not None
        return staff.telegram_id, staff.channel, await uow.staff.roles_of(staff.id)


async def _audit(desk: Desk, kind: str) -> list[dict[str, object]]:
    async with desk.db.uow(readonly=True) as uow:
        return [e.data async for e in uow.audit.stream() if e.kind == kind]


async def test_an_invite_for_a_staff_record_binds_the_account_once(bot: Bot, desk: Desk) -> None:
    nip = ROSTER["operator_penerima_wa"]
    code = await desk.bus.handle(CreateInvite(nip=nip))
    assert len(code) >= 16
    async with desk.db.uow(readonly=True) as uow:
        [stored] = await ChannelRepository(uow.session).invites()
    assert stored.code_hash == code_hash(code) and code not in stored.code_hash

    said = await bot.say(NEWCOMER, f"/start {code}")
    assert "terhubung dengan Andi Saputra" in said[0]
    assert "Selamat datang, Andi Saputra" in said[1]
    assert await _staff(desk, nip) == (NEWCOMER, "telegram", frozenset({"operator_penerima_wa"}))
    [created] = await _audit(desk, "invite_created")
    [bound] = await _audit(desk, "staff_bound")
    assert created["nip"] == nip and code not in str(created)
    assert (bound["nip"], bound["channel"]) == (nip, "telegram")

    # The same code again, from someone else: polite, and nothing changes.
    said = await bot.say(NEWCOMER + 1, f"/start {code}")
    assert said == [
        "Maaf, kode undangan ini tidak berlaku (salah, kedaluwarsa, atau sudah dipakai). "
        "Minta tautan undangan baru kepada admin staffbot Disdukcapil Tanggamus."
    ]
    assert (await _staff(desk, nip))[0] == NEWCOMER


async def test_the_staff_invite_command_prints_a_link_that_binds_once(
    bot: Bot, desk: Desk, db_url: str, tmp_path: Path
) -> None:
    """`python main.py staff invite --nip NIP` itself: the bot's username from getMe on
    the configured Bot API server (the double), a one-time code in the deep link."""
    env = {
        "STAFFBOT_DATABASE_URL": db_url,
        "STAFFBOT_DATA_DIR": str(tmp_path / "cli-data"),
        "STAFFBOT_TELEGRAM_TOKEN": TG_TOKEN,
        "STAFFBOT_TELEGRAM_API_URL": bot.tg.url,
    }
    nip = ROSTER["operator_pengangkat_data"]
    # The command runs its own event loop (asyncio.run): in a thread, while this loop
    # keeps serving the double's getMe.
    result = await asyncio.to_thread(
        CliRunner().invoke,
        app,
        ["staff", "invite", "--nip", nip, "--hours", "24"],
        env=env,
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    link = re.fullmatch(
        rf"https://t\.me/{BOT_USERNAME}\?start=([A-Za-z0-9_-]{{16,64}})", result.output.strip()
    )
    assert link is not None, result.output
    code = link.group(1)
    [created] = await _audit(desk, "invite_created")
    assert created["nip"] == nip and created["hours"] == 24 and code not in str(created)

    said = await bot.say(NEWCOMER, f"/start {code}")
    assert "terhubung dengan" in said[0] and "Selamat datang" in said[1]
    assert await _staff(desk, nip) == (
        NEWCOMER,
        "telegram",
        frozenset({"operator_pengangkat_data"}),
    )

    # The link again, from another new account: refused, and nothing is bound.
    said = await bot.say(NEWCOMER + 1, f"/start {code}")
    assert len(said) == 1 and "kode undangan ini tidak berlaku" in said[0]
    async with desk.db.uow(readonly=True) as uow:
        assert await uow.staff.by_telegram(NEWCOMER + 1) is None
    assert (await _staff(desk, nip))[0] == NEWCOMER
    assert len(await _audit(desk, "staff_bound")) == 1


async def test_a_role_invite_asks_name_and_nip_and_creates_the_staff_record(
    bot: Bot, desk: Desk
) -> None:
    code = await desk.bus.handle(CreateInvite(role="operator"))
    said = await bot.say(NEWCOMER, f"/start {code}")
    assert "peran Operator" in said[0] and "nama lengkap" in said[0]
    assert "(2/2)" in (await bot.say(NEWCOMER, "Rahmat Hidayat"))[0]
    said = await bot.say(NEWCOMER, "1234")  # not a NIP: asked again
    assert "NIP harus 18 digit" in said[0] and "(2/2)" in said[1]
    # Someone else cannot ride on the claimed code.
    assert "tidak berlaku" in (await bot.say(NEWCOMER + 2, f"/start {code}"))[0]
    said = await bot.say(NEWCOMER, "1999 1111 2022 0310 13")
    assert "Terdaftar: Rahmat Hidayat" in said[0] and "Selamat datang" in said[1]
    assert await _staff(desk, NIP) == (NEWCOMER, "telegram", frozenset({"operator"}))
    [added] = [e for e in await _audit(desk, "staff_added") if e["nip"] == NIP]
    assert added["roles"] == ["operator"] and added["channel"] == "telegram"


async def test_no_code_a_wrong_code_or_an_expired_code_binds_nothing(
    bot: Bot, desk: Desk, clock: FixedClock
) -> None:
    said = await bot.say(NEWCOMER, "/start")
    assert said == [
        "Maaf, akun ini belum terdaftar sebagai petugas Disdukcapil Tanggamus. "
        "Minta tautan undangan kepada admin."
    ]
    assert "tidak berlaku" in (await bot.say(NEWCOMER, "/start tebak-tebakan-123"))[0]
    code = await desk.bus.handle(CreateInvite(nip=ROSTER["operator"], hours=1))
    clock.advance(timedelta(hours=2))
    assert "tidak berlaku" in (await bot.say(NEWCOMER, f"/start {code}"))[0]
    async with desk.db.uow(readonly=True) as uow:
        assert await uow.staff.by_telegram(NEWCOMER) is None


async def test_invites_are_checked_when_made(desk: Desk) -> None:
    with pytest.raises(ConfigurationError):
        await desk.bus.handle(CreateInvite())
    with pytest.raises(ConfigurationError):
        await desk.bus.handle(CreateInvite(role="operator", nip=NIP))
    with pytest.raises(ValidationError):
        await desk.bus.handle(CreateInvite(role="kurir_antariksa"))
    with pytest.raises(ValidationError):
        await desk.bus.handle(CreateInvite(nip=NIP))  # nobody has it yet


async def test_the_link_uses_the_bots_username(tmp_path: Path) -> None:
    async with TelegramDouble(TG_TOKEN, bot_username="disdukcapil_tgm_bot") as tg:
        settings = Settings(
            telegram_token=SecretStr(TG_TOKEN),
            telegram_api_url=tg.url,
            _env_file=None,
        )
        username = await bot_username(settings)
    assert username == "disdukcapil_tgm_bot"
    assert invite_link(username, "Ab-9_x") == "https://t.me/disdukcapil_tgm_bot?start=Ab-9_x"

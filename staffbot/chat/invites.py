"""Joining with an invite: ``/start <code>`` from a chat account nobody knows yet.

* A code made with ``staff invite --nip NIP`` binds this account to that staff record
  at once (a new phone or Telegram account of someone already on the roster).
* A code made with ``staff invite --role ROLE`` asks for name and NIP in the chat and
  then creates the staff record with that role, bound to this account. The code is
  claimed by the account at the first message, so nobody else can use it meanwhile;
  the same account may send the link again to pick up where it left off.
* Anything else (no code, a wrong, used or expired code) gets a polite answer and
  binds nothing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from staffbot.app.commands.chat import StaffById
from staffbot.app.commands.conversations import InviteSignup
from staffbot.app.commands.invites import (
    Account,
    BindAccount,
    ClaimInvite,
    FindInvite,
    JoinWithInvite,
)
from staffbot.channels.base import Answer, ChannelName, CommandReceived, Incoming, TextReceived
from staffbot.chat import commands
from staffbot.chat.context import Turn
from staffbot.errors import StaffbotError
from staffbot.messages import OutgoingMessage
from staffbot.richtext import esc
from staffbot.texts import error_text
from staffbot.validation import check_name

START_COMMANDS = frozenset({"start", "mulai"})
CANCEL_COMMANDS = frozenset({"batal", "cancel"})

# Kept here until they move into staffbot/texts (one catalog per language).
TEXTS: dict[str, dict[str, str]] = {
    "id": {
        "invalid": "Maaf, kode undangan ini tidak berlaku (salah, kedaluwarsa, atau sudah "
        "dipakai). Minta tautan undangan baru kepada admin staffbot Disdukcapil Tanggamus.",
        "private_only": "Buka tautan undangan di obrolan pribadi dengan bot, bukan di grup.",
        "ask_name": "Selamat datang di staffbot Disdukcapil Kabupaten Tanggamus.\nUndangan ini "
        "untuk peran {role}.\n(1/2) Ketik nama lengkap Anda sesuai data kepegawaian "
        "(atau /batal):",
        "ask_nip": "(2/2) Ketik NIP Anda (18 digit):",
        "bound": "Akun ini sekarang terhubung dengan {name} (NIP {nip}). Kartu tugas akan "
        "dikirim ke sini.",
        "created": "Terdaftar: {name}, NIP {nip}, peran {role}. Kartu tugas akan dikirim ke sini.",
        "cancelled": "Pendaftaran dibatalkan. Buka lagi tautan undangan untuk melanjutkan.",
        "inactive": "Maaf, data petugas untuk undangan ini tidak aktif. Hubungi admin.",
    },
    "en": {
        "invalid": "Sorry, this invite code is not valid (wrong, expired or already used). "
        "Ask the staffbot admin for a new invite link.",
        "private_only": "Open the invite link in a private chat with the bot, not in a group.",
        "ask_name": "Welcome to staffbot of Disdukcapil Kabupaten Tanggamus.\nThis invite is "
        "for the role {role}.\n(1/2) Type your full name as in the staff records (or /cancel):",
        "ask_nip": "(2/2) Type your NIP (18 digits):",
        "bound": "This account is now linked to {name} (NIP {nip}). Task cards will come here.",
        "created": "Registered: {name}, NIP {nip}, role {role}. Task cards will come here.",
        "cancelled": "Registration cancelled. Open the invite link again to continue.",
        "inactive": "Sorry, the staff record of this invite is not active. Contact the admin.",
    },
}


def text(key: str, lang: str, **params: Any) -> str:
    template = TEXTS.get(lang, TEXTS["id"]).get(key) or TEXTS["id"][key]
    return template.format(**params) if params else template


async def handle_stranger(turn: Turn, event: Incoming) -> Answer | None:
    """Handle an invite (or its questions) from an unknown account; None: not about one."""
    conversation = await turn.conversation()
    if isinstance(conversation, InviteSignup):
        return await _answer(turn, event, conversation)
    code = start_code(event)
    if code is None:
        return None
    if event.channel == ChannelName.TELEGRAM and event.chat_id != event.user_id:
        await _say(turn, text("private_only", turn.lang))
        return Answer()
    account = Account(event.channel, event.user_id, event.user_name)
    invite = await turn.run(ClaimInvite(code, account))
    if invite is None:
        await _say(turn, text("invalid", turn.lang))
        return Answer()
    if invite.staff_id is not None:
        staff = await turn.run(StaffById(invite.staff_id))
        if staff is None or not staff.active:
            await _say(turn, text("inactive", turn.lang))
            return Answer()
        await turn.run(BindAccount(invite.staff_id, account))
        turn.staff = staff
        await _say(turn, text("bound", turn.lang, name=staff.name, nip=staff.nip))
        await commands.welcome(turn)
        return Answer()
    assert invite.role is not None
    await turn.remember(InviteSignup(invite.code_hash, invite.role))
    await _say(turn, text("ask_name", turn.lang, role=_role_label(turn, invite.role)))
    return Answer()


def start_code(event: Incoming) -> str | None:
    """The code of ``/start <code>`` (a command, or a text where commands are plain text)."""
    if isinstance(event, CommandReceived):
        command, args = event.command.lower().lstrip("/"), event.args
    elif isinstance(event, TextReceived) and event.text.strip().startswith("/"):
        command, _, args = event.text.strip().lstrip("/").partition(" ")
        command = command.lower()
    else:
        return None
    if command.split("@", 1)[0] not in START_COMMANDS:
        return None
    code = args.strip().split(" ", 1)[0] if args.strip() else ""
    return code or None


async def _answer(turn: Turn, event: Incoming, state: InviteSignup) -> Answer:
    lang = turn.lang
    if isinstance(event, CommandReceived):
        name = event.command.lower().lstrip("/")
        if name in CANCEL_COMMANDS:
            await turn.forget()
            await _say(turn, text("cancelled", lang))
            return Answer()
        if name in START_COMMANDS and event.args.strip():
            # A fresh link while answering: start over with that code.
            await turn.forget()
            answer = await handle_stranger(turn, event)
            return answer or Answer()
    if not isinstance(event, TextReceived):
        await _ask(turn, state)
        return Answer()
    invite = await turn.run(FindInvite(state.code_hash))
    account = Account(event.channel, event.user_id, event.user_name)
    if invite is None or invite.used_by != account.used_by or invite.role is None:
        await turn.forget()
        await _say(turn, text("invalid", lang))
        return Answer()
    try:
        if state.field == "name":
            state = replace(state, name=check_name(event.text), field="nip")
            await turn.remember(state)
            await _ask(turn, state)
            return Answer()
        joined = JoinWithInvite(invite.code_hash, account, state.name, event.text)
        staff = await turn.run(joined)
    except StaffbotError as exc:
        await _say(turn, error_text(exc, lang))
        await _ask(turn, state)
        return Answer()
    await turn.forget()
    turn.staff = await turn.run(StaffById(staff.id))
    role = _role_label(turn, invite.role)
    await _say(turn, text("created", lang, name=staff.name, nip=staff.nip, role=role))
    await commands.welcome(turn)
    return Answer()


async def _ask(turn: Turn, state: InviteSignup) -> None:
    if state.field == "nip":
        await _say(turn, text("ask_nip", turn.lang))
    else:
        role = _role_label(turn, state.role)
        await _say(turn, text("ask_name", turn.lang, role=role))


def _role_label(turn: Turn, role: str) -> str:
    try:
        return turn.office.flow.role(role).label
    except KeyError:
        return role


async def _say(turn: Turn, message: str) -> None:
    await turn.reply(OutgoingMessage(text=esc(message)))

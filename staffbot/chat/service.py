"""The chat service: one entry point for every incoming event of every channel."""

from __future__ import annotations

import logging
from dataclasses import fields, replace
from typing import TYPE_CHECKING, Any

from staffbot.app.commands.chat import FirstTime
from staffbot.app.commands.conversations import CardPrompts
from staffbot.channels.base import (
    Answer,
    ChannelName,
    ChoicePressed,
    CommandReceived,
    FileReceived,
    Incoming,
    TextReceived,
)
from staffbot.chat import applicant, commands, invites, presses, prompts
from staffbot.chat import signing as chat_signing
from staffbot.chat.context import Turn, identify
from staffbot.errors import StaffbotError
from staffbot.messages import OutgoingMessage
from staffbot.richtext import esc
from staffbot.texts import error_text, t

if TYPE_CHECKING:
    from staffbot.app.bus import MessageBus, Tx

log = logging.getLogger(__name__)


def without_nul(event: Incoming) -> Incoming:
    """The event with NUL characters removed from every text field.

    Nothing a person means contains NUL, and PostgreSQL refuses it in text columns: a
    forged button or message carrying one would fail inside the database instead of
    being refused like any other junk.
    """
    changes: dict[str, Any] = {
        f.name: value.replace("\x00", "")
        for f in fields(event)
        if isinstance(value := getattr(event, f.name), str) and "\x00" in value
    }
    return replace(event, **changes) if changes else event


def looks_like_pin(text: str) -> bool:
    """Six digits and nothing else: the shape of a signing PIN."""
    text = text.strip()
    return len(text) == 6 and text.isdigit()


class ChatService:
    """Turns neutral events into use cases; every reply goes through the outbox.

    One event is one transaction: the change it causes, the conversation state and
    the replies commit together. A refused event rolls everything back and gets its
    error message in a transaction of its own. A redelivered update (same platform
    update id) is answered politely and changes nothing.
    """

    def __init__(self, bus: MessageBus) -> None:
        self.bus = bus
        self.office = bus.office

    async def handle(self, event: Incoming) -> Answer:
        event = without_nul(event)
        if isinstance(event, TextReceived):
            prompt = await chat_signing.pin_conversation(self.bus, event)
            if prompt is not None:
                return await chat_signing.answer_pin(self.bus, event, prompt)
        try:
            return await self.bus.atomically(lambda tx: self._turn(tx, event))
        except StaffbotError as exc:
            refusal = exc
        return await self.bus.atomically(lambda tx: self._refused(tx, event, refusal))

    async def _turn(self, tx: Tx, event: Incoming) -> Answer:
        if event.update_id is not None and not await tx.run(
            FirstTime(event.channel, event.update_id)
        ):
            return Answer()
        staff = await identify(tx, event)
        turn = Turn(tx, self.office, event, staff)
        if staff is None or not staff.active:
            return await self._stranger(turn, event)
        return await self._dispatch(turn, event)

    async def _dispatch(self, turn: Turn, event: Incoming) -> Answer:
        if isinstance(event, ChoicePressed):
            return await presses.press(turn, event)
        if isinstance(event, CommandReceived):
            return await commands.run(turn, event.command, event.args)
        conversation = await turn.conversation()
        if isinstance(event, FileReceived):
            return await prompts.file(turn, event, conversation)
        if isinstance(event, TextReceived):
            if conversation is not None:
                return await prompts.text(turn, event, conversation)
            if looks_like_pin(event.text) and event.message_id is not None:
                # A PIN sent when none was asked (a second prompt, after /batal) must not
                # stay readable in the chat either.
                await turn.delete_message(event.message_id)
                await turn.reply(OutgoingMessage(text=esc(t("security.pin_unexpected", turn.lang))))
                return Answer()
            await turn.reply(OutgoingMessage(text=esc(t("chat.unknown_text", turn.lang))))
        return Answer()

    async def _stranger(self, turn: Turn, event: Incoming) -> Answer:
        invited = await invites.handle_stranger(turn, event)
        if invited is not None:
            return invited
        if event.channel == ChannelName.WHATSAPP:
            return await applicant.handle(turn, event)
        if isinstance(event, ChoicePressed):
            return Answer(t("chat.token_unknown", turn.lang), alert=True)
        await turn.reply(OutgoingMessage(text=esc(t("chat.unknown_user", turn.lang))))
        return Answer()

    async def _refused(self, tx: Tx, event: Incoming, exc: StaffbotError) -> Answer:
        """Tell the person why; record the update so a redelivery is not retried."""
        if event.update_id is not None:
            await tx.run(FirstTime(event.channel, event.update_id))
        turn = Turn(tx, self.office, event, await identify(tx, event))
        text = error_text(exc, turn.lang)
        if (
            isinstance(event, TextReceived)
            and isinstance(conversation := await turn.conversation(), CardPrompts)
            and conversation.pin_tasks(event.text)
            and event.message_id is not None
        ):
            await turn.delete_message(event.message_id)
        if not isinstance(event, ChoicePressed):
            await turn.reply(OutgoingMessage(text=esc(text)))
        log.info(
            "refused %s from %s:%s: %s",
            type(event).__name__,
            event.channel,
            event.chat_id,
            exc.code,
        )
        return Answer(text, alert=True)

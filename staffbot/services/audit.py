"""Checking the audit trail's hash chain (`audit verify`)."""

from __future__ import annotations

from typing import Any

from staffbot.app.bus import Command, Handler
from staffbot.app.commands.audit import ChainReport, VerifyAuditChain
from staffbot.services.context import Office
from storage.audit_chain import CHAINED_FIELDS, GENESIS, chain_hash
from storage.uow import UnitOfWork


async def verify_chain(cmd: VerifyAuditChain, uow: UnitOfWork, office: Office) -> ChainReport:
    prev = GENESIS
    expected_seq = 1
    count = 0
    async for event in uow.audit.stream():
        count += 1
        if event.seq != expected_seq:
            return ChainReport(False, count, event.seq, f"gap: expected event {expected_seq}")
        if event.prev_hash != prev:
            return ChainReport(False, count, event.seq, "link to the previous event broken")
        fields = {name: getattr(event, name) for name in CHAINED_FIELDS}
        if chain_hash(prev, fields) != event.hash:
            return ChainReport(False, count, event.seq, "event content does not match its hash")
        prev = event.hash
        expected_seq += 1
    head = await uow.audit.head()
    if head is None or head.seq != count or head.hash != prev:
        return ChainReport(
            False,
            count,
            count + 1,
            "chain head does not match the last event (events deleted at the end?)",
        )
    return ChainReport(True, count)


HANDLERS: dict[type[Command[Any]], Handler] = {VerifyAuditChain: verify_chain}

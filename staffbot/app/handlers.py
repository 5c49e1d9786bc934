"""Which function handles which command: the bus's table, built at start (never at import).

One entry per command; a feature module lists its own in a ``HANDLERS`` (one unit of work
each) or ``PROCESSES`` (several transactions, given the bus) mapping, and this module only
joins them.
"""

from __future__ import annotations

from typing import Any

from staffbot.app.bus import Command, Handler, Process, ProcessHandler


def handlers() -> dict[type[Command[Any]], Handler]:
    from staffbot.services import (
        alert_actions,
        audit,
        batches,
        calendar_admin,
        chat_state,
        claims,
        digests,
        escalation,
        files,
        intake,
        invites,
        notify,
        office_view,
        purge,
        queries,
        rekap,
        reports,
        roster,
        signing,
        staff,
        transitions,
        verification,
        web_auth,
        web_views,
        whatsapp_state,
    )

    table: dict[type[Command[Any]], Handler] = {}
    for module in (
        alert_actions,
        audit,
        batches,
        calendar_admin,
        chat_state,
        claims,
        digests,
        escalation,
        files,
        intake,
        invites,
        notify,
        office_view,
        purge,
        queries,
        rekap,
        reports,
        roster,
        signing,
        staff,
        transitions,
        verification,
        web_auth,
        web_views,
        whatsapp_state,
    ):
        table.update(getattr(module, "HANDLERS", {}))
    return table


def processes() -> dict[type[Process[Any]], ProcessHandler]:
    from staffbot.services import escalation, purge, roster, signing

    table: dict[type[Process[Any]], ProcessHandler] = {}
    for module in (escalation, purge, roster, signing):
        table.update(getattr(module, "PROCESSES", {}))
    return table

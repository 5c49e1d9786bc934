"""Which function handles which command: the bus's table, built at start (never at import).

One entry per command; a feature module lists its own in a ``HANDLERS`` (one unit of work
each) or ``PROCESSES`` (several transactions, given the bus) mapping, and this module only
joins them. A command handled twice, or a feature module that lists none, is a wiring
mistake found when the app is built.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import Any

from staffbot.app.bus import Command, Handler, Process, ProcessHandler

#: The feature modules of staffbot/services that handle commands.
FEATURES = (
    "alert_actions",
    "applicant_files",
    "audit",
    "batches",
    "calendar_admin",
    "chat_state",
    "claims",
    "confirm_signed",
    "deliveries",
    "delivery_alerts",
    "digests",
    "escalation",
    "files",
    "intake",
    "invites",
    "notify",
    "office_view",
    "purge",
    "queries",
    "rekap",
    "reports",
    "results",
    "roster",
    "signing",
    "staff",
    "task_digest",
    "status_page",
    "transitions",
    "verification",
    "web_auth",
    "web_views",
    "whatsapp_state",
)


def _features() -> list[ModuleType]:
    modules = [import_module(f"staffbot.services.{name}") for name in FEATURES]
    for module in modules:
        if not hasattr(module, "HANDLERS") and not hasattr(module, "PROCESSES"):
            raise LookupError(f"{module.__name__} lists no HANDLERS or PROCESSES")
    return modules


def handlers() -> dict[type[Command[Any]], Handler]:
    table: dict[type[Command[Any]], Handler] = {}
    for module in _features():
        _join(table, getattr(module, "HANDLERS", {}), module)
    return table


def processes() -> dict[type[Process[Any]], ProcessHandler]:
    table: dict[type[Process[Any]], ProcessHandler] = {}
    for module in _features():
        _join(table, getattr(module, "PROCESSES", {}), module)
    return table


def _join(table: dict[Any, Any], entries: dict[Any, Any], module: ModuleType) -> None:
    twice = table.keys() & entries.keys()
    if twice:
        names = ", ".join(sorted(c.__name__ for c in twice))
        raise LookupError(f"{module.__name__} handles {names} again")
    table.update(entries)

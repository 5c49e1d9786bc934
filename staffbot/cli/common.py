"""The command line's plumbing: async verbs, `--json`, errors as a message and exit 1,
the app a verb works on, times and dates typed on the command line.

Every verb turns its arguments into commands for ``app.bus``; nothing here (or in any
verb module) imports ``storage``. The bootstrap that builds the app is imported when a
verb runs, so ``--help`` does not load the database layer.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
from pydantic import ValidationError

from staffbot import cli_output as out
from staffbot.app.commands.staff import RoleHolders
from staffbot.errors import ConfigurationError, StaffbotError
from staffbot.settings import Settings, settings_problems

if TYPE_CHECKING:
    from staffbot.app.bus import MessageBus
    from staffbot.bootstrap import App
    from staffbot.clock import Clock

P = ParamSpec("P")
T = TypeVar("T")

JsonOpt = Annotated[bool, typer.Option("--json", help="Keluaran JSON untuk skrip.")]


def group(help: str) -> typer.Typer:
    """A noun's group of verbs (`staff add`, `staff list` ...)."""
    return typer.Typer(help=help, no_args_is_help=True)


def command(fn: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, T]:
    """Run an async verb; a StaffbotError becomes a clear message and exit code 1."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return asyncio.run(fn(*args, **kwargs))
        except ValidationError as exc:  # the settings (environment, .env) are wrong
            out.fail("Pengaturan tidak valid:\n" + "\n".join(settings_problems(exc)))
            raise typer.Exit(2) from exc
        except StaffbotError as exc:
            from staffbot.texts import error_text

            out.fail(error_text(exc, Settings().language))
            raise typer.Exit(1) from exc

    return wrapper


@asynccontextmanager
async def opened(
    settings: Settings | None = None, *, clock: Clock | None = None
) -> AsyncIterator[App]:
    """The app a verb works on: the database open (schema up to date), the bus built."""
    from staffbot.bootstrap import open_app

    async with open_app(settings, clock=clock) as app:
        yield app


async def default_actor(bus: MessageBus, role: str) -> str:
    """The command line acts as the only holder of a role when --as is not given."""
    holders = await bus.handle(RoleHolders(role))
    if len(holders) != 1:
        raise ConfigurationError(problem=f"give --as NIP: role {role} has {len(holders)} holders")
    return holders[0].nip


def parse_instant(text: str | None, settings: Settings) -> datetime:
    """An ISO time from the command line; without a zone it is office time (WIB)."""
    if not text:
        return datetime.now(settings.tz)
    try:
        at = datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"bukan waktu ISO: {text!r} (mis. 2026-11-26T09:00)") from exc
    return at if at.tzinfo is not None else at.replace(tzinfo=settings.tz)


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"bukan tanggal: {text!r} (YYYY-MM-DD)") from exc

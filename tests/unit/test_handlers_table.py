"""The bus's table: every command has exactly one handler, and the commands stay
storage-free (an inbound adapter importing them loads no database code)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path

import staffbot.app.commands as commands_package
from staffbot.app.command import Command, Process
from staffbot.app.handlers import handlers, processes

ROOT = Path(__file__).resolve().parents[2]


def _command_types() -> set[type]:
    found: set[type] = set()
    for info in pkgutil.iter_modules(commands_package.__path__):
        module = importlib.import_module(f"{commands_package.__name__}.{info.name}")
        for _, value in inspect.getmembers(module, inspect.isclass):
            if value.__module__ == module.__name__ and issubclass(value, Command | Process):
                found.add(value)
    return found


def test_every_command_has_exactly_one_handler() -> None:
    handled = set(handlers()) | set(processes())
    declared = _command_types()
    assert sorted(c.__name__ for c in declared - handled) == []
    # Besides the public commands, only a process's own private steps (the signing's
    # prepare and apply, which no adapter may build) are handled.
    internal = handled - declared
    assert all(c.__name__.startswith("_") and "services" in c.__module__ for c in internal)
    assert not set(handlers()) & set(processes())


def test_the_command_modules_load_no_storage() -> None:
    names = [
        f"staffbot.app.commands.{i.name}" for i in pkgutil.iter_modules(commands_package.__path__)
    ]
    probe = (
        "import importlib, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'storage', 'sqlalchemy', 'sqlmodel', 'telegram', 'aiogram', 'fpdf', 'pyhanko'})\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""

"""The read side of the Berita Acara: which cases wait for one."""

from __future__ import annotations

from dataclasses import dataclass

from staffbot.app.command import Query
from staffbot.app.commands.cases import Who


@dataclass(frozen=True)
class WaitingPlace:
    #: The kecamatan, or the UPT's name when that UPT serves several kecamatan.
    kecamatan: str
    #: Case numbers, oldest first.
    cases: tuple[str, ...]


@dataclass(frozen=True)
class WaitingForBa(Query[list[WaitingPlace]]):
    """Cases waiting at a collecting step, per kecamatan or shared UPT (what "Buat BA"
    lists); with ``who``: only those that person may put into a Berita Acara (not a
    colleague's)."""

    who: Who | None = None

"""Document numbers, taken inside the transaction that makes the document.

The per-year sequence of a kind (surat, ba, rekap) lives in ``document_sequence``; the
number is formatted with the office's pattern (STAFFBOT_NUMBER_*). A transaction that
rolls back gives its number back, so the numbers of the documents that exist have no
gaps and never repeat, whatever runs at the same time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from staffbot.errors import ConfigurationError
from staffbot.numbering import format_number
from staffbot.services.context import Office
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class TakenNumber:
    number: str
    year: int
    seq: int


async def take_number(uow: UnitOfWork, office: Office, kind: str, at: datetime) -> TakenNumber:
    """The next number of ``kind`` in the office's year of ``at``."""
    pattern = office.reference.numbers.get(kind)
    if pattern is None:
        raise ConfigurationError(problem=f"no numbering pattern for {kind!r} documents")
    local = office.local(at)
    seq = await uow.counters.next_in_year(kind, local.year)
    try:
        number = format_number(pattern, seq, local.year, local.month)
    except ValueError as exc:
        raise ConfigurationError(problem=str(exc)) from exc
    return TakenNumber(number=number, year=local.year, seq=seq)

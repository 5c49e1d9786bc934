"""The ports the use cases see of the document side: the kit that renders, and the signer.

Light on purpose (no fpdf2, no pyHanko): the bot imports this at start-up, while the
work itself runs wherever the document engine runs its jobs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from staffbot.documents.engine import DocumentEngine
from staffbot.documents.model import Letterhead, SignedPdf, SignRequest


class Signer(Protocol):
    """The one signer port: the local PAdES signer and the BSrE client implement it."""

    async def sign(self, pdf: bytes, request: SignRequest) -> SignedPdf:
        """Sign once. Raises ``SignerRefused`` (subclasses say why),
        ``SignOutcomeUnknown`` (never retry automatically) or ``SigningError``."""
        ...


@dataclass(frozen=True)
class DocumentKit:
    """What every rendering needs: the letterhead, and the engine that renders."""

    letterhead: Letterhead
    engine: DocumentEngine

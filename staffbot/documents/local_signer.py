"""The local PAdES signer as the services see it (the port is :class:`kit.Signer`).

Light on purpose (no pyHanko here): the bot process builds the signer at start-up,
while the signature itself (:func:`staffbot.documents.signing.sign_with_pkcs12`) runs
wherever the document engine runs its jobs: a worker process under `run`, so that a
signature never holds the event loop (or the GIL) while other staff press buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from staffbot.documents.engine import DocumentEngine, ThreadEngine
from staffbot.documents.kit import Signer
from staffbot.documents.model import OFFICE_ZONE, Language, SignedPdf, SignRequest

__all__ = ["LocalPadesSigner", "Signer"]

Now = Callable[[], datetime]


def _system_now() -> datetime:
    return datetime.now(UTC)


class LocalPadesSigner:
    """PAdES signing with the key in the office PKCS#12 (see ``pki.init_office_pki``).

    The file is opened for every signature with the passphrase of the request; a wrong
    one raises :class:`~staffbot.documents.errors.PassphraseWrong`. Nothing of the key
    or the passphrase is kept. Safe to share between tasks: no mutable state.
    """

    backend = "local"

    def __init__(
        self,
        pkcs12_path: Path,
        *,
        now: Now = _system_now,
        language: Language = "id",
        tz: tzinfo = OFFICE_ZONE,
        engine: DocumentEngine | None = None,
    ) -> None:
        self._path = pkcs12_path
        self._now = now
        self._language: Language = language
        self._tz = tz
        self._engine = engine or ThreadEngine()

    async def sign(self, pdf: bytes, request: SignRequest) -> SignedPdf:
        return await self._engine.sign_local(
            self._path, pdf, request, signed_at=self._now(), language=self._language, tz=self._tz
        )

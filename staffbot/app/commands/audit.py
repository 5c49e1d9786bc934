"""The audit trail: checking its hash chain (`audit verify`)."""

from __future__ import annotations

from dataclasses import dataclass

from staffbot.app.command import Query


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    #: The first event whose hash or link does not match (None when ok).
    broken_at: int | None = None
    problem: str | None = None


@dataclass(frozen=True)
class VerifyAuditChain(Query[ChainReport]):
    """Every event's hash, its link to the one before, and the chain's head."""

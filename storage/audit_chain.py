"""The audit trail's hash chain: each event's hash covers its fields and the previous hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64

#: The fields a hash covers, in a fixed order.
CHAINED_FIELDS = (
    "seq",
    "at",
    "kind",
    "case_id",
    "ba_id",
    "task_id",
    "actor_id",
    "actor",
    "on_behalf_of",
    "action",
    "from_step",
    "to_step",
    "note",
    "data",
)


def chain_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    body = {name: _canonical(fields.get(name)) for name in CHAINED_FIELDS}
    payload = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + "\n" + payload).encode("utf-8")).hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in an audit event")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value

"""A chat's prompt in progress, as typed records: the intake form, a reason, the PIN, an
attachment, the Berita Acara pick, an invite's sign-up.

Stored as a kind and a JSON object (:func:`to_stored` / :func:`from_stored`); a stored
shape that no longer fits its record (an old version, a hand edit) reads as no
conversation, so the person simply starts again instead of meeting a crash.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

#: The intake form's questions, in order.
INTAKE_FIELDS = ("name", "nik", "wa", "kecamatan", "layanan", "keluhan", "confirm")


@dataclass(frozen=True)
class IntakeState:
    """The call center's intake form: the question being asked and the answers so far."""

    kind: ClassVar[str] = "intake"
    field: str = "name"
    name: str = ""
    nik: str = ""
    wa: str = ""
    kecamatan: str = ""
    layanan: str = ""
    keluhan: str = ""
    #: One answer being corrected from the summary: once given, back to the summary.
    review: bool = False

    def __post_init__(self) -> None:
        if self.field not in INTAKE_FIELDS:
            raise ValueError(f"no intake question {self.field!r}")


@dataclass(frozen=True)
class ReasonPrompt:
    """A Tolak (or another action) waiting for its reason."""

    kind: ClassVar[str] = "reason"
    task_id: int
    action: str


@dataclass(frozen=True)
class PinPrompt:
    """Signing waiting for the PIN: one task, or every one "sign all" listed."""

    kind: ClassVar[str] = "pin"
    task_ids: tuple[int, ...]
    action: str = "sign"


@dataclass(frozen=True)
class AttachmentPrompt:
    """An action waiting for its result document (a file, or "make the letter")."""

    kind: ClassVar[str] = "attachment"
    task_id: int
    action: str
    number: str


@dataclass(frozen=True)
class BaPick:
    """The Kasi picking which waiting cases of a kecamatan go into a Berita Acara."""

    kind: ClassVar[str] = "ba_pick"
    kecamatan: str
    numbers: tuple[str, ...]


@dataclass(frozen=True)
class InviteSignup:
    """An invited newcomer answering name and NIP."""

    kind: ClassVar[str] = "invite"
    code_hash: str
    role: str
    field: str = "name"
    name: str = ""

    def __post_init__(self) -> None:
        if self.field not in ("name", "nip"):
            raise ValueError(f"no sign-up question {self.field!r}")


ConversationRecord = (
    IntakeState | ReasonPrompt | PinPrompt | AttachmentPrompt | BaPick | InviteSignup
)

_RECORDS: dict[str, type[ConversationRecord]] = {
    cls.kind: cls
    for cls in (IntakeState, ReasonPrompt, PinPrompt, AttachmentPrompt, BaPick, InviteSignup)
}
_TYPES: dict[str, type] = {"int": int, "str": str, "bool": bool}


def to_stored(record: ConversationRecord) -> tuple[str, dict[str, Any]]:
    """(kind, JSON object) of a record."""
    return record.kind, {
        f.name: list(value) if isinstance(value := getattr(record, f.name), tuple) else value
        for f in dataclasses.fields(record)
    }


def from_stored(kind: str, state: object) -> ConversationRecord | None:
    """The record a stored (kind, state) holds; None if it does not fit one."""
    cls = _RECORDS.get(kind)
    if cls is None or not isinstance(state, dict):
        return None
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in state:
            if f.default is dataclasses.MISSING:
                return None
            continue
        value = _checked(str(f.type), state[f.name])
        if value is None:
            return None
        values[f.name] = value
    if set(state) - set(values):
        return None
    try:
        return cls(**values)
    except ValueError:
        return None


def _checked(annotation: str, value: object) -> object | None:
    """``value`` if it has the annotated type (a JSON list for a tuple), else None."""
    if annotation.startswith("tuple[") and isinstance(value, list):
        item = _TYPES[annotation.removeprefix("tuple[").split(",")[0]]
        items = tuple(value)
        return items if all(type(v) is item for v in items) else None
    expected = _TYPES.get(annotation)
    return value if expected is not None and type(value) is expected else None

"""A chat's prompt in progress, as typed records: the intake form, the cards' prompts (a
reason, the PIN, a result document: several at once), the Berita Acara pick, an invite's
sign-up.

Stored as a kind and a JSON object (:func:`to_stored` / :func:`from_stored`); a stored
shape that no longer fits its record (an old version, a hand edit) reads as no
conversation, so the person simply starts again instead of meeting a crash.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
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


#: What a card's action can wait for before it is done.
NEEDS = ("reason", "pin", "attachment")


@dataclass(frozen=True)
class Waiting:
    """One card's action waiting in the chat: for a reason (Tolak), the PIN (Tanda
    Tangani) or its result document (Ajukan TTE). ``number`` names the case or BA in
    replies ("" for the documents of "sign all", whose replies name them one by one)."""

    need: str
    task_id: int
    action: str
    number: str = ""

    def __post_init__(self) -> None:
        if self.need not in NEEDS:
            raise ValueError(f"no prompt for {self.need!r}")


@dataclass(frozen=True)
class CardPrompts:
    """The cards' prompts open in one chat, oldest first. Several may wait at once (a
    reason for one case, a result for another, PINs for three): each is answered on
    behalf of its own card, and pressing a card again replaces only that card's."""

    kind: ClassVar[str] = "cards"
    waiting: tuple[Waiting, ...] = ()

    def adding(self, *new: Waiting) -> CardPrompts:
        tasks = {w.task_id for w in new}
        return CardPrompts((*(w for w in self.waiting if w.task_id not in tasks), *new))

    def without(self, task_ids: Sequence[int]) -> CardPrompts:
        return CardPrompts(tuple(w for w in self.waiting if w.task_id not in set(task_ids)))

    def needing(self, need: str) -> tuple[Waiting, ...]:
        return tuple(w for w in self.waiting if w.need == need)

    def of_task(self, task_id: int, need: str) -> Waiting | None:
        return next((w for w in self.waiting if (w.task_id, w.need) == (task_id, need)), None)

    def pin_tasks(self, text: str) -> tuple[int, ...]:
        """The tasks a typed text signs: every card waiting for a PIN, when the text is
        digits (a PIN of any length: the signing process judges its shape), or any text
        while no card waits for a reason."""
        pins = self.needing("pin")
        if pins and (text.strip().isdigit() or not self.needing("reason")):
            return tuple(w.task_id for w in pins)
        return ()

    @property
    def masks_input(self) -> bool:
        """What is typed next is a PIN (the web page masks its text box)."""
        return bool(self.needing("pin")) and not self.needing("reason")


@dataclass(frozen=True)
class SignPick:
    """The documents a signer picked from the digest to sign with one PIN: all of
    ``task_ids`` except those left ``out`` (for now)."""

    kind: ClassVar[str] = "sign_pick"
    task_ids: tuple[int, ...]
    numbers: tuple[str, ...]
    places: tuple[str, ...]
    out: tuple[int, ...] = ()

    @property
    def chosen(self) -> tuple[int, ...]:
        return tuple(i for i in self.task_ids if i not in self.out)


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


ConversationRecord = IntakeState | CardPrompts | SignPick | BaPick | InviteSignup

_RECORDS: dict[str, type[ConversationRecord]] = {
    cls.kind: cls for cls in (IntakeState, CardPrompts, SignPick, BaPick, InviteSignup)
}
_TYPES: dict[str, type] = {"int": int, "str": str, "bool": bool}
#: Records stored inside a record (as JSON objects).
_NESTED: dict[str, type[Any]] = {"Waiting": Waiting}


def to_stored(record: ConversationRecord) -> tuple[str, dict[str, Any]]:
    """(kind, JSON object) of a record."""
    return record.kind, _fields_of(record)


def _fields_of(record: Any) -> dict[str, Any]:
    return {
        f.name: [_fields_of(v) if dataclasses.is_dataclass(v) else v for v in value]
        if isinstance(value := getattr(record, f.name), tuple)
        else value
        for f in dataclasses.fields(record)
    }


def from_stored(kind: str, state: object) -> ConversationRecord | None:
    """The record a stored (kind, state) holds; None if it does not fit one."""
    cls = _RECORDS.get(kind)
    if cls is None:
        return None
    record: ConversationRecord | None = _build(cls, state)
    return record


def _build(cls: type[Any], state: object) -> Any:
    """``cls`` made of a JSON object, or None if it does not fit."""
    if not isinstance(state, dict):
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
        name = annotation.removeprefix("tuple[").split(",")[0]
        if name in _NESTED:
            built = tuple(_build(_NESTED[name], v) for v in value)
            return built if all(b is not None for b in built) else None
        item = _TYPES[name]
        items = tuple(value)
        return items if all(type(v) is item for v in items) else None
    expected = _TYPES.get(annotation)
    return value if expected is not None and type(value) is expected else None

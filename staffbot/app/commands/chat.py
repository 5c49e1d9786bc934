"""Commands of a chat turn: who is talking, dedupe, conversation records, button tokens,
replies, and the small reads a prompt needs. Storage-free: the chat imports this only.

A button token carries a typed :data:`Intent`: a flow action (a step's action key, acted on
the token's task) or a :class:`MenuVerb` (the chat's own buttons). Both are stored in the
token's one ``action`` column; the flow validator refuses an action key spelled like a menu
verb (``flows.validate.UI_VERBS``), so :func:`intent_of` reads every stored value one way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from staffbot.app.command import Command, Query
from staffbot.app.commands.conversations import ConversationRecord
from staffbot.app.commands.sla import NUDGE, REASSIGN, REASSIGN_TO, TAKEOVER
from staffbot.messages import Choice, OutgoingMessage


class MenuVerb(StrEnum):
    """What a button that is not a step's action does (the value is what the token stores)."""

    FORM = "form"
    OPEN_TASK = "open_task"
    MENU = "menu"
    BA_PLACE = "ba_place"
    BA_ALL = "ba_all"
    MAKE_SURAT = "make_surat"
    SIGN_ALL = "sign_all"
    SIGN_PICK = "sign_pick"
    ALERT_NUDGE = NUDGE
    ALERT_TAKEOVER = TAKEOVER
    ALERT_REASSIGN = REASSIGN
    ALERT_REASSIGN_TO = REASSIGN_TO


ALERT_VERBS = frozenset(
    {
        MenuVerb.ALERT_NUDGE,
        MenuVerb.ALERT_TAKEOVER,
        MenuVerb.ALERT_REASSIGN,
        MenuVerb.ALERT_REASSIGN_TO,
    }
)


@dataclass(frozen=True)
class FlowAction:
    """A step's action (``approve``, ``sign`` ...), applied to the token's task."""

    key: str


Intent = FlowAction | MenuVerb


def intent_of(stored: str) -> Intent:
    """The one reading of a token's stored action."""
    try:
        return MenuVerb(stored)
    except ValueError:
        return FlowAction(stored)


def stored_action(intent: Intent) -> str:
    return intent.key if isinstance(intent, FlowAction) else intent.value


# -- who is talking -----------------------------------------------------------------


@dataclass(frozen=True)
class StaffView:
    """The staff member behind a chat event."""

    id: int
    name: str
    nip: str
    active: bool
    language: str | None = None
    #: Task cards one per document ("each") or gathered in a digest ("digest").
    cards: str = "each"


@dataclass(frozen=True)
class IdentifyStaff(Query[StaffView | None]):
    """By the platform's user id (a web chat's user id is the staff id)."""

    channel: str
    user_id: str


@dataclass(frozen=True)
class StaffById(Query[StaffView | None]):
    staff_id: int


@dataclass(frozen=True)
class RolesOf(Query[frozenset[str]]):
    staff_id: int


@dataclass(frozen=True)
class HoldsRole(Query[bool]):
    """The role is the staff member's own, or of someone absent who delegated to them."""

    staff_id: int
    role: str


@dataclass(frozen=True)
class FirstTime(Command[bool]):
    """Record a platform update id; False if it was handled before (a redelivery)."""

    channel: str
    update_id: str


# -- conversation state -------------------------------------------------------------


@dataclass(frozen=True)
class ReadConversation(Query[ConversationRecord | None]):
    """The prompt in progress in a chat; an unknown or old shape reads as none."""

    chat_key: str


@dataclass(frozen=True)
class SaveConversation(Command[None]):
    chat_key: str
    record: ConversationRecord
    staff_id: int | None


@dataclass(frozen=True)
class EndConversation(Command[None]):
    chat_key: str


# -- buttons ------------------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    label: str
    intent: Intent
    target: str | None = None
    task_id: int | None = None


@dataclass(frozen=True)
class IssueButtons(Command[tuple[Choice, ...]]):
    """One opaque token per button, bound to the staff member."""

    staff_id: int
    buttons: tuple[Button, ...]


@dataclass(frozen=True)
class ButtonView:
    token: str
    staff_id: int
    intent: Intent
    task_id: int | None
    target: str | None
    used: bool


@dataclass(frozen=True)
class LookUpButton(Query[ButtonView | None]):
    token: str


@dataclass(frozen=True)
class UseButton(Command[bool]):
    """Mark the token used; False if it was used before."""

    token: str


# -- replies ------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueReply(Command[None]):
    """A message to a chat, delivered by the outbox (``key``: its idempotency key)."""

    channel: str
    chat_id: str
    staff_id: int | None
    message: OutgoingMessage
    key: str
    kind: str = "text"
    case_id: int | None = None
    task_id: int | None = None


@dataclass(frozen=True)
class QueueDelete(Command[None]):
    """Ask the platform to delete one of the person's messages (the PIN)."""

    channel: str
    chat_id: str
    staff_id: int | None
    message_id: str
    key: str


@dataclass(frozen=True)
class SpendPrompt(Command[bool]):
    """The chat's open prompt (the latest reply of kind "prompt") was answered: edit its
    choices away, with ``line`` (what was chosen) added; WhatsApp, which cannot edit,
    gets that line as a reply quoting the prompt. False: no prompt was open.
    ``task_id``: the prompt a card's action opened (several may be open at once)."""

    channel: str
    chat_id: str
    staff_id: int | None
    line: str
    key: str
    task_id: int | None = None


@dataclass(frozen=True)
class RedrawPrompt(Command[bool]):
    """The chat's open prompt shown anew (``message``: new text and choices) and still
    open: a checklist whose ticks changed. WhatsApp, which cannot edit, gets the last
    paragraph of the text as a reply quoting the prompt (its buttons stay usable)."""

    channel: str
    chat_id: str
    staff_id: int | None
    message: OutgoingMessage
    key: str


# -- tasks a chat prompt is about ------------------------------------------------------


@dataclass(frozen=True)
class TaskView:
    id: int
    step: str
    role: str
    #: The case's (or the Berita Acara's) number.
    number: str
    #: The case's kecamatan ("" for a Berita Acara's task).
    kecamatan: str
    #: A Berita Acara's task (it carries cases), not a single case's.
    is_batch: bool


@dataclass(frozen=True)
class TaskAtHand(Query[TaskView | None]):
    """An open task a button is about (None: no such task). A closed one is refused with
    who already acted; with ``staff_id``, one a colleague has taken is refused by name."""

    task_id: int
    staff_id: int | None = None


@dataclass(frozen=True)
class ResendCard(Command[None]):
    """/tugas's "open": the task's card again, with fresh buttons, to this person."""

    task_id: int
    staff_id: int
    key_suffix: str


@dataclass(frozen=True)
class MakeSurat(Command[int]):
    """The standard reply letter for an attachment prompt; the stored document's id."""

    task_id: int


@dataclass(frozen=True)
class StoreResult(Command[int]):
    """A staff member's file answering an attachment prompt; the stored document's id."""

    task_id: int
    staff_id: int
    data: bytes
    filename: str


@dataclass(frozen=True)
class WaitingForBa(Query[dict[str, tuple[str, ...]]]):
    """Case numbers waiting for a Berita Acara that this staff member may make, per kecamatan."""

    staff_id: int


@dataclass(frozen=True)
class BaKecamatan(Query[str | None]):
    number: str


# -- the applicant on WhatsApp ----------------------------------------------------------


@dataclass(frozen=True)
class ApplicantCase:
    case_id: int
    number: str


@dataclass(frozen=True)
class FindApplicantCase(Query[ApplicantCase | None]):
    """The applicant's open case, by their WhatsApp number (normalised)."""

    phone: str


@dataclass(frozen=True)
class ReceiveApplicantFile(Command[None]):
    """Store the applicant's file on the case; a case waiting for files resumes its clock
    and the holders get the card again."""

    case_id: int
    data: bytes
    filename: str

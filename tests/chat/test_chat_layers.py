"""The chat is an inbound adapter: it imports no storage, its conversations are typed
records (a stored shape that no longer fits reads as none), and a button token's intent
is either a flow action or a menu verb, never both."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from flows.errors import FlowDefinitionError
from flows.model import Action, Flow, Role, Step
from flows.validate import UI_VERBS, validate_flow
from flows.working_time import WorkingTime
from staffbot.app.commands.chat import FlowAction, MenuVerb, intent_of, stored_action
from staffbot.app.commands.conversations import (
    BaPick,
    CardPrompts,
    ConversationRecord,
    IntakeState,
    InviteSignup,
    Waiting,
    from_stored,
    to_stored,
)

CHAT = Path(__file__).resolve().parents[2] / "staffbot" / "chat"


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_chat_module_imports_storage() -> None:
    modules = sorted(CHAT.glob("*.py"))
    assert modules
    offenders = {
        p.name: sorted(n for n in _imported(p) if n == "storage" or n.startswith("storage."))
        for p in modules
    }
    assert {k: v for k, v in offenders.items() if v} == {}


RECORDS: list[ConversationRecord] = [
    IntakeState(),
    IntakeState(field="confirm", name="Siti", nik="1806", wa="62812", keluhan=""),
    CardPrompts(),
    CardPrompts(
        (
            Waiting("reason", 7, "reject", "PO-2026-00007"),
            Waiting("pin", 3, "sign"),
            Waiting("attachment", 5, "submit_tte", "PO-2026-00001"),
        )
    ),
    BaPick("Gisting", ("PO-1", "PO-2")),
    InviteSignup("hash", "operator", field="nip", name="Budi"),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_a_record_reads_back_as_it_was_stored(record: ConversationRecord) -> None:
    kind, state = to_stored(record)
    assert from_stored(kind, state) == record


@pytest.mark.parametrize(
    ("kind", "state"),
    [
        ("intake", {"field": "name", "data": {}}),  # the shape before typed records
        ("intake", {"field": "nowhere"}),
        ("reason", {"task_id": 7, "action": "reject"}),  # a kind of an earlier version
        ("cards", {"waiting": [{"need": "reason", "task_id": "7", "action": "reject"}]}),
        ("cards", {"waiting": [{"need": "fax", "task_id": 7, "action": "reject"}]}),
        ("cards", {"waiting": [{"need": "pin", "action": "sign"}]}),
        ("cards", {"waiting": "not a list"}),
        ("cards", "not an object"),
        ("invite", {"code_hash": "h", "role": "r", "field": "age"}),
        ("something_else", {}),
    ],
)
def test_a_stored_shape_that_does_not_fit_reads_as_no_conversation(
    kind: str, state: object
) -> None:
    assert from_stored(kind, state) is None


def test_menu_verbs_are_the_names_flows_may_not_use() -> None:
    assert {v.value for v in MenuVerb} == UI_VERBS


def test_a_tokens_stored_action_reads_back_as_its_intent() -> None:
    for verb in MenuVerb:
        assert intent_of(stored_action(verb)) is verb
    assert intent_of(stored_action(FlowAction("approve"))) == FlowAction("approve")


def _flow_with_action(key: str) -> Flow:
    return Flow(
        key="tiny",
        title="Tiny",
        roles=(Role("a", "A"), Role("b", "B")),
        steps=(
            Step("s1", 1, "satu", "a", (Action(key, "Go", "s2", "Gone"),)),
            Step("s2", 2, "dua", "b", (Action("done", "Done", None, "Done", closes_case=True),)),
        ),
        start="s1",
        default_sla=WorkingTime(days=1),
    )


@pytest.mark.parametrize("verb", sorted(UI_VERBS))
def test_a_flow_action_cannot_shadow_a_menu_verb(verb: str) -> None:
    with pytest.raises(FlowDefinitionError) as caught:
        validate_flow(_flow_with_action(verb))
    assert f"step 's1' (SOP 1), action {verb!r}: the key is a chat button verb" in str(caught.value)
    assert validate_flow(_flow_with_action("go")).key == "tiny"


def test_card_prompts_wait_side_by_side_and_a_pin_goes_to_the_pin_cards() -> None:
    reason, pin_a, pin_b = (
        Waiting("reason", 1, "reject", "PO-1"),
        Waiting("pin", 2, "sign", "PO-2"),
        Waiting("pin", 3, "sign", "PO-3"),
    )
    prompts = CardPrompts().adding(reason, pin_a).adding(pin_b)
    assert prompts.pin_tasks("123456") == (2, 3) and prompts.pin_tasks("rusak") == ()
    assert not prompts.masks_input  # a reason may be typed next
    # pressing a card again replaces only that card's prompt
    again = prompts.adding(Waiting("reason", 2, "reject", "PO-2"))
    assert [(w.task_id, w.need) for w in again.waiting] == [
        (1, "reason"),
        (3, "pin"),
        (2, "reason"),
    ]
    only_pins = prompts.without([1])
    assert only_pins.masks_input and only_pins.pin_tasks("12") == (2, 3)

"""Flow validation: an invalid flow fails loudly at start-up, naming the step."""

from __future__ import annotations

from collections import deque

from flows.errors import FlowDefinitionError
from flows.model import HOLDER, SUPERVISOR, Escalation, Flow, Step

#: The chat's own button verbs (staffbot.app.commands.chat.MenuVerb). A button token
#: stores a flow action and a menu verb in one column: an action spelled like a verb
#: would be read as the verb, so a flow may not use these keys.
UI_VERBS = frozenset(
    {
        "form",
        "open_task",
        "menu",
        "ba_place",
        "ba_all",
        "make_surat",
        "sign_all",
        "sign_pick",
        "alert_nudge",
        "alert_takeover",
        "alert_reassign",
        "alert_reassign_to",
    }
)


def validate_flow(flow: Flow) -> Flow:
    """Return ``flow`` unchanged if it is sound, else raise FlowDefinitionError."""
    problems = list(_problems(flow))
    if problems:
        raise FlowDefinitionError(flow=flow.key, problem="; ".join(problems))
    return flow


def _problems(flow: Flow) -> list[str]:
    out: list[str] = []
    role_keys = {role.key for role in flow.roles}
    step_keys = [step.key for step in flow.steps]
    if len(role_keys) != len(flow.roles):
        out.append("duplicate role keys")
    for key in {k for k in step_keys if step_keys.count(k) > 1}:
        out.append(f"step {key!r} is defined twice")
    if flow.start not in step_keys:
        out.append(f"start step {flow.start!r} does not exist")
    if flow.default_sla.is_zero():
        out.append("default SLA must be positive")
    out += _ladder_problems("flow default", flow.default_escalation, role_keys)
    for step in flow.steps:
        out += _step_problems(flow, step, role_keys, set(step_keys))
    if not out:
        out += _graph_problems(flow)
    return out


def _step_problems(flow: Flow, step: Step, role_keys: set[str], step_keys: set[str]) -> list[str]:
    out: list[str] = []
    name = f"step {step.key!r} (SOP {step.sop_no})"
    if step.role not in role_keys:
        out.append(f"{name}: unknown role {step.role!r}")
    elif not flow.role(step.role).staff and step.key != flow.start:
        out.append(f"{name}: role {step.role!r} is not staff and only the start step may use it")
    if not step.actions:
        out.append(f"{name}: has no actions")
    action_keys = [a.key for a in step.actions]
    if len(set(action_keys)) != len(action_keys):
        out.append(f"{name}: duplicate action keys")
    if step.sla is not None and step.sla.is_zero():
        out.append(f"{name}: SLA must be positive")
    if step.escalation is not None:
        out += _ladder_problems(name, step.escalation, role_keys)
    if step.collects_batch and step.per_batch:
        out.append(f"{name}: cannot both collect cases and be held by a batch")
    for action in step.actions:
        where = f"{name}, action {action.key!r}"
        if action.key in UI_VERBS:
            out.append(f"{where}: the key is a chat button verb; give the action another key")
        if action.closes_case and action.to is not None:
            out.append(f"{where}: closes the case but also names next step {action.to!r}")
        if not action.closes_case and action.to is None:
            out.append(f"{where}: names no next step")
        if action.to is not None and action.to not in step_keys:
            out.append(f"{where}: next step {action.to!r} does not exist")
        if action.key == "reject" and not action.requires_reason:
            out.append(f"{where}: every reject must ask for a reason")
        if action.forms_batch and not step.collects_batch:
            out.append(f"{where}: forms a batch but the step does not collect cases")
        if action.forms_batch and action.to is not None and action.to in step_keys:
            target = flow.step(action.to)
            if not target.per_batch:
                out.append(f"{where}: a batch must go to a step held by the batch")
        if step.collects_batch and not action.forms_batch:
            out.append(f"{where}: cases here leave only inside a batch")
    return out


def _ladder_problems(name: str, ladder: tuple[Escalation, ...], role_keys: set[str]) -> list[str]:
    out: list[str] = []
    levels: list[int] = []
    for rung in ladder:
        levels.append(rung.level)
        if rung.level < 0:
            out.append(f"{name}: escalation level {rung.level} is negative")
        if rung.level == 0 and rung.offset.is_zero():
            out.append(f"{name}: the reminder needs a positive offset before due")
        for target in rung.notify:
            if target not in (HOLDER, SUPERVISOR) and target not in role_keys:
                out.append(f"{name}: escalation level {rung.level} notifies unknown {target!r}")
        if not rung.notify:
            out.append(f"{name}: escalation level {rung.level} notifies nobody")
    if len(set(levels)) != len(levels):
        out.append(f"{name}: escalation levels repeat")
    return out


def _graph_problems(flow: Flow) -> list[str]:
    out: list[str] = []
    successors: dict[str, set[str]] = {step.key: set() for step in flow.steps}
    closing: set[str] = set()
    for step, action in flow.edges():
        if action.to is not None:
            successors[step.key].add(action.to)
        if action.closes_case:
            closing.add(step.key)
    reachable = _reach({flow.start}, successors)
    for step in flow.steps:
        if step.key not in reachable:
            out.append(f"step {step.key!r} (SOP {step.sop_no}) is not reachable from the start")
    predecessors: dict[str, set[str]] = {step.key: set() for step in flow.steps}
    for source, targets in successors.items():
        for target in targets:
            predecessors[target].add(source)
    can_finish = _reach(closing, predecessors)
    if not closing:
        out.append("no action closes the case: the end is unreachable")
    for step in flow.steps:
        if step.key in reachable and step.key not in can_finish:
            out.append(f"step {step.key!r} (SOP {step.sop_no}) cannot reach the end of the flow")
    for step in flow.steps:
        if step.per_batch:
            for source in predecessors[step.key]:
                for action in flow.step(source).actions:
                    if action.to == step.key and not action.forms_batch:
                        out.append(
                            f"step {step.key!r} (SOP {step.sop_no}) is held by a batch but "
                            f"{source!r} --{action.key}--> enters it without forming one"
                        )
            for action in step.actions:
                if action.to is not None and not (
                    flow.step(action.to).per_batch or flow.step(action.to).collects_batch
                ):
                    out.append(
                        f"step {step.key!r} (SOP {step.sop_no}), action {action.key!r}: a batch "
                        "can only go back to the step that collects its cases"
                    )
    return out


def _reach(seeds: set[str], graph: dict[str, set[str]]) -> set[str]:
    seen = set(seeds)
    queue = deque(seeds)
    while queue:
        for nxt in graph.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen

"""Export a flow as rows (for a table) or as a Mermaid flowchart."""

from __future__ import annotations

from dataclasses import dataclass

from flows.model import Action, Flow, Step


@dataclass(frozen=True)
class StepRow:
    sop_no: int
    key: str
    title: str
    role: str
    role_label: str
    actions: str
    sla: str
    notes: str


def step_rows(flow: Flow) -> list[StepRow]:
    rows: list[StepRow] = []
    for step in flow.steps:
        notes: list[str] = []
        if step.key == flow.start:
            notes.append("awal")
        if step.collects_batch:
            notes.append("menunggu BA")
        if step.per_batch:
            notes.append("per BA")
        rows.append(
            StepRow(
                sop_no=step.sop_no,
                key=step.key,
                title=step.title,
                role=step.role,
                role_label=flow.role(step.role).label,
                actions=", ".join(_describe(a) for a in step.actions),
                sla="" if step.key == flow.start else str(flow.sla_of(step)),
                notes=", ".join(notes),
            )
        )
    return rows


def _describe(action: Action) -> str:
    target = "selesai" if action.closes_case else action.to
    marks = "".join(
        mark
        for flag, mark in (
            (action.requires_reason, " [alasan]"),
            (action.requires_pin, " [PIN]"),
            (action.requires_attachment, " [lampiran]"),
            (action.forms_batch, " [BA]"),
        )
        if flag
    )
    return f"{action.key}->{target}{marks}"


def mermaid(flow: Flow) -> str:
    """A Mermaid flowchart: one node per step, one edge per action."""
    lines = ["flowchart TD"]
    for step in flow.steps:
        lines.append(f'    {step.key}["{step.sop_no}. {_quote(_short(step))}"]')
    lines.append("    selesai([Selesai])")
    for step, action in flow.edges():
        target = "selesai" if action.closes_case else action.to
        arrow = "-.->" if action.is_back else "-->"
        lines.append(f"    {step.key} {arrow}|{_quote(action.label)}| {target}")
    return "\n".join(lines) + "\n"


def _short(step: Step) -> str:
    return f"{step.title}<br/><i>{step.role}</i>"


def _quote(text: str) -> str:
    return text.replace('"', "#quot;")

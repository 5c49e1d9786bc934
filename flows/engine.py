"""The engine: a pure function from (flow, case state, actor, action, now) to a transition.

It decides; it does not write. The application applies the returned
:class:`Transition` in one database transaction (state, audit event, outbox rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flows.errors import (
    AssignedToOther,
    AttachmentRequired,
    BatchOnly,
    CaseClosed,
    NotYourRole,
    PinRequired,
    ReasonRequired,
    UnknownAction,
    WrongStep,
)
from flows.model import Action, Flow, Step

#: A reason shorter than this is not a reason ("-", "x", "ok").
MIN_REASON_LENGTH = 3


@dataclass(frozen=True)
class CaseState:
    """What the engine needs to know of a case (or of a batch of cases)."""

    number: str
    step: str
    closed: bool = False
    #: Key of the staff member the open task is assigned to, if claimed. The assignee
    #: may act on the step even without holding its role: an assignment is an explicit,
    #: audited decision (a delegate while the holder is on leave, a supervisor's
    #: takeover "Ambil alih", a reassignment "Alihkan").
    assignee: str | None = None

    def assigned_to(self, actor: Actor) -> bool:
        return self.assignee is not None and self.assignee == actor.key


@dataclass(frozen=True)
class Actor:
    """Who presses the button.

    ``roles`` are the actor's own roles; ``stand_in_for`` maps a staff key to
    the roles this actor may use because that colleague is on leave and named
    the actor as delegate.
    """

    key: str
    name: str
    roles: frozenset[str]
    stand_in_for: tuple[tuple[str, frozenset[str]], ...] = ()

    def holds(self, role: str) -> bool:
        return role in self.roles or any(role in roles for _, roles in self.stand_in_for)

    def on_behalf_of(self, role: str) -> str | None:
        """The absent colleague this actor stands in for, when not acting in an own role."""
        if role in self.roles:
            return None
        for colleague, roles in self.stand_in_for:
            if role in roles:
                return colleague
        return None

    def may_act_for(self, assignee: str) -> bool:
        return assignee == self.key or any(
            colleague == assignee for colleague, _ in self.stand_in_for
        )


@dataclass(frozen=True)
class Request:
    action: str
    reason: str | None = None
    pin_given: bool = False
    attachment_given: bool = False
    #: The action is applied to a chosen set of cases at once.
    as_batch: bool = False


@dataclass(frozen=True)
class Transition:
    case: str
    from_step: str
    action: Action
    #: ``None`` when the case closes.
    to_step: str | None
    actor: str
    on_behalf_of: str | None
    reason: str | None
    at: datetime
    #: Effects of the action, then the ``on_enter`` effects of the next step.
    effects: tuple[str, ...]

    @property
    def closes_case(self) -> bool:
        return self.action.closes_case


def available_actions(flow: Flow, state: CaseState, actor: Actor) -> tuple[Action, ...]:
    """The actions ``actor`` may take on the case now (the card's buttons)."""
    if state.closed:
        return ()
    step = flow.step(state.step)
    if not actor.holds(step.role) and not state.assigned_to(actor):
        return ()
    if state.assignee is not None and not actor.may_act_for(state.assignee):
        return ()
    return step.actions


def decide(
    flow: Flow, state: CaseState, actor: Actor, request: Request, now: datetime
) -> Transition:
    """Check every rule and return the transition, or raise a DomainError."""
    if now.tzinfo is None:
        raise ValueError("the engine needs an aware 'now'")
    if state.closed:
        raise CaseClosed(case=state.number)
    step = flow.step(state.step)
    action = _action(flow, step, request.action)
    if not actor.holds(step.role) and not state.assigned_to(actor):
        raise NotYourRole(step=_step_label(step), role=flow.role(step.role).label, actor=actor.name)
    if state.assignee is not None and not actor.may_act_for(state.assignee):
        raise AssignedToOther(assignee=state.assignee)
    reason = (request.reason or "").strip() or None
    if action.requires_reason and (reason is None or len(reason) < MIN_REASON_LENGTH):
        raise ReasonRequired(action=action.key)
    if action.requires_pin and not request.pin_given:
        raise PinRequired(action=action.key)
    if action.requires_attachment and not request.attachment_given:
        raise AttachmentRequired(action=action.key)
    if action.forms_batch and not request.as_batch:
        raise BatchOnly(action=action.key)
    effects = action.effects
    if action.to is not None:
        effects = effects + flow.step(action.to).on_enter
    return Transition(
        case=state.number,
        from_step=step.key,
        action=action,
        to_step=action.to,
        actor=actor.key,
        on_behalf_of=actor.on_behalf_of(step.role),
        reason=reason,
        at=now,
        effects=effects,
    )


def _action(flow: Flow, step: Step, key: str) -> Action:
    action = step.action(key)
    if action is not None:
        return action
    if key in flow.action_keys():
        raise WrongStep(current=_step_label(step), action=key)
    raise UnknownAction(action=key, step=_step_label(step))


def _step_label(step: Step) -> str:
    return f"{step.sop_no}. {step.title}"

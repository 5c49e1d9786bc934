"""The root of staffbot's one error hierarchy, and the domain's own errors.

Every error carries a stable ``code`` and keyword ``params``; the user-facing
text in Indonesian or English is looked up by code in ``staffbot.texts``. The
English ``describe()`` is only for logs and developers.
"""

from __future__ import annotations

from typing import Any, ClassVar


class StaffbotError(Exception):
    """Root of every error staffbot raises on purpose."""

    code: ClassVar[str] = "error"
    template: ClassVar[str] = "staffbot error"

    def __init__(self, **params: Any) -> None:
        self.params: dict[str, Any] = params
        super().__init__(self.describe())

    def describe(self) -> str:
        try:
            return self.template.format(**self.params)
        except (KeyError, IndexError):
            return f"{self.template} {self.params!r}"

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its params, not its message: errors cross to and from the
        # document worker process (pickle) with their code and params intact.
        return (_rebuild, (type(self), self.params))


def _rebuild(cls: type[StaffbotError], params: dict[str, Any]) -> StaffbotError:
    return cls(**params)


class DomainError(StaffbotError):
    """A rule of the flow refused the request; nothing was changed."""

    code = "domain"
    template = "refused by the flow"


class FlowDefinitionError(DomainError):
    code = "flow_invalid"
    template = "flow {flow}: {problem}"


class UnknownAction(DomainError):
    code = "unknown_action"
    template = "action {action!r} does not exist at step {step}"


class WrongStep(DomainError):
    code = "wrong_step"
    template = "case is at step {current}, not at a step with action {action!r}"


class CaseClosed(DomainError):
    code = "case_closed"
    template = "case {case} is already closed"


class NotYourRole(DomainError):
    code = "not_your_role"
    template = "step {step} belongs to role {role}; {actor} does not hold it"


class AssignedToOther(DomainError):
    code = "assigned_to_other"
    template = "task is assigned to {assignee}"


class ReasonRequired(DomainError):
    code = "reason_required"
    template = "action {action!r} needs a reason"


class PinRequired(DomainError):
    code = "pin_required"
    template = "action {action!r} needs the signing PIN"


class AttachmentRequired(DomainError):
    code = "attachment_required"
    template = "action {action!r} needs an attached document"


class BatchOnly(DomainError):
    code = "batch_only"
    template = "action {action!r} works on a batch of cases (Berita Acara)"


class AlreadyDone(DomainError):
    """The task was acted on already: the loser of a race or a repeated press."""

    code = "already_done"
    template = "already done by {actor} at {at}"

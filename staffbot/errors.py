"""Application errors: one hierarchy rooted at :class:`flows.errors.StaffbotError`.

Adapters translate platform and library errors into these with ``raise ... from exc``
so that callers handle one family of exceptions whatever the channel or backend.
"""

from __future__ import annotations

from flows.errors import (
    AlreadyDone,
    AssignedToOther,
    AttachmentRequired,
    BatchOnly,
    CaseClosed,
    DomainError,
    FlowDefinitionError,
    NotYourRole,
    PinRequired,
    ReasonRequired,
    StaffbotError,
    UnknownAction,
    WrongStep,
)

__all__ = [
    "AlreadyDone",
    "AssignedToOther",
    "AttachmentRequired",
    "AuthError",
    "BadChannelRequest",
    "BatchOnly",
    "CaseClosed",
    "ChannelError",
    "ChannelUnavailable",
    "ConcurrencyConflict",
    "ConfigurationError",
    "DomainError",
    "FlowDefinitionError",
    "ManualCheckPending",
    "NotYourRole",
    "PinLocked",
    "PinRequired",
    "PinWrong",
    "ReasonRequired",
    "RecipientUnreachable",
    "RetryAfter",
    "SignOutcomeUnknown",
    "SignerRefused",
    "SigningError",
    "StaffbotError",
    "StorageError",
    "UnknownAction",
    "ValidationError",
    "WrongStep",
]


class ConfigurationError(StaffbotError):
    code = "config"
    template = "configuration: {problem}"


class ValidationError(StaffbotError):
    """Bad input from a person; ``field`` names what to fix."""

    code = "invalid"
    template = "{field}: invalid value"


class AuthError(StaffbotError):
    code = "auth"
    template = "not allowed: {reason}"


class PinWrong(AuthError):
    code = "pin_wrong"
    template = "wrong PIN ({left} tries left)"


class PinLocked(AuthError):
    code = "pin_locked"
    template = "signing is locked until {until}"


class StorageError(StaffbotError):
    code = "storage"
    template = "storage: {problem}"


class ConcurrencyConflict(StorageError):
    """Someone else changed the row between our read and our write."""

    code = "conflict"
    template = "{what} changed concurrently"


class ChannelError(StaffbotError):
    """A chat platform refused or failed a call."""

    code = "channel"
    template = "{channel}: {problem}"


class RetryAfter(ChannelError):
    """The platform asked us to wait ``retry_after`` seconds (HTTP 429)."""

    code = "retry_after"
    template = "{channel}: flood control, retry after {retry_after}s"


class ChannelUnavailable(ChannelError):
    """Transient: network error, timeout, 5xx. Safe to retry later."""

    code = "channel_unavailable"


class BadChannelRequest(ChannelError):
    """Permanent for this payload: retrying the same request will not help."""

    code = "channel_bad_request"


class RecipientUnreachable(ChannelError):
    """The user blocked the bot, left, or (WhatsApp) the 24-hour window is closed."""

    code = "recipient_unreachable"


class SigningError(StaffbotError):
    code = "signing"
    template = "signing failed: {problem}"


class SignerRefused(SigningError):
    """The signer answered and refused (wrong passphrase, unknown user ...)."""

    code = "sign_refused"


class ManualCheckPending(SigningError):
    """A signature of this case may exist already: a person checks before anyone signs."""

    code = "manual_check"
    template = "case {case} awaits a manual check of its signature"


class SignOutcomeUnknown(SigningError):
    """The request may or may not have been signed: never retry it automatically."""

    code = "sign_unknown"
    template = "signing outcome unknown: {problem}"

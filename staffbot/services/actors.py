"""Who is acting: staff records to engine actors, delegation, the signing PIN."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flows.engine import Actor
from staffbot.errors import AuthError, PinLocked, PinWrong, ValidationError
from staffbot.services.context import Office
from storage.tables import Staff
from storage.uow import UnitOfWork

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


async def find_staff(
    uow: UnitOfWork, *, nip: str | None = None, staff_id: int | None = None
) -> Staff:
    staff = None
    if staff_id is not None:
        staff = await uow.staff.get(staff_id)
    elif nip is not None:
        staff = await uow.staff.by_nip(nip.replace(" ", ""))
    if staff is None:
        raise ValidationError(field="staff", problem="unknown", value=nip or staff_id)
    return staff


async def load_actor(uow: UnitOfWork, staff: Staff) -> Actor:
    """The engine's view of a staff member, with the roles of absent colleagues they cover."""
    if not staff.active:
        raise AuthError(reason=f"{staff.name} is not active")
    assert staff.id is not None
    roles, stand_in = await uow.staff.acting_roles(staff.id)
    return Actor(key=staff.nip, name=staff.name, roles=roles, stand_in_for=tuple(stand_in))


# -- the signing PIN -------------------------------------------------------------------


def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def pin_matches(pin: str, stored: str) -> bool:
    try:
        scheme, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(pin.encode(), salt=base64.b64decode(salt_b64), **_SCRYPT)
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


def check_pin_format(pin: str) -> str:
    pin = (pin or "").strip()
    if not (pin.isdigit() and len(pin) == 6):
        raise ValidationError(field="pin", problem="format")
    return pin


def is_pin_format_refusal(error: Exception) -> bool:
    """A PIN refused for its shape alone (:func:`check_pin_format`): never counted."""
    return isinstance(error, ValidationError) and error.params.get("field") == "pin"


def locked_until(office: Office, staff: Staff, now: datetime) -> str | None:
    """When this person's signing lock ends (office time, PUEBI "14.35"); None: not locked."""
    until = staff.pin_locked_until
    if until is None or until <= now:
        return None
    return until.astimezone(office.tz).strftime("%H.%M")


async def check_pin(
    uow: UnitOfWork, office: Office, staff: Staff, pin: str, now: datetime
) -> AuthError | None:
    """None when the PIN is right; else the refusal (PinWrong or PinLocked), with a wrong
    PIN already counted in ``uow``: the caller's transaction must commit that count even
    though the action is refused (the signing process does), or guessing would be free.

    A PIN that cannot be the office's 6-digit PIN (a typo of length, a letter) is refused
    with a ValidationError before it is compared, and not counted: it is no guess.

    Staff without a stored PIN (BSrE users) are checked by the signer itself, which
    reports a wrong passphrase, counted the same way (:func:`count_pin_failure`): a
    passphrase has no fixed shape, so no format rule applies to them.
    """
    until = locked_until(office, staff, now)
    if until is not None:
        return PinLocked(until=until)
    if staff.pin_hash is None:
        return None
    pin = check_pin_format(pin)
    if pin_matches(pin, staff.pin_hash):
        if staff.pin_failures:
            staff.pin_failures = 0
            uow.session.add(staff)
        return None
    return await count_pin_failure(uow, office, staff, now)


async def count_pin_failure(
    uow: UnitOfWork, office: Office, staff: Staff, now: datetime
) -> AuthError:
    """Count one wrong PIN (locking signing after too many) in ``uow``; the refusal to
    raise once that is committed: PinWrong, or PinLocked."""
    staff.pin_failures += 1
    locked = staff.pin_failures >= office.pin_max_failures
    if locked:
        staff.pin_locked_until = now + timedelta(minutes=office.pin_lock_minutes)
        staff.pin_failures = 0
        await uow.audit.append(
            at=now,
            kind="pin_locked",
            actor=staff.name,
            actor_id=staff.id,
            data={"minutes": office.pin_lock_minutes},
        )
        for hook in office.pin_lock_hooks:
            await hook(uow, office, staff)
    uow.session.add(staff)
    until = locked_until(office, staff, now) if locked else None
    if until is not None:
        return PinLocked(until=until)
    return PinWrong(left=office.pin_max_failures - staff.pin_failures)

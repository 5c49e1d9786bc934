"""The BSrE e-sign API v2 client behind the :class:`~staffbot.documents.kit.Signer` port.

Endpoints used (Balai Sertifikasi Elektronik, BSSN; *Esign Client Service* v2):

* ``POST {base}/api/v2/sign/pdf`` with JSON ``{nik | email, passphrase | totp,
  signatureProperties: [{tampilan, imageBase64, page, originX, originY, width, height,
  location, reason}], file: [base64]}`` -> ``{time, file: [base64]}``
* ``POST {base}/api/v2/user/check/status`` with ``{nik | email}`` -> ``{status, ...}``
* ``POST {base}/api/v2/verify/pdf`` with ``{file: base64}`` -> the service's verdict

HTTP basic authentication with the client credentials BSrE issues to the office.

What we could not read in an official document and therefore assumed (from public
client code written against the service; see docs/decisions/0003):

* Errors come back as JSON with a numeric ``status_code`` and an ``error`` (or
  ``message``) text, usually with HTTP 400: ``2031`` is a wrong passphrase ("Passphrase
  anda salah"), ``2011`` a user who is not registered ("User tidak terdaftar"). The
  texts are matched as well as the codes, in case a gateway rewrites the body.
* ``page`` counts from 1; ``originX``/``originY``/``width``/``height`` are PDF points
  with the origin at the bottom-left corner of the page.
* ``time`` in the answer is a processing time in milliseconds in some versions and a
  timestamp in others: a timestamp is used as the signing time, anything else is
  ignored (the signing time then is our clock's when the answer arrived).
* User status ``ISSUE`` means a valid certificate that can sign.

**One attempt only.** A sign request is sent exactly once. When the connection drops
or times out *after* the request was sent, or the service answers 5xx, the document
may or may not have been signed: :class:`SignOutcomeUnknown` is raised and nothing is
retried; the case must be checked by hand (the BSrE portal lists what was signed).
Only when the request provably never left (no connection could be made) is
:class:`SignerUnreachable` raised, and trying again later is safe.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import io
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from typing import Any

import httpx
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from staffbot.documents.errors import (
    PassphraseWrong,
    SignerNotRegistered,
    SignerRejected,
    SignerUnreachable,
)
from staffbot.documents.fonts import FontSet
from staffbot.documents.model import OFFICE_ZONE, Language, SignedPdf, SignRequest, mask_nik
from staffbot.documents.stamp import stamp_png
from staffbot.errors import SignOutcomeUnknown

__all__ = ["BsreSigner", "BsreUserStatus", "BsreVerification"]

log = logging.getLogger(__name__)

SIGN_PATH = "/api/v2/sign/pdf"
STATUS_PATH = "/api/v2/user/check/status"
VERIFY_PATH = "/api/v2/verify/pdf"

WRONG_PASSPHRASE_CODES = frozenset({2031})
NOT_REGISTERED_CODES = frozenset({2011})
_WRONG_PASSPHRASE = re.compile(
    r"(passphrase|kata sandi|totp|otp).*(salah|invalid|wrong|tidak valid)", re.I
)
_NOT_REGISTERED = re.compile(
    r"(tidak|belum) terdaftar|not registered|user not found|tidak ditemukan", re.I
)


@dataclass(frozen=True)
class BsreUserStatus:
    status: str
    """As BSrE says it: ISSUE, EXPIRED, REVOKED, NEW, NOT_REGISTERED ..."""
    message: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def can_sign(self) -> bool:
        return self.status.upper() == "ISSUE"


@dataclass(frozen=True)
class BsreVerification:
    conclusion: str
    """VALID, INVALID, WARNING ... as BSrE says it."""
    description: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def valid(self) -> bool:
        return self.conclusion.upper() == "VALID"


DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


def _system_now() -> datetime:
    return datetime.now(UTC)


class BsreSigner:
    """Signs through BSrE. Implements the ``Signer`` protocol.

    ``client``: an ``httpx.AsyncClient`` to use (tests, a shared pool); when omitted
    one is created and :meth:`aclose` closes it. The client must not retry on its own
    (httpx does not, unless a transport with ``retries`` is given).

    ``accounts``: NIP -> the signer's account at BSrE (their NIK, or an e-mail address).
    The signing service knows staff by NIP only; a request that names neither a NIK nor
    an e-mail is sent for the account of its NIP.
    """

    backend = "bsre"

    def __init__(
        self,
        base_url: str,
        *,
        username: str,
        password: str,
        client: httpx.AsyncClient | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        now: Callable[[], datetime] = _system_now,
        language: Language = "id",
        tz: tzinfo = OFFICE_ZONE,
        stamp_fonts: FontSet | None = None,
        accounts: Mapping[str, str] | None = None,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._auth = httpx.BasicAuth(username, password)
        self._own_client = client is None
        self._client = client or httpx.AsyncClient(timeout=timeout)
        self._timeout = timeout
        self._now = now
        self._language: Language = language
        self._tz = tz
        self._fonts = stamp_fonts
        self._accounts = {_digits(nip): account for nip, account in (accounts or {}).items()}

    async def aclose(self) -> None:
        if self._own_client:
            await self._client.aclose()

    # ------------------------------------------------------------------ sign

    async def sign(self, pdf: bytes, request: SignRequest) -> SignedPdf:
        """Send one sign request; never retried (see the module docstring)."""
        request = self._with_account(request)
        if not request.nik and not request.email:
            raise SignerRejected(problem="BSrE needs the signer's NIK or e-mail")
        stamped_at = self._now()
        image = await asyncio.to_thread(
            stamp_png,
            request,
            stamped_at,
            language=self._language,
            tz=self._tz,
            fonts=self._fonts,
        )
        box = request.placement.box
        payload: dict[str, Any] = {}
        if request.nik:
            payload["nik"] = request.nik
        else:
            payload["email"] = request.email
        kind = "totp" if request.secret_kind == "totp" else "passphrase"  # noqa: S105 - a field name
        payload[kind] = request.secret
        payload["signatureProperties"] = [
            {
                "tampilan": "VISIBLE",
                "imageBase64": base64.b64encode(image).decode("ascii"),
                "page": request.placement.page_index + 1,
                "originX": round(box.x, 2),
                "originY": round(box.y, 2),
                "width": round(box.width, 2),
                "height": round(box.height, 2),
                "location": request.location,
                "reason": request.reason,
            }
        ]
        payload["file"] = [base64.b64encode(pdf).decode("ascii")]
        who = mask_nik(request.nik) if request.nik else (request.email or "?")
        log.info("bsre sign request for %s (%d bytes)", who, len(pdf))
        try:
            response = await self._client.post(
                self._base + SIGN_PATH, json=payload, auth=self._auth, timeout=self._timeout
            )
        except (
            httpx.ConnectError,
            httpx.ConnectTimeout,
            httpx.PoolTimeout,
            httpx.UnsupportedProtocol,
        ) as exc:
            # No connection was made: the request never left.
            raise SignerUnreachable(problem=f"{type(exc).__name__}: {exc}") from exc
        except httpx.HTTPError as exc:
            # Read/write timeout, connection reset or closed mid-exchange, an answer we
            # cannot decode: the request may have been processed. (A reused keep-alive
            # connection the server had closed also lands here; unknown is the honest
            # answer then too.)
            log.warning("bsre sign outcome unknown for %s: %s", who, type(exc).__name__)
            raise SignOutcomeUnknown(
                problem=f"{type(exc).__name__} after the request was sent"
            ) from exc
        finally:
            payload.clear()  # drop our reference to the secret as soon as possible
        # Decoding and parsing the returned PDF is CPU work: off the event loop.
        return await asyncio.to_thread(self._signed, response, request, who)

    def _with_account(self, request: SignRequest) -> SignRequest:
        if request.nik or request.email:
            return request
        account = self._accounts.get(_digits(request.nip))
        if not account:
            return request
        if "@" in account:
            return replace(request, email=account)
        return replace(request, nik=account)

    def _signed(self, response: httpx.Response, request: SignRequest, who: str) -> SignedPdf:
        if response.status_code >= 500:
            log.warning("bsre sign outcome unknown for %s: HTTP %s", who, response.status_code)
            raise SignOutcomeUnknown(problem=f"BSrE answered HTTP {response.status_code}")
        body = _json(response)
        if response.status_code >= 400 or ("error" in body and "file" not in body):
            raise _refusal(response.status_code, body, who)
        files = body.get("file")
        try:
            if not isinstance(files, list) or not files or not isinstance(files[0], str):
                raise ValueError("no file in the answer")
            signed = base64.b64decode(files[0], validate=True)
            subject = _last_signer_subject(signed)
        except (ValueError, binascii.Error, PdfError) as exc:
            # BSrE said yes but gave us nothing we can use: it may well have signed.
            raise SignOutcomeUnknown(problem=f"unusable answer from BSrE: {exc}") from exc
        signed_at = _timestamp(body.get("time")) or self._now()
        log.info("bsre signed for %s", who)
        return SignedPdf(
            pdf=signed,
            signed_at=signed_at,
            signer=request.signer_name,
            certificate_subject=subject,
            sha256=hashlib.sha256(signed).hexdigest(),
            backend=self.backend,
        )

    # ----------------------------------------------------------- status, verify

    async def user_status(
        self, *, nik: str | None = None, email: str | None = None
    ) -> BsreUserStatus:
        """Whether the signer has a certificate that can sign (safe to repeat)."""
        if not nik and not email:
            raise SignerRejected(problem="BSrE needs the signer's NIK or e-mail")
        payload = {"nik": nik} if nik else {"email": email}
        response = await self._post(STATUS_PATH, payload)
        body = _json(response)
        if response.status_code >= 400:
            raise _refusal(response.status_code, body, mask_nik(nik) if nik else str(email))
        status = body.get("status")
        if not isinstance(status, str):
            status = (
                str(body.get("data", {}).get("status", "UNKNOWN"))
                if isinstance(body.get("data"), dict)
                else "UNKNOWN"
            )
        message = body.get("message")
        return BsreUserStatus(
            status=status, message=message if isinstance(message, str) else None, raw=body
        )

    async def verify(self, pdf: bytes) -> BsreVerification:
        """BSrE's own verdict on a signed PDF (safe to repeat)."""
        response = await self._post(VERIFY_PATH, {"file": base64.b64encode(pdf).decode("ascii")})
        body = _json(response)
        if response.status_code >= 400:
            raise _refusal(response.status_code, body, "verify")
        conclusion = body.get("conclusion") or body.get("summary") or "UNKNOWN"
        description = body.get("description")
        return BsreVerification(
            conclusion=str(conclusion),
            description=description if isinstance(description, str) else None,
            raw=body,
        )

    async def _post(self, path: str, payload: dict[str, Any]) -> httpx.Response:
        try:
            response = await self._client.post(
                self._base + path, json=payload, auth=self._auth, timeout=self._timeout
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise SignerUnreachable(problem=f"{type(exc).__name__}: {exc}") from exc
        except httpx.HTTPError as exc:
            raise SignerUnreachable(problem=f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500:
            raise SignerUnreachable(problem=f"BSrE answered HTTP {response.status_code}")
        return response


def _digits(nip: str) -> str:
    return re.sub(r"\D", "", nip)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"error": response.text[:200]}
    return body if isinstance(body, dict) else {"error": str(body)[:200]}


def _code(body: dict[str, Any]) -> int | None:
    for key in ("status_code", "statusCode", "code"):
        value = body.get(key)
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
    return None


def _message(body: dict[str, Any]) -> str:
    for key in ("error", "message", "errors"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
        if value:
            return str(value)
    return ""


def _refusal(
    status: int, body: dict[str, Any], who: str
) -> SignerRejected | PassphraseWrong | SignerNotRegistered:
    code = _code(body)
    message = _message(body)
    if code in WRONG_PASSPHRASE_CODES or _WRONG_PASSPHRASE.search(message):
        return PassphraseWrong(signer="bsre")
    if code in NOT_REGISTERED_CODES or _NOT_REGISTERED.search(message):
        return SignerNotRegistered(who=who)
    if status in (401, 403):
        return SignerRejected(problem=f"BSrE refused the client credentials (HTTP {status})")
    detail = f"HTTP {status}" + (f", code {code}" if code is not None else "")
    return SignerRejected(problem=f"{message or 'refused'} ({detail})")


def _timestamp(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _last_signer_subject(pdf: bytes) -> str:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    signatures = reader.embedded_signatures
    if not signatures:
        raise ValueError("the returned PDF carries no signature")
    cert = signatures[-1].signer_cert
    return str(cert.subject.human_friendly)

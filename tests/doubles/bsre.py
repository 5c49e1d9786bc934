"""A local double of the BSrE e-sign API v2 (aiohttp, 127.0.0.1, ephemeral port).

It really signs: every registered user gets an EC P-256 certificate from the double's
own test CA ("BSrE Test CA"), and ``POST /api/v2/sign/pdf`` applies a PAdES signature
with pyHanko, drawing the ``imageBase64`` stamp in the requested box, so a test can
validate the result against :attr:`BsreDouble.ca_cert`.

Error answers follow what public clients of the real service handle: HTTP 400 with
``{"error": ..., "status_code": 2031}`` for a wrong passphrase and ``2011`` for a user
who is not registered.

Modes (``double.mode``) for the unhappy paths of a sign request:
``"hang"`` never answers (until the double stops), ``"drop"`` closes the connection
after reading the request, ``"error500"`` answers 500. Every request is counted in
``double.requests`` (per path), whatever the mode.

    async with BsreDouble(users=[BsreUser(nik=..., name=..., passphrase=...)]) as bsre:
        signer = BsreSigner(bsre.url, username=bsre.username, password=bsre.password)
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Self

from aiohttp import web
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from PIL import Image
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

Mode = Literal["normal", "hang", "drop", "error500"]

SIGN_PATH = "/api/v2/sign/pdf"
STATUS_PATH = "/api/v2/user/check/status"
VERIFY_PATH = "/api/v2/verify/pdf"


@dataclass
class BsreUser:
    nik: str
    name: str
    passphrase: str
    email: str | None = None
    status: str = "ISSUE"
    totp: str | None = None


@dataclass
class _Identity:
    user: BsreUser
    cert: asn1_x509.Certificate
    key: asn1_keys.PrivateKeyInfo


@dataclass
class BsreDouble:
    users: list[BsreUser] = field(default_factory=list)
    username: str = "esign-client"
    password: str = "client-secret"
    mode: Mode = "normal"
    host: str = "127.0.0.1"
    port: int = 0
    requests: Counter[str] = field(default_factory=Counter)
    signed: int = 0
    ca_cert: x509.Certificate | None = None

    def __post_init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._release = asyncio.Event()
        self._identities: dict[str, _Identity] = {}
        self._ca_key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC) - timedelta(hours=1)
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
                x509.NameAttribute(
                    NameOID.ORGANIZATION_NAME, "Balai Sertifikasi Elektronik (double)"
                ),
                x509.NameAttribute(NameOID.COMMON_NAME, "BSrE Test CA"),
            ]
        )
        self.ca_cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(signer=False), critical=True)
            .sign(self._ca_key, hashes.SHA256())
        )
        for user in self.users:
            self.add_user(user)

    # ------------------------------------------------------------- lifecycle

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post(SIGN_PATH, self._sign)
        app.router.add_post(STATUS_PATH, self._status)
        app.router.add_post(VERIFY_PATH, self._verify)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.2)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = runner.addresses[0][1]

    async def stop(self) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ----------------------------------------------------------------- users

    def add_user(self, user: BsreUser) -> None:
        assert self.ca_cert is not None
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC) - timedelta(hours=1)
        cert = (
            x509.CertificateBuilder()
            .subject_name(
                x509.Name(
                    [
                        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
                        x509.NameAttribute(NameOID.COMMON_NAME, user.name),
                        x509.NameAttribute(NameOID.SERIAL_NUMBER, user.nik),
                    ]
                )
            )
            .issuer_name(self.ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(signer=True), critical=True)
            .sign(self._ca_key, hashes.SHA256())
        )
        der = serialization.Encoding.DER
        self._identities[user.nik] = _Identity(
            user=user,
            cert=asn1_x509.Certificate.load(cert.public_bytes(der)),
            key=asn1_keys.PrivateKeyInfo.load(
                key.private_bytes(
                    der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
            ),
        )

    def _find(self, body: dict[str, Any]) -> _Identity | None:
        nik = body.get("nik")
        if isinstance(nik, str) and nik in self._identities:
            return self._identities[nik]
        email = body.get("email")
        for identity in self._identities.values():
            if email and identity.user.email == email:
                return identity
        return None

    # -------------------------------------------------------------- handlers

    def _authorised(self, request: web.Request) -> bool:
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"

    async def _sign(self, request: web.Request) -> web.StreamResponse:
        self.requests[SIGN_PATH] += 1
        body = await request.json()
        if self.mode == "hang":
            await self._release.wait()
            return web.json_response({"error": "stopped"}, status=503)
        if self.mode == "drop":
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=204)
        if self.mode == "error500":
            return web.json_response({"error": "Internal Server Error"}, status=500)
        if not self._authorised(request):
            return web.json_response({"error": "Unauthorized", "status_code": 401}, status=401)
        identity = self._find(body)
        if identity is None or identity.user.status != "ISSUE":
            return web.json_response(
                {"error": "User tidak terdaftar", "status_code": 2011}, status=400
            )
        secret_ok = (
            body.get("passphrase") == identity.user.passphrase
            if "passphrase" in body
            else identity.user.totp is not None and body.get("totp") == identity.user.totp
        )
        if not secret_ok:
            return web.json_response(
                {
                    "error": "Gagal melakukan tanda tangan elektronik: Passphrase anda salah",
                    "status_code": 2031,
                },
                status=400,
            )
        try:
            files = [base64.b64decode(f, validate=True) for f in body["file"]]
            props = body["signatureProperties"]
        except (KeyError, TypeError, binascii.Error):
            return web.json_response(
                {"error": "Parameter tidak valid", "status_code": 1001}, status=400
            )
        signed = [
            await self._apply(identity, pdf, props[min(i, len(props) - 1)])
            for i, pdf in enumerate(files)
        ]
        self.signed += len(signed)
        return web.json_response(
            {"time": 120, "file": [base64.b64encode(s).decode("ascii") for s in signed]}
        )

    async def _apply(self, identity: _Identity, pdf: bytes, prop: dict[str, Any]) -> bytes:
        assert self.ca_cert is not None
        ca = asn1_x509.Certificate.load(self.ca_cert.public_bytes(serialization.Encoding.DER))
        signer = signers.SimpleSigner(
            signing_cert=identity.cert,
            signing_key=identity.key,
            cert_registry=SimpleCertificateStore.from_certs([ca]),
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        name = f"BSrE{len(writer.prev.embedded_signatures) + 1}"
        x, y = float(prop.get("originX", 0)), float(prop.get("originY", 0))
        w, h = float(prop.get("width", 0)), float(prop.get("height", 0))
        visible = str(prop.get("tampilan", "INVISIBLE")).upper() == "VISIBLE"
        style = None
        if visible and prop.get("imageBase64"):
            image = Image.open(io.BytesIO(base64.b64decode(prop["imageBase64"])))
            style = StaticStampStyle(background=PdfImage(image), border_width=0)
        pdf_signer = signers.PdfSigner(
            signers.PdfSignatureMetadata(
                field_name=name,
                md_algorithm="sha256",
                subfilter=fields.SigSeedSubFilter.PADES,
                reason=prop.get("reason"),
                location=prop.get("location"),
            ),
            signer,
            stamp_style=style,
            new_field_spec=fields.SigFieldSpec(
                sig_field_name=name,
                on_page=int(prop.get("page", 1)) - 1,
                box=(round(x), round(y), round(x + w), round(y + h)) if visible else None,
            ),
        )
        out = await pdf_signer.async_sign_pdf(writer)
        return bytes(out.getvalue())

    async def _status(self, request: web.Request) -> web.Response:
        self.requests[STATUS_PATH] += 1
        if not self._authorised(request):
            return web.json_response({"error": "Unauthorized"}, status=401)
        identity = self._find(await request.json())
        if identity is None:
            return web.json_response(
                {"status": "NOT_REGISTERED", "message": "User tidak terdaftar", "status_code": 1111}
            )
        return web.json_response({"status": identity.user.status, "message": "OK"})

    async def _verify(self, request: web.Request) -> web.Response:
        self.requests[VERIFY_PATH] += 1
        if not self._authorised(request):
            return web.json_response({"error": "Unauthorized"}, status=401)
        body = await request.json()
        try:
            pdf = base64.b64decode(body["file"], validate=True)
        except (KeyError, TypeError, binascii.Error):
            return web.json_response({"error": "Parameter tidak valid"}, status=400)
        # The double only reports whether signatures are present; tests validate with
        # pyHanko against ca_cert for the real check.
        count = len(PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures)
        conclusion = "VALID" if count else "NO_SIGNATURE"
        return web.json_response(
            {
                "conclusion": conclusion,
                "description": f"{count} tanda tangan",
                "signatureCount": count,
            }
        )


def _usage(*, signer: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signer,
        content_commitment=signer,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signer,
        crl_sign=not signer,
        encipher_only=False,
        decipher_only=False,
    )

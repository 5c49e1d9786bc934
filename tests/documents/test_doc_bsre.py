"""The BSrE client against its local double."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest
from docsupport import KADIS, NOW

from staffbot.documents.bsre import BsreSigner
from staffbot.documents.errors import (
    ERROR_TEXTS,
    PassphraseWrong,
    SignerNotRegistered,
    SignerRejected,
    SignerUnreachable,
)
from staffbot.documents.model import Letterhead, SignRequest, StampPlacement, SuratTanggapanInput
from staffbot.documents.surat import surat_tanggapan
from staffbot.documents.verify import validate_signed_pdf
from staffbot.errors import SignerRefused, SignOutcomeUnknown
from tests.doubles.bsre import SIGN_PATH, BsreDouble, BsreUser

NIK = "1806123456780001"
PASSPHRASE = "Passphrase-BSrE-1"
SIGNED_AT = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)


@pytest.fixture
async def bsre() -> AsyncIterator[BsreDouble]:
    double = BsreDouble(
        users=[
            BsreUser(nik=NIK, name=KADIS.name, passphrase=PASSPHRASE, email="kadis@tanggamus.go.id")
        ]
    )
    async with double:
        yield double


@pytest.fixture
def surat(surat_input: SuratTanggapanInput, letterhead: Letterhead) -> tuple[bytes, StampPlacement]:
    rendered = surat_tanggapan(surat_input, letterhead=letterhead, generated_at=NOW)
    assert rendered.signature_placement is not None
    return rendered.pdf, rendered.signature_placement


def request(
    placement: StampPlacement, *, secret: str = PASSPHRASE, nik: str | None = NIK
) -> SignRequest:
    return SignRequest(
        signer_name=KADIS.name,
        nip=KADIS.nip or "",
        secret=secret,
        placement=placement,
        verification_url="http://127.0.0.1:8080/v/8F3K2Q9X",
        nik=nik,
    )


def signer(double: BsreDouble, *, timeout: float = 10.0) -> BsreSigner:
    return BsreSigner(
        double.url,
        username=double.username,
        password=double.password,
        timeout=httpx.Timeout(timeout),
        now=lambda: SIGNED_AT,
    )


async def test_sign_success_validates(
    bsre: BsreDouble, surat: tuple[bytes, StampPlacement]
) -> None:
    pdf, placement = surat
    client = signer(bsre)
    try:
        signed = await client.sign(pdf, request(placement))
    finally:
        await client.aclose()
    assert bsre.requests[SIGN_PATH] == 1 and bsre.signed == 1
    assert signed.backend == "bsre" and signed.signed_at == SIGNED_AT
    assert KADIS.name in signed.certificate_subject
    assert bsre.ca_cert is not None
    report = await validate_signed_pdf(signed.pdf, [bsre.ca_cert])
    assert report.ok
    assert report.signer_subject is not None and NIK in report.signer_subject


async def test_sign_by_email_with_totp(surat: tuple[bytes, StampPlacement]) -> None:
    user = BsreUser(
        nik=NIK, name=KADIS.name, passphrase="x", email="kadis@tanggamus.go.id", totp="123456"
    )
    async with BsreDouble(users=[user]) as double:
        client = signer(double)
        req = SignRequest(
            signer_name=KADIS.name,
            nip="1",
            secret="123456",
            secret_kind="totp",
            placement=surat[1],
            verification_url="u",
            email=user.email,
        )
        signed = await client.sign(surat[0], req)
        await client.aclose()
    assert signed.pdf.startswith(surat[0])


async def test_wrong_passphrase(bsre: BsreDouble, surat: tuple[bytes, StampPlacement]) -> None:
    client = signer(bsre)
    with pytest.raises(PassphraseWrong) as caught:
        await client.sign(surat[0], request(surat[1], secret="salah"))
    await client.aclose()
    assert isinstance(caught.value, SignerRefused)
    assert caught.value.code == "sign_passphrase_wrong"
    assert "Passphrase TTE salah" in ERROR_TEXTS[caught.value.code]["id"]
    assert bsre.requests[SIGN_PATH] == 1 and bsre.signed == 0


async def test_user_not_registered(bsre: BsreDouble, surat: tuple[bytes, StampPlacement]) -> None:
    client = signer(bsre)
    with pytest.raises(SignerNotRegistered) as caught:
        await client.sign(surat[0], request(surat[1], nik="1806999999990001"))
    await client.aclose()
    assert caught.value.code == "sign_not_registered"
    assert "1806999999990001" not in str(caught.value)  # masked in the message
    assert caught.value.code != PassphraseWrong.code


async def test_timeout_after_sending_is_unknown_and_not_retried(
    bsre: BsreDouble, surat: tuple[bytes, StampPlacement]
) -> None:
    bsre.mode = "hang"
    client = signer(bsre, timeout=0.5)
    with pytest.raises(SignOutcomeUnknown) as caught:
        await client.sign(surat[0], request(surat[1]))
    await client.aclose()
    assert caught.value.code == "sign_unknown"
    assert bsre.requests[SIGN_PATH] == 1  # exactly one attempt


@pytest.mark.parametrize("mode", ["drop", "error500"])
async def test_dropped_connection_or_5xx_is_unknown(
    bsre: BsreDouble, surat: tuple[bytes, StampPlacement], mode: str
) -> None:
    bsre.mode = mode  # type: ignore[assignment]
    client = signer(bsre)
    with pytest.raises(SignOutcomeUnknown):
        await client.sign(surat[0], request(surat[1]))
    await client.aclose()
    assert bsre.requests[SIGN_PATH] == 1


async def test_nothing_listening_is_unreachable(surat: tuple[bytes, StampPlacement]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = BsreSigner(f"http://127.0.0.1:{port}", username="u", password="p")
    with pytest.raises(SignerUnreachable):
        await client.sign(surat[0], request(surat[1]))
    await client.aclose()


async def test_bad_client_credentials(
    bsre: BsreDouble, surat: tuple[bytes, StampPlacement]
) -> None:
    client = BsreSigner(bsre.url, username="someone", password="else")
    with pytest.raises(SignerRejected):
        await client.sign(surat[0], request(surat[1]))
    await client.aclose()


async def test_user_status_and_verify(
    bsre: BsreDouble, surat: tuple[bytes, StampPlacement]
) -> None:
    client = signer(bsre)
    try:
        status = await client.user_status(nik=NIK)
        assert status.can_sign and status.status == "ISSUE"
        unknown = await client.user_status(nik="1806000000000000")
        assert not unknown.can_sign
        signed = await client.sign(surat[0], request(surat[1]))
        verdict = await client.verify(signed.pdf)
        assert verdict.valid
        assert not (await client.verify(surat[0])).valid
    finally:
        await client.aclose()


async def test_secret_never_in_logs(
    bsre: BsreDouble, surat: tuple[bytes, StampPlacement], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    client = signer(bsre)
    await client.sign(surat[0], request(surat[1]))
    with pytest.raises(PassphraseWrong):
        await client.sign(surat[0], request(surat[1], secret="salah-123"))
    await client.aclose()
    assert PASSPHRASE not in caplog.text and "salah-123" not in caplog.text
    assert NIK not in caplog.text


async def test_the_signer_is_found_by_nip_when_the_request_names_no_account(
    bsre: BsreDouble, surat: tuple[bytes, StampPlacement]
) -> None:
    """The signing service knows staff by NIP; BSrE knows them by NIK or e-mail."""
    pdf, placement = surat
    by_nip = request(placement, nik=None)
    nobody = BsreSigner(bsre.url, username=bsre.username, password=bsre.password)
    with pytest.raises(SignerRejected):
        await nobody.sign(pdf, by_nip)
    await nobody.aclose()
    assert bsre.requests[SIGN_PATH] == 0  # refused before anything was sent

    for account in (NIK, "kadis@tanggamus.go.id"):
        client = BsreSigner(
            bsre.url,
            username=bsre.username,
            password=bsre.password,
            accounts={KADIS.nip or "": account},  # "19790903 199810 1 001": spaces ignored
        )
        try:
            signed = await client.sign(pdf, replace(by_nip, nip="197909031998101001"))
        finally:
            await client.aclose()
        assert bsre.ca_cert is not None
        report = await validate_signed_pdf(signed.pdf, [bsre.ca_cert])
        assert report.ok and report.signer_subject is not None and NIK in report.signer_subject
    assert bsre.requests[SIGN_PATH] == 2 and bsre.signed == 2

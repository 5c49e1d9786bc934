"""The public pages on a phone (390x844) in real headless Chromium: the verification
page of a signed letter (a long hash, the signer, the certificate's issuer), of a
cancelled Berita Acara, and the applicant's status page. No page scrolls sideways:
the document's scrollWidth, measured in the browser, stays within its clientWidth."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.documents.docsupport import public_app
from tests.support import Desk
from tests.web.test_browser import ARGS, CHROMIUM, WAIT_MS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="needs Debian's chromium (make browser)"
    ),
]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def db_url(tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite only: the browser checks the page, the database suites run elsewhere."""
    target = tmp_path / "staffbot.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
async def served(desk: Desk) -> AsyncIterator[str]:
    """The web app with the public routes on a real socket (uvicorn, port 0)."""
    import uvicorn

    app = public_app(desk)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    serving = asyncio.create_task(server.serve())
    while not server.started:
        assert not serving.done(), serving.result()
        await asyncio.sleep(0.02)
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, 10)


async def _codes(desk: Desk) -> dict[str, str]:
    """A signed letter, a cancelled Berita Acara and a case's status page."""
    signed = (await desk.new_case()).number
    await desk.advance_to(signed, "cetak_dokumen")
    rejected = (await desk.new_case()).number
    await desk.advance_to(rejected, "buat_ba")
    await desk.make_ba(rejected)
    await desk.act(rejected, "reject", role="kepala_dinas", note="Salah kecamatan")
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(signed)
        other = await uow.cases.by_number(rejected)
        assert case is not None and other is not None and case.status_code is not None
        [letter] = await uow.documents.of_case(case.id or 0, "hasil_ttd")
        bas = [d for d in await uow.documents.of_ba(1) if d.kind == "berita_acara"]
    assert letter.verify_code is not None and bas and bas[0].verify_code is not None
    return {
        "signed": f"/v/{letter.verify_code}",
        "void": f"/v/{bas[0].verify_code}",
        "status": f"/s/{case.status_code}",
    }


async def test_the_public_pages_fit_a_phone(desk: Desk, served: str, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    paths = await _codes(desk)
    expected = {
        "signed": "Dokumen sah dan sudah ditandatangani",
        "void": "Dokumen dibatalkan",
        "status": "Perkiraan selesai",
    }
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page(viewport=PHONE)
            page.set_default_timeout(WAIT_MS)
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            for name, path in paths.items():
                response = await page.goto(served + path)
                assert response is not None
                assert response.status == (410 if name == "void" else 200), name
                assert expected[name] in await page.inner_text("main")
                # the stylesheet applied (the letterhead is laid out, not raw text)
                kop = await page.eval_on_selector(".kop", "e => getComputedStyle(e).display")
                assert kop == "flex", name
                widths = await page.evaluate(
                    "() => [document.documentElement.scrollWidth,"
                    " document.documentElement.clientWidth, document.body.scrollWidth]"
                )
                scroll, client, body = widths
                assert 0 < client <= PHONE["width"], widths
                assert scroll <= client and body <= client, (name, widths)
                await page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
            # the cancelled page's own 410 is logged by Chromium; nothing else may fail
            assert [e for e in errors if "status of 410" not in e] == []
        finally:
            await browser.close()

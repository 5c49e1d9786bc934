"""The web channel in real headless Chromium (Debian's, driven by Playwright).

Log in as the call center with the demo picker, record a case through the form,
switch to the WhatsApp operator, press "Teruskan" and watch the card change live.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.web.support import Web

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 10_000


@pytest.fixture
def db_url(tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite only: the browser checks the page, the database suites run elsewhere."""
    target = tmp_path / "staffbot.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
async def served(web: Web) -> AsyncIterator[str]:
    """The app on a real socket (uvicorn, port 0) with the dispatcher running."""
    import uvicorn

    await web.dispatcher.start()
    config = uvicorn.Config(
        web.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", access_log=False
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
        web.app.state.close_streams()
        server.should_exit = True
        await asyncio.wait_for(serving, 10)
        await web.dispatcher.stop()


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (make browser)")
async def test_record_a_case_and_see_the_next_role_press_it_live(
    served: str, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright, expect

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            page.set_default_timeout(WAIT_MS)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on(
                "console",
                lambda msg: errors.append(msg.text) if msg.type == "error" else None,
            )
            log = page.locator("#log")

            # -- the call center, through the demo picker --------------------------------
            await page.goto(served + "/")
            await expect(page.get_by_text("Mode demo — pilih peran")).to_be_visible()
            await page.locator("button.role", has_text="Rina Marlina").click()
            await page.wait_for_url(served + "/chat")
            await expect(page.locator(".who b")).to_have_text("Rina Marlina")

            text = page.locator("#text")

            async def say(value: str, then: str) -> None:
                await text.fill(value)
                await text.press("Enter")
                await expect(log.locator(".msg.bot").last).to_contain_text(then)

            async def choose(label: str, then: str) -> None:
                await (
                    log.locator(".msg.bot")
                    .last.get_by_role("button", name=label, exact=True)
                    .click()
                )
                await expect(log.locator(".msg.bot").last).to_contain_text(then)

            await say("/baru", "Nama lengkap pemohon")
            await say("Siti Aminah", "NIK pemohon")
            await say("1806054501900001", "Nomor WhatsApp")
            await say("0812-3456-7890", "Kecamatan")
            await choose("Kota Agung", "Jenis layanan")
            await choose("KTP-el", "keluhan")
            await choose("Lewati", "Periksa data pengaduan")
            await choose("Simpan", "Pengaduan dicatat")
            await expect(log.locator(".msg.bot").last).to_contain_text("PO-2026-00001")
            await page.screenshot(path=str(tmp_path / "call-center.png"), full_page=True)

            # -- switch to the next role: the WhatsApp operator ---------------------------
            await page.get_by_role("link", name="Ganti peran").click()
            await page.locator("button.role", has_text="Andi Saputra").click()
            await page.wait_for_url(served + "/chat")
            card = log.locator(".msg.kind-card", has_text="PO-2026-00001")
            await expect(card).to_have_count(1)
            await expect(card.locator("button.choice")).to_have_text(
                ["Teruskan", "Tolak", "📎 Berkas pemohon"]
            )
            await expect(page.locator("#tasks li")).to_contain_text(["PO-2026-00001"])
            # an item of "Tugas saya" is a button: a tap brings the task's card back
            await page.locator("#tasks li button.task-open", has_text="PO-2026-00001").click()
            await expect(card).to_have_count(2)
            card = card.last
            await expect(card.locator("button.choice")).to_have_text(
                ["Teruskan", "Tolak", "📎 Berkas pemohon"]
            )
            # a mark that a reload would wipe: the update must arrive without one
            await page.evaluate("window.__noReload = true")
            await card.get_by_role("button", name="Teruskan").click()
            await expect(card).to_contain_text("✔ Diteruskan oleh Andi Saputra")
            await expect(card.locator("button")).to_have_count(0)
            await expect(card).to_have_class("msg bot kind-card edited")
            await expect(page.locator("#toast")).to_contain_text("Diteruskan")
            assert await page.evaluate("window.__noReload === true")
            await expect(page.locator("#tasks li")).to_have_text(["Tidak ada tugas yang menunggu."])
            shot = tmp_path / "web-chat.png"
            await page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            assert errors == []
            print(f"screenshot: {shot}")
        finally:
            await browser.close()


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (make browser)")
async def test_the_pin_is_masked_and_leaves_the_page(served: str, web: Web, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright, expect

    number = (await web.desk.new_case()).number
    await web.desk.advance_to(number, "ttd_kadis")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            page.set_default_timeout(WAIT_MS)
            await page.goto(served + "/")
            await page.locator("button.role", has_text="Ahmad Fauzi").click()
            await page.wait_for_url(served + "/chat")
            card = page.locator(".msg.kind-card", has_text="Langkah 9")
            await card.get_by_role("button", name="Tanda Tangani").click()
            text = page.locator("#text")
            await expect(text).to_have_attribute("type", "password")
            await text.fill("123456")
            await text.press("Enter")
            # the PIN leaves the page: the box is cleared, the "••••••" echo is removed
            # by the bot's delete of the PIN message
            assert await text.input_value() == ""
            await expect(page.locator(".msg.mine")).to_have_count(0)
            assert "123456" not in await page.content()
            await expect(card).to_contain_text("✔ Ditandatangani oleh Ahmad Fauzi")
            await expect(card.locator("button")).to_have_count(0)
            # the card's link now leads to the signed letter (one link, not two)
            await expect(card.locator("a.doc")).to_have_count(1)
            await expect(card.locator("a.doc")).to_contain_text("-ttd.pdf")
            await expect(text).to_have_attribute("type", "text")

            # the applicant's side of the same case, in the demo WhatsApp inbox
            await page.goto(served + "/pemohon")
            await page.get_by_role("link", name="+6281234567890").click()
            await expect(page.locator("#log .msg").first).to_contain_text("Siti Aminah")
            await page.screenshot(path=str(tmp_path / "pemohon.png"), full_page=True)
        finally:
            await browser.close()


# -- a 390×844 phone: nothing wider than the screen, the header on two lines at most --------

PHONE = {"width": 390, "height": 844}

#: Measured from the DOM: the page's horizontal overflow and the header's text lines
#: (its content height over the name's line height).
LAYOUT = """() => {
  const doc = document.scrollingElement;
  const bar = document.querySelector("header.bar");
  const style = getComputedStyle(bar);
  const inner = bar.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  const line = parseFloat(getComputedStyle(bar.querySelector(".who b")).lineHeight);
  return {scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, lines: inner / line};
}"""

#: The placeholder's text width (in the input's own font and spacing) against the room
#: inside the input.
PLACEHOLDER = """(input) => {
  const style = getComputedStyle(input);
  const probe = document.createElement("span");
  probe.textContent = input.placeholder;
  probe.style.cssText = "position:absolute;visibility:hidden;white-space:pre";
  probe.style.font = style.font;
  probe.style.letterSpacing = style.letterSpacing;
  document.body.appendChild(probe);
  const width = probe.getBoundingClientRect().width;
  probe.remove();
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {width: width, room: room};
}"""

#: Scrolled to the end of the transcript: where the last message ends, where the toast
#: and the compose bar begin.
COVERED = """() => {
  window.scrollTo(0, document.scrollingElement.scrollHeight);
  const messages = document.querySelectorAll("#log .msg");
  const last = messages[messages.length - 1].getBoundingClientRect();
  const toast = document.getElementById("toast");
  return {
    toast: toast.hidden ? null : toast.getBoundingClientRect().top,
    compose: document.querySelector(".compose-bar").getBoundingClientRect().top,
    last: last.bottom,
  };
}"""


async def fits_a_phone(page: Any, where: str) -> None:
    layout = await page.evaluate(LAYOUT)
    assert layout["scrollWidth"] <= layout["clientWidth"], (where, layout)
    assert layout["lines"] <= 2, (where, layout)


async def last_message_uncovered(page: Any, where: str) -> None:
    from playwright.async_api import expect

    await expect(page.locator("#toast")).to_be_visible()
    await page.wait_for_timeout(100)  # the scroll after the toast made room for itself
    spots = await page.evaluate(COVERED)
    assert spots["toast"] is not None, where
    assert spots["last"] <= spots["toast"] <= spots["compose"], (where, spots)


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (make browser)")
async def test_a_phone_sees_everything_without_scrolling_sideways(
    served: str, web: Web, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright, expect

    # several cards at the Kepala Dinas (a transcript taller than the screen) and tasks
    # past their deadline (the /kantor overdue table has rows)
    numbers = [(await web.desk.new_case()).number for _ in range(4)]
    for number in numbers:
        await web.desk.advance_to(number, "ttd_kadis")
    web.desk.office.clock.advance(timedelta(days=3))  # type: ignore[attr-defined]
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page(viewport=PHONE)
            page.set_default_timeout(WAIT_MS)
            log = page.locator("#log")

            # -- the card list, under the longest name and titles of the roster ----------
            await page.goto(served + "/")
            await page.locator("button.role", has_text="Ahmad Fauzi").click()
            await page.wait_for_url(served + "/chat")
            await expect(page.locator(".who b")).to_have_text("Ahmad Fauzi, S.STP., M.Si.")
            cards = log.locator(".msg.kind-card", has_text="Langkah 9")
            await expect(cards).to_have_count(len(numbers))
            await fits_a_phone(page, "card list")
            await page.screenshot(path=str(tmp_path / "phone-cards.png"), full_page=True)

            # -- the PIN prompt: the whole placeholder readable ----------------------------
            await cards.last.get_by_role("button", name="Tanda Tangani").click()
            text = page.locator("#text")
            await expect(text).to_have_attribute("type", "password")
            await last_message_uncovered(page, "PIN prompt")  # its toast, over many cards
            placeholder = await text.evaluate(PLACEHOLDER)
            assert placeholder["width"] <= placeholder["room"], placeholder
            await fits_a_phone(page, "PIN prompt")
            await text.fill("123456")
            await text.press("Enter")
            await expect(cards.last).to_contain_text("Ditandatangani oleh Ahmad Fauzi")
            await page.screenshot(path=str(tmp_path / "phone-pin.png"), full_page=True)

            # -- /kantor: the overdue table stays inside the screen -----------------------
            await page.goto(served + "/kantor")
            await expect(page.locator("table.grid").nth(1)).to_contain_text(numbers[0])
            await fits_a_phone(page, "/kantor")
            await page.screenshot(path=str(tmp_path / "phone-kantor.png"), full_page=True)

            # -- the intake form ------------------------------------------------------------
            await page.goto(served + "/")
            await page.locator("button.role", has_text="Rina Marlina").click()
            await page.wait_for_url(served + "/chat")
            for value, then in (
                ("/baru", "Nama lengkap pemohon"),
                ("Siti Aminah", "NIK pemohon"),
                ("1806054501900001", "Nomor WhatsApp"),
                ("0812-3456-7890", "Kecamatan"),
            ):
                await text.fill(value)
                await text.press("Enter")
                await expect(log.locator(".msg.bot").last).to_contain_text(then)
            await fits_a_phone(page, "intake form")
            await (
                log.locator(".msg.bot")
                .last.get_by_role("button", name="Kota Agung", exact=True)
                .click()
            )
            await expect(log.locator(".msg.bot").last).to_contain_text("Jenis layanan")
            await fits_a_phone(page, "intake form, layanan")
            for label, then in (("KTP-el", "keluhan"), ("Lewati", "Periksa data pengaduan")):
                await log.locator(".msg.bot").last.get_by_role("button", name=label).click()
                await expect(log.locator(".msg.bot").last).to_contain_text(then)
            await fits_a_phone(page, "intake form, review")
            await page.screenshot(path=str(tmp_path / "phone-form.png"), full_page=True)
        finally:
            await browser.close()

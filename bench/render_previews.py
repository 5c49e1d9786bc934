"""Regenerate the README's document pictures from the code: docs/img/<document>.png.

    make docs-img                 (= .venv/bin/python bench/render_previews.py [--out DIR])

Nothing here draws a document itself. A demo office (the demo roster, the default
settings, a throwaway SQLite database and data folder, the demo signing key) works six
demo cases through the SOP with the bot's own commands, on a fixed clock: step 8 makes
the *surat tanggapan* as "Buat Surat Tanggapan" does, the Kepala Dinas signs it and the
Berita Acara of Kota Agung with the demo PIN, and the rekap, Mutu Baku and SOP chart
come from the report command. Page 1 of each stored PDF is drawn with pypdfium2 (the
signature stamps included), so the pictures are what users get. The output does not
change from run to run (fixed clock, fixed data, seeded verification codes): after a
change to a document, run it and commit the PNGs that changed.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import os
import random
import secrets
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from staffbot.app.bus import MessageBus, Tx  # noqa: E402
from staffbot.app.commands.cases import (  # noqa: E402
    Act,
    ActResult,
    IntakeForm,
    MakeBa,
    RecordCase,
    Sign,
    Who,
)
from staffbot.app.commands.chat import ReceiveApplicantFile  # noqa: E402
from staffbot.app.commands.files import GenerateResult  # noqa: E402
from staffbot.app.commands.reports import MakeReport, Period  # noqa: E402
from staffbot.app.commands.staff import DEMO_PIN, DEMO_ROSTER, SeedDemo  # noqa: E402

WIB = ZoneInfo("Asia/Jakarta")
#: Monday 23 November 2026, 08:00 WIB; each action takes the clock 3-40 minutes on
#: (seeded: the same minutes every run).
START = datetime(2026, 11, 23, 8, 0, tzinfo=WIB)
ROSTER = {role: nip for role, _name, nip, _sup in DEMO_ROSTER}
HAPPY = {
    "terima_wa": "forward",
    "angkat_data": "done",
    "cetak_berkas": "done",
    "loket": "approve",
    "verifikasi_kasi": "approve",
    "entri_data": "submit_tte",
    "ttd_kadis": "sign",
    "cetak_dokumen": "done",
    "paraf_kabid": "paraf",
    "pilah": "done",
    "kirim_pdf": "send_pdf",
}
#: The demo cases; the first shows in the bukti, berkas and surat, the Kota Agung ones
#: go into the Berita Acara, all of them into the rekap.
CASES = (
    IntakeForm(
        "Siti Aminah",
        "1806054501900001",
        "0812-3456-7890",
        "Kota Agung",
        "KTP-el",
        "KTP-el hilang, mohon dicetak ulang",
    ),
    IntakeForm("Ahmad Rifai", "1806051203850002", "0813-1111-2222", "Kota Agung", "KK"),
    IntakeForm(
        "Dewi Sartika", "1806056708920003", "0821-3333-4444", "Kota Agung", "Akta Kelahiran"
    ),
    IntakeForm("Rudi Hartono", "1806121505880004", "0852-5555-6666", "Gisting", "KTP-el"),
    IntakeForm("Nur Aisyah", "1806114410950005", "0857-7777-8888", "Talang Padang", "KIA"),
    IntakeForm("Yusuf Maulana", "1806150102800006", "0811-9999-0000", "Pugung", "Akta Kematian"),
)
#: picture name -> the stored document's kind
PICTURES = {
    "bukti_pendaftaran": "bukti_pendaftaran",
    "berkas_cetak": "berkas_cetak",
    "surat_tanggapan": "hasil_ttd",
    "berita_acara": "berita_acara_ttd",
}


def _seeded_secrets() -> None:
    """Verification codes (and so the QR codes) from a seeded generator: the same
    pictures every run. Only in this process, which makes pictures and nothing else."""
    rng = random.Random(13)

    def token_urlsafe(nbytes: int | None = None) -> str:
        return base64.urlsafe_b64encode(rng.randbytes(nbytes or 32)).rstrip(b"=").decode()

    def token_hex(nbytes: int | None = None) -> str:
        return rng.randbytes(nbytes or 32).hex()

    secrets.token_urlsafe = token_urlsafe
    secrets.token_hex = token_hex


def _photo() -> bytes:
    """The applicant's photo of their old KTP (a grey card: no real person's data)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 400), (214, 226, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((24, 24, 616, 376), outline=(60, 90, 140), width=6)
    draw.rectangle((440, 90, 580, 280), fill=(170, 185, 205))
    draw.text((48, 48), "CONTOH - KTP LAMA", fill=(30, 40, 60))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


class Office:
    """The demo office: its bus, its clock, and the documents it stored."""

    def __init__(self, bus: MessageBus, clock: object) -> None:
        self.bus = bus
        self.clock = clock
        self.minutes = random.Random(2026)

    def tick(self) -> None:
        self.clock.advance(timedelta(minutes=self.minutes.randint(3, 40)))  # type: ignore[attr-defined]

    async def step_of(self, number: str) -> str:
        async with self.bus.db.uow(readonly=True) as uow:
            case = await uow.cases.by_number(number)
            assert case is not None
            return case.step

    async def act(self, number: str, action: str, role: str) -> ActResult:
        who = Who(nip=ROSTER[role])
        self.tick()
        if action == "sign":
            [outcome] = await self.bus.handle(Sign(who, DEMO_PIN, refs=(number,)))
            if outcome.error is not None:
                raise outcome.error
            assert outcome.result is not None
            return outcome.result
        if action == "submit_tte":
            # what "Buat Surat Tanggapan" (and `case act --generate`) does
            async def generate_and_submit(tx: Tx) -> ActResult:
                document_id = await tx.run(GenerateResult(who, number))
                return await tx.run(Act(who, action, ref=number, attachment_id=document_id))

            return await self.bus.atomically(generate_and_submit)
        return await self.bus.handle(Act(who, action, ref=number))

    async def work(self, form: IntakeForm, *, photo: bytes | None = None) -> str:
        self.tick()
        case = await self.bus.handle(RecordCase(Who(nip=ROSTER["petugas_call_center"]), form))
        if photo is not None:
            await self.bus.handle(ReceiveApplicantFile(case.case_id, photo, "ktp-lama.jpg"))
        while (step := await self.step_of(case.number)) in HAPPY:
            role = self.bus.office.flow.step(step).role
            await self.act(case.number, HAPPY[step], role)
        return case.number

    async def pdf_of(self, number: str, kind: str) -> bytes:
        async with self.bus.db.uow(readonly=True) as uow:
            case = await uow.cases.by_number(number)
            assert case is not None and case.id is not None
            found = list(await uow.documents.of_case(case.id, kind))
            if not found and case.ba_id is not None:
                found = list(await uow.documents.of_ba(case.ba_id, kind))
        assert found, f"{number} has no {kind}"
        return (self.bus.office.data_dir / found[-1].path).read_bytes()


async def make_pdfs(tmp: Path) -> dict[str, bytes]:
    from staffbot.admin import init_demo_pki
    from staffbot.bootstrap import build_bus, build_calendar, build_office
    from staffbot.clock import FixedClock
    from staffbot.documents.engine import ThreadEngine
    from staffbot.settings import Settings
    from storage.db import Database
    from storage.migrate import upgrade

    url = f"sqlite+aiosqlite:///{tmp / 'demo.db'}"
    settings = Settings(database_url=url, data_dir=tmp / "data", _env_file=None)  # type: ignore[call-arg]
    clock = FixedClock(START)
    await upgrade(url)
    kadis = DEMO_ROSTER[0]
    init_demo_pki(settings, clock, kadis_name=kadis[1], kadis_nip=kadis[2])
    calendar = build_calendar(settings, clock.now(), {}, set())
    engine = ThreadEngine(tmp / "fonts")
    office = build_office(settings, clock, calendar, engine=engine)
    db = Database(url)
    await db.initialize()
    try:
        demo = Office(build_bus(db, office), clock)
        await demo.bus.handle(SeedDemo())
        numbers = [await demo.work(CASES[0], photo=_photo())]
        numbers += [await demo.work(form) for form in CASES[1:]]
        demo.tick()
        kasi = Who(nip=ROSTER["kasi_inovasi"])
        [ba] = await demo.bus.handle(MakeBa(kasi, kecamatan="Kota Agung"))
        demo.tick()
        [outcome] = await demo.bus.handle(
            Sign(Who(nip=ROSTER["kepala_dinas"]), DEMO_PIN, refs=(ba.number,))
        )
        assert outcome.error is None, outcome.error
        pdfs = {name: await demo.pdf_of(numbers[0], kind) for name, kind in PICTURES.items()}
        today = clock.now().astimezone(WIB).date()
        period = Period(date(today.year, today.month, 1), today)
        for name, kind in (("rekap_kecamatan", "rekap"), ("mutu_baku", "mutu_baku")):
            pdfs[name] = (await demo.bus.handle(MakeReport(kind, period))).pdf  # type: ignore[arg-type]
        pdfs["sop_chart"] = (await demo.bus.handle(MakeReport("sop"))).pdf
        return pdfs
    finally:
        await db.shutdown()


def draw(pdf: bytes, target: Path, dpi: int) -> None:
    """Page 1 as a PNG, signature stamps (form widgets) included."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        document.init_forms()  # else pdfium leaves the signature widgets (the stamps) out
        page = document[0]
        image = page.render(scale=dpi / 72, may_draw_forms=True).to_pil().convert("RGB")
        image.save(target, format="PNG", optimize=True)
    finally:
        document.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    parser.add_argument("--dpi", type=int, default=60)
    args = parser.parse_args()
    for name in [n for n in os.environ if n.startswith("STAFFBOT_")]:
        del os.environ[name]  # the defaults, as a new installation has them
    _seeded_secrets()
    started = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        pdfs = asyncio.run(make_pdfs(Path(tmp_name)))
    for name, data in pdfs.items():
        target = args.out / f"{name}.png"
        draw(data, target, args.dpi)
        print(target)
    print(f"{len(pdfs)} pictures in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()

"""Prompts belong to their card, on every channel (issue 19): an operator who presses
"Ajukan TTE" on case A and then on case B has both waiting; each prompt's "Buat Surat
Tanggapan" resolves its own case (A's still works after B's press), and each reply
names the case it applied to."""

from __future__ import annotations

from pathlib import Path

import pytest

from staffbot.bootstrap import build_bus
from staffbot.services.context import Office
from storage.db import Database
from tests.contract.conftest import open_desk
from tests.contract.harness import Seen
from tests.handlers.support import advance_to, record
from tests.support import FORM

VARIANTS = {
    "web": ("web", "ptb"),
    "telegram-ptb": ("telegram", "ptb"),
    "telegram-aiogram": ("telegram", "aiogram"),
    "whatsapp": ("whatsapp", "ptb"),
}
OPERATOR = "operator"  # SOP step 8: enters the data and submits the letter for the TTE


@pytest.mark.parametrize("variant", list(VARIANTS))
async def test_two_open_prompts_resolve_each_on_its_own_card(
    variant: str, db: Database, office: Office, tmp_path: Path
) -> None:
    platform, library = VARIANTS[variant]
    async with open_desk(db, office, tmp_path, {OPERATOR: platform}, library=library) as desk:
        operator = desk.person(OPERATOR)
        await desk.join(operator)
        bus = build_bus(db, office)
        a, b = (await record(bus)).number, (await record(bus, FORM)).number
        for number in (a, b):
            await advance_to(bus, number, "entri_data")
        await desk.settle()

        for number in (a, b):
            await desk.press(operator, "Ajukan TTE", on=number)
        prompt_a = _prompt_of(await desk.transcript(operator), a)
        toast = await desk.tap(operator, prompt_a, "Buat Surat Tanggapan")
        assert f"Diajukan TTE: {a}" in toast, toast  # the answer names its case
        said = (await desk.transcript(operator))[-1].text
        assert f"Masih menunggu dokumen hasil untuk {b}" in said, said
        prompt_b = _prompt_of(await desk.transcript(operator), b)
        toast = await desk.tap(operator, prompt_b, "Buat Surat Tanggapan")
        assert f"Diajukan TTE: {b}" in toast, toast

        steps = {}
        async with db.uow(readonly=True) as uow:
            for number in (a, b):
                case = await uow.cases.by_number(number)
                assert case is not None
                steps[number] = case.step
        assert steps == {a: "ttd_kadis", b: "ttd_kadis"}
        # B's answer said nothing was waiting any more: only A's said B was
        waiting = [m for m in await desk.transcript(operator) if "Masih menunggu" in m.text]
        assert len(waiting) == 1, waiting


def _prompt_of(transcript: list[Seen], number: str) -> Seen:
    [prompt] = [
        m
        for m in transcript
        if number in m.first_text and "Buat Surat Tanggapan" in m.first_buttons
    ]
    return prompt

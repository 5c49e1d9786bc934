"""The command line: one case through all 15 steps with `case act`, JSON for scripts,
`audit verify` catching a tampered row, `pdf verify` catching a changed byte."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from staffbot.cli.root import app
from tests.support import HAPPY, PIN, ROSTER, tiny_pdf

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path: Path, sqlite_template: Path, demo_pki: Path) -> dict[str, str]:
    shutil.copy(sqlite_template, tmp_path / "cli.db")
    shutil.copytree(demo_pki, tmp_path / "data" / "signing")
    return {
        "STAFFBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "STAFFBOT_DATA_DIR": str(tmp_path / "data"),
    }


def run(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def show(env: dict[str, str], number: str) -> dict[str, object]:
    return json.loads(run(env, "case", "show", number, "--json"))


def test_a_case_through_all_steps_on_the_command_line(env: dict[str, str], tmp_path: Path) -> None:
    run(env, "staff", "seed-demo")
    staff = json.loads(run(env, "staff", "list", "--json"))
    assert {s["roles"][0] for s in staff} == set(ROSTER)
    created = json.loads(
        run(
            env,
            "case",
            "new",
            "--name",
            "Siti Aminah",
            "--nik",
            "1806054501900001",
            "--wa",
            "0812-3456-7890",
            "--kecamatan",
            "Gisting",
            "--layanan",
            "KK",
            "--json",
        )
    )
    number = created["number"]
    result = tmp_path / "hasil.pdf"
    result.write_bytes(tiny_pdf("kk"))
    while (view := show(env, number))["step"] != "buat_ba":
        step = str(view["step"])
        action = HAPPY[step]
        assert action in view["actions"]  # type: ignore[operator]
        extra = []
        if action == "submit_tte":
            extra = ["--attachment", str(result)]
        if action == "sign":
            extra = ["--pin", PIN]
        run(
            env,
            "case",
            "act",
            number,
            "--as",
            ROSTER[str(view["role"])],
            "--action",
            action,
            *extra,
        )
    ba = json.loads(run(env, "ba", "make", "--as", ROSTER["kasi_inovasi"], number, "--json"))
    assert ba[0]["ba_number"] == "470/1/BA/DISDUKCAPIL/2026"
    run(
        env, "case", "act", number, "--as", ROSTER["kepala_dinas"], "--action", "sign", "--pin", PIN
    )
    final = show(env, number)
    assert (final["status"], final["step"], final["actions"]) == ("closed", "ttd_ba", [])
    assert final["registration_no"] == "REG-2026-00001"
    assert final["applicant"] == {
        "name": "Siti Aminah",
        "nik": "1806********0001",
        "wa": "+62 812-****-7890",
        "nik_outside": False,
    }
    steps = [h["step"] for h in final["history"]]  # type: ignore[union-attr]
    assert steps[0] == "telepon" and steps[-1] == "ttd_ba" and len(steps) == 15
    assert "jejak audit utuh" in run(env, "audit", "verify")


def test_refusals_exit_non_zero_with_the_message(env: dict[str, str]) -> None:
    run(env, "staff", "seed-demo")
    result = CliRunner().invoke(
        app,
        [
            "case",
            "new",
            "--name",
            "A",
            "--nik",
            "123",
            "--wa",
            "0812345678",
            "--kecamatan",
            "Gisting",
            "--layanan",
            "KK",
        ],
        env=env,
    )
    assert result.exit_code == 1
    assert "NIK harus 16 digit angka." in result.output


def test_audit_verify_detects_a_tampered_row(env: dict[str, str]) -> None:
    run(env, "staff", "seed-demo")
    assert "jejak audit utuh" in run(env, "audit", "verify")
    db = env["STAFFBOT_DATABASE_URL"].removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE audit_event SET actor = 'penyusup' WHERE seq = 3")
    result = CliRunner().invoke(app, ["audit", "verify"], env=env)
    assert result.exit_code == 1
    assert "RUSAK pada kejadian 3" in result.output


def test_pdf_verify_reports_a_changed_byte(env: dict[str, str], tmp_path: Path) -> None:
    run(env, "staff", "seed-demo")
    original = tmp_path / "sop.pdf"
    run(env, "report", "sop", "--out", str(original))
    assert "sah: Bagan SOP" in run(env, "pdf", "verify", str(original))
    data = bytearray(original.read_bytes())
    data[len(data) // 2] ^= 0x01
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(bytes(data))
    result = CliRunner().invoke(app, ["pdf", "verify", str(changed)], env=env)
    assert result.exit_code == 1
    assert "tidak dikenal" in result.output


def test_main_py_runs_as_a_script() -> None:
    out = subprocess.run(
        [sys.executable, "main.py", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    for verb in ("run", "migrate", "staff", "flow", "case", "audit", "report", "pdf"):
        assert verb in out
    chart = subprocess.run(
        [sys.executable, "main.py", "flow", "show", "--format", "mermaid"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert chart.startswith("flowchart TD")


def test_case_claim_on_the_command_line(env: dict[str, str]) -> None:
    run(env, "staff", "seed-demo")
    lina = "199512122020122013"
    run(
        env,
        "staff",
        "add",
        "--name",
        "Lina Marlina",
        "--nip",
        lina,
        "--role",
        "operator_penerima_wa",
    )
    args = ["--name", "Siti Aminah", "--nik", "1806054501900001", "--wa", "081234567890"]
    created = json.loads(
        run(env, "case", "new", *args, "--kecamatan", "Gisting", "--layanan", "KK", "--json")
    )
    number = created["number"]
    claimed = run(env, "case", "claim", number, "--as", lina)
    assert " ".join(claimed.split()) == (
        f"✔ {number}: langkah 3 kini dipegang Lina Marlina; kartu Andi Saputra diperbarui"
    )
    view = show(env, number)
    assert view["task"]["assignee"] == "Lina Marlina"  # type: ignore[index]
    andi = ROSTER["operator_penerima_wa"]
    refused = CliRunner().invoke(app, ["case", "claim", number, "--as", andi], env=env)
    assert refused.exit_code == 1
    assert re.search(
        r"Tugas ini sudah diambil oleh Lina Marlina pada \d\d:\d\d\.", refused.output
    ), refused.output
    acted = CliRunner().invoke(
        app, ["case", "act", number, "--as", andi, "--action", "forward"], env=env
    )
    assert acted.exit_code == 1
    assert "Tugas ini sudah diambil oleh Lina Marlina." in acted.output, acted.output
    assert lina not in acted.output  # the person, not her NIP
    again = json.loads(run(env, "case", "claim", number, "--as", lina, "--json"))
    assert (again["changed"], again["claimer"]) == (False, "Lina Marlina")
    run(env, "case", "act", number, "--as", lina, "--action", "forward")
    assert show(env, number)["step"] == "angkat_data"


async def _at_buat_ba(env: dict[str, str]) -> str:
    """A case driven to step 14 through the services, on the command line's database."""
    from staffbot.bootstrap import open_app
    from staffbot.settings import Settings
    from tests.support import Desk

    settings = Settings(
        database_url=env["STAFFBOT_DATABASE_URL"], data_dir=Path(env["STAFFBOT_DATA_DIR"])
    )
    async with open_app(settings) as built:
        desk = Desk(built.db, built.office)
        number = (await desk.new_case()).number
        await desk.advance_to(number, "buat_ba")
    return number


def test_a_berita_acara_is_claimed_and_signed_by_its_number(env: dict[str, str]) -> None:
    run(env, "staff", "seed-demo")
    number = asyncio.run(_at_buat_ba(env))
    [made] = json.loads(run(env, "ba", "make", "--as", ROSTER["kasi_inovasi"], number, "--json"))
    ba_number = made["ba_number"]
    kadis = ROSTER["kepala_dinas"]
    claimed = json.loads(run(env, "case", "claim", ba_number, "--as", kadis, "--json"))
    assert (claimed["number"], claimed["step"], claimed["changed"]) == (ba_number, "ttd_ba", True)
    waiting = show(env, ba_number)
    assert (waiting["kind"], waiting["step"], waiting["cases"]) == ("ba", "ttd_ba", [number])
    assert waiting["applicant"] is None
    shown = " ".join(run(env, "case", "show", ba_number).split())
    assert f"{ba_number} ·" in shown and f"kasus: {number}" in shown
    signed = run(env, "case", "act", ba_number, "--as", kadis, "--action", "sign", "--pin", PIN)
    assert f"{ba_number}: Ditandatangani oleh" in " ".join(signed.split())
    final = show(env, number)
    assert (final["status"], final["step"], final["actions"]) == ("closed", "ttd_ba", [])
    # signed already: the second try says who signed, and exits non-zero
    again = CliRunner().invoke(
        app,
        ["case", "act", ba_number, "--as", kadis, "--action", "sign", "--pin", PIN],
        env=env,
    )
    assert again.exit_code == 1
    assert "Sudah diproses oleh Ahmad Fauzi" in again.output


def test_set_cards_chooses_the_digest_and_refuses_an_unknown_choice(env: dict[str, str]) -> None:
    run(env, "staff", "seed-demo")
    kadis = "197903031998101001"
    assert "kartu tugas" in run(env, "staff", "set-cards", kadis, "digest")
    refused = CliRunner().invoke(app, ["staff", "set-cards", kadis, "semua"], env=env)
    assert refused.exit_code == 1
    assert 'Pilihan kartu "semua" tidak dikenal' in refused.output


def test_case_act_generate_makes_the_letter_as_the_chat_does(env: dict[str, str]) -> None:
    """`case act N --action submit_tte --generate`: what the chat's "Buat Surat
    Tanggapan" does at step 8, the letter and the submission in one transaction."""
    run(env, "staff", "seed-demo")
    args = ["--name", "Siti Aminah", "--nik", "1806054501900001", "--wa", "081234567890"]
    number = json.loads(
        run(env, "case", "new", *args, "--kecamatan", "Gisting", "--layanan", "KK", "--json")
    )["number"]
    while (view := show(env, number))["step"] != "entri_data":
        action = HAPPY[str(view["step"])]
        run(env, "case", "act", number, "--as", ROSTER[str(view["role"])], "--action", action)
    db = env["STAFFBOT_DATABASE_URL"].removeprefix("sqlite+aiosqlite:///")

    def letters() -> list[tuple[str, str]]:
        with sqlite3.connect(db) as conn:
            return conn.execute(
                "SELECT kind, filename FROM document WHERE kind = 'hasil' ORDER BY id"
            ).fetchall()

    # refused (not the operator): no letter is left behind
    kabid = ROSTER["kepala_bidang"]
    refused = CliRunner().invoke(
        app,
        ["case", "act", number, "--as", kabid, "--action", "submit_tte", "--generate"],
        env=env,
    )
    assert refused.exit_code == 1 and letters() == []

    out = run(
        env,
        "case",
        "act",
        number,
        "--as",
        ROSTER["operator"],
        "--action",
        "submit_tte",
        "--generate",
        "--json",
    )
    [result] = json.loads(out)
    assert (result["from_step"], result["to_step"]) == ("entri_data", "ttd_kadis")
    assert letters() == [("hasil", f"surat-tanggapan-{number}.pdf")]
    run(
        env, "case", "act", number, "--as", ROSTER["kepala_dinas"], "--action", "sign", "--pin", PIN
    )
    assert show(env, number)["step"] == "cetak_dokumen"

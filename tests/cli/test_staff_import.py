"""`staff import` from the spreadsheet an office keeps (csv and xlsx)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from staffbot.cli.root import app


@pytest.fixture
def env(tmp_path: Path, sqlite_template: Path) -> dict[str, str]:
    shutil.copy(sqlite_template, tmp_path / "cli.db")
    return {
        "STAFFBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "STAFFBOT_DATA_DIR": str(tmp_path / "data"),
    }


def test_csv_and_xlsx_rosters(env: dict[str, str], tmp_path: Path) -> None:
    roster = tmp_path / "petugas.csv"
    roster.write_text(
        "Nama;NIP;Peran;Telegram;WhatsApp;Atasan\n"
        "Andi;199102022015031006;operator_penerima_wa;;0812 1111 2222;198307142008011003\n"
        "Hendra;198307142008011003;kasi_identitas_penduduk;5550001;;\n"
        "Salah;123;operator;;;\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["staff", "import", str(roster), "--json"], env=env)
    assert result.exit_code == 1  # one bad row
    report = json.loads(result.output)
    assert report["added"] == ["199102022015031006", "198307142008011003"]
    assert report["errors"] == [[4, "NIP harus 18 digit angka (spasi boleh)."]]
    listed = {
        s["nip"]: s
        for s in json.loads(CliRunner().invoke(app, ["staff", "list", "--json"], env=env).output)
    }
    assert listed["199102022015031006"]["supervisor"] == "198307142008011003"
    assert listed["199102022015031006"]["whatsapp"] == "+6281211112222"
    assert listed["198307142008011003"]["channel"] == "telegram"

    book = Workbook()
    sheet = book.active
    sheet.append(["nama", "nip", "peran", "telegram"])
    sheet.append(["Andi Saputra", "199102022015031006", "operator_penerima_wa, operator", None])
    book.save(tmp_path / "petugas.xlsx")
    result = CliRunner().invoke(
        app, ["staff", "import", str(tmp_path / "petugas.xlsx"), "--json"], env=env
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["updated"] == ["199102022015031006"]
    listed = {
        s["nip"]: s
        for s in json.loads(CliRunner().invoke(app, ["staff", "list", "--json"], env=env).output)
    }
    assert listed["199102022015031006"]["roles"] == ["operator", "operator_penerima_wa"]
    assert listed["199102022015031006"]["whatsapp"] == "+6281211112222"  # kept

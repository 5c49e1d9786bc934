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


def listed(env: dict[str, str]) -> dict[str, dict[str, object]]:
    result = CliRunner().invoke(app, ["staff", "list", "--json"], env=env)
    assert result.exit_code == 0, result.output
    return {s["nip"]: s for s in json.loads(result.output)}


def test_the_roster_carries_pangkat_and_jabatan(env: dict[str, str], tmp_path: Path) -> None:
    roster = tmp_path / "petugas.csv"
    roster.write_text(
        "Nama,NIP,Peran,Pangkat/Golongan,Jabatan\n"
        'Maradona,197909031998101001,kepala_dinas,Pembina Utama Muda (IV/c),"Kepala Dinas '
        'Kependudukan dan Pencatatan Sipil Kabupaten Tanggamus"\n'
        "Yusuf,199506062019031010,operator,,\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["staff", "import", str(roster), "--json"], env=env)
    assert result.exit_code == 0, result.output
    staff = listed(env)
    kadis = staff["197909031998101001"]
    assert kadis["pangkat"] == "Pembina Utama Muda (IV/c)"
    assert kadis["jabatan"] == "Kepala Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tanggamus"
    assert (staff["199506062019031010"]["pangkat"], staff["199506062019031010"]["jabatan"]) == (
        None,
        None,
    )

    # staff edit changes them; "" clears one; a row without them leaves them alone
    edit = ["staff", "edit", "199506062019031010", "--pangkat", "Penata Muda (III/a)"]
    assert CliRunner().invoke(app, edit, env=env).exit_code == 0
    clear = ["staff", "edit", "197909031998101001", "--jabatan", ""]
    assert CliRunner().invoke(app, clear, env=env).exit_code == 0
    roster.write_text("nama,nip,peran\nMaradona,197909031998101001,kepala_dinas\n", "utf-8")
    assert CliRunner().invoke(app, ["staff", "import", str(roster)], env=env).exit_code == 0
    staff = listed(env)
    assert staff["199506062019031010"]["pangkat"] == "Penata Muda (III/a)"
    assert staff["197909031998101001"]["pangkat"] == "Pembina Utama Muda (IV/c)"
    assert staff["197909031998101001"]["jabatan"] is None


def test_staff_add_takes_pangkat_and_jabatan(env: dict[str, str]) -> None:
    add = [
        "staff",
        "add",
        "--name",
        "Nurhayati, S.E.",
        "--nip",
        "19810512 200501 2 002",
        "--role",
        "kepala_bidang",
        "--pangkat",
        "Pembina (IV/a)",
        "--jabatan",
        "Kepala Bidang Pelayanan Pendaftaran Penduduk",
    ]
    result = CliRunner().invoke(app, add, env=env)
    assert result.exit_code == 0, result.output
    kabid = listed(env)["198105122005012002"]
    assert (kabid["pangkat"], kabid["jabatan"]) == (
        "Pembina (IV/a)",
        "Kepala Bidang Pelayanan Pendaftaran Penduduk",
    )
    too_long = ["staff", "edit", "198105122005012002", "--pangkat", "x" * 81]
    result = CliRunner().invoke(app, too_long, env=env)
    assert result.exit_code == 1 and "Pangkat/golongan terlalu panjang" in result.output


def test_a_bad_number_pattern_stops_every_verb_with_a_clear_message(
    env: dict[str, str],
) -> None:
    bad = {**env, "STAFFBOT_NUMBER_BA": "470/{nomor}/BA/{year}"}
    result = CliRunner().invoke(app, ["staff", "list"], env=bad)
    assert result.exit_code == 2
    assert "Pengaturan tidak valid" in result.output
    assert "STAFFBOT_NUMBER_BA: pola nomor '470/{nomor}/BA/{year}' memakai {nomor}" in result.output
    assert "Traceback" not in result.output and "pydantic" not in result.output

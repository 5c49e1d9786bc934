"""What the benchmarks share: scratch databases (SQLite file, PostgreSQL of our own), an
office wired as the bootstrap wires it, the machine's description, percentiles, JSON output."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the doubles live in tests/
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
PG_SERVER = os.environ.get("STAFFBOT_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
BACKENDS = ("sqlite", "postgres")


@dataclass
class Scratch:
    """A migrated database for one measurement and the data dir beside it."""

    backend: str
    url: str
    folder: Path


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(f"{PG_SERVER}/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def scratch_database(
    backend: str, folder: Path, *, migrate: bool = True
) -> AsyncIterator[Scratch]:
    """A fresh database: an SQLite file (WAL, as the bot runs it) or a PostgreSQL database
    created on the local server for this run and dropped afterwards."""
    from storage.migrate import upgrade

    folder.mkdir(parents=True, exist_ok=True)
    name = f"staffbot_bench_{uuid.uuid4().hex[:10]}"
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{folder / name}.db"
    elif backend == "postgres":
        await _pg_admin(f'CREATE DATABASE "{name}"')
        url = f"{PG_SERVER.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
    else:
        raise ValueError(backend)
    try:
        if migrate:
            await upgrade(url)
        yield Scratch(backend, url, folder)
    finally:
        if backend == "postgres":
            await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_settings(url: str, data_dir: Path, **extra: Any) -> Any:
    from staffbot.settings import Settings

    return Settings(database_url=url, data_dir=data_dir, _env_file=None, **extra)  # type: ignore[call-arg]


def build_bench_office(settings: Any, clock: Any) -> Any:
    """The office as `run` builds it, with the demo PKI (Kepala Dinas PIN 123456)."""
    from staffbot.admin import init_demo_pki
    from staffbot.app.commands.staff import DEMO_ROSTER
    from staffbot.bootstrap import build_calendar, build_office, signing_dir
    from staffbot.documents.pki import PKCS12_FILE

    _role, name, nip, _sup = DEMO_ROSTER[0]
    if not (signing_dir(settings) / PKCS12_FILE).exists():
        init_demo_pki(settings, clock, kadis_name=name, kadis_nip=nip)
    return build_office(settings, clock, build_calendar(settings, clock.now(), {}, set()))


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty sample."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 1),
        "p90_ms": round(percentile(ms, 90), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "max_ms": round(max(ms), 1) if ms else float("nan"),
        "mean_ms": round(statistics.fmean(ms), 1) if ms else float("nan"),
    }


def _pg_version() -> str:
    try:
        out = subprocess.run(
            ["psql", PG_SERVER, "-tAc", "SHOW server_version"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        return out.stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def machine() -> dict[str, Any]:
    cpu = platform.processor() or "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram_gb = None
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": _pg_version(),
        "platform": platform.platform(),
    }


def write_result(name: str, document: dict[str, Any], out: Path | None = None) -> Path:
    target = out or RESULTS / f"{name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    document = {"when": datetime.now(UTC).isoformat(timespec="seconds"), **document}
    target.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def remove(path: Path) -> None:
    if os.environ.get("STAFFBOT_BENCH_KEEP"):  # look at a failed run's files and logs
        print(f"kept {path}", file=sys.stderr)
        return
    shutil.rmtree(path, ignore_errors=True)


async def stop_gently(proc: Any) -> None:
    """SIGTERM (the bot's clean stop), SIGKILL after 30 s."""
    import asyncio

    if proc.returncode is not None:
        return
    proc.terminate()
    try:
        async with asyncio.timeout(30):
            await proc.wait()
    except TimeoutError:
        proc.kill()
        await proc.wait()


def intake_form(i: int, kecamatan: str) -> Any:
    """The ``i``-th benchmark applicant (a distinct WhatsApp number each)."""
    from staffbot.app.commands.cases import IntakeForm

    return IntakeForm(
        name=f"Pemohon Uji {i:04d}",
        nik="1806054501900001",
        wa=f"0812-7{i:07d}",
        kecamatan=kecamatan,
        layanan="KTP-el",
        keluhan="KTP-el hilang, mohon dicetak ulang",
    )

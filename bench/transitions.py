"""Transitions per second through the service layer, beside the raw commit rate.

    .venv/bin/python -m bench.transitions [--cases 40] [--backends sqlite,postgres]
        [--out bench/results/transitions.json]

N cases go through the whole SOP the way the buttons drive it: record (step 2), forward,
done, done, approve (registration number and *bukti pendaftaran*), the *Surat
Tanggapan* generated and submitted for TTE in one transaction (as the chat's "Buat
Surat Tanggapan" button does), signed with the PIN (the Sign process: checks, the PAdES
signature outside the transaction, then the transition), done, paraf, done, send_pdf,
one Berita Acara per kecamatan (make_ba) and its signature. Every press is a real
transaction with its audit event and outbox rows, on SQLite (file, WAL, as `run` uses it)
and on the local PostgreSQL (a database of our own, dropped afterwards).

In the same run, on the same engine: the raw commit rate, a loop of one-row INSERT
transactions (measured before and after the flow; the mean is the reference). The figure
is transitions/s divided by that rate (goal >= 0.40), reported for the presses that only
touch the database (steps 2, 3, 7, 10, 11, 12, 13) and, separately, for those that render
a PDF or sign (entering 5, 6, 8, 9, 14, 15), where the PDF work is what the time is spent on.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import (
    BACKENDS,
    bench_settings,
    build_bench_office,
    intake_form,
    machine,
    remove,
    scratch_database,
    write_result,
)

GOAL = 0.40
KECAMATAN = ("Kota Agung", "Gisting", "Talang Padang", "Pugung")
#: step -> (action, renders a PDF or signs)
FLOW = (
    ("terima_wa", "forward", False),
    ("angkat_data", "done", True),  # the case enters step 5: the printable dossier
    ("cetak_berkas", "done", False),
    ("loket", "approve", True),  # registration number and bukti pendaftaran
    ("verifikasi_kasi", "approve", False),
    ("entri_data", "submit_tte", True),  # Surat Tanggapan generated in the same turn
    ("ttd_kadis", "sign", True),
    ("cetak_dokumen", "done", False),
    ("paraf_kabid", "paraf", False),
    ("pilah", "done", False),
    ("kirim_pdf", "send_pdf", False),
)


@dataclass
class Tally:
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statements: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    documents: set[str] = field(default_factory=set)

    def add(self, kind: str, seconds: float, statements: int, *, document: bool) -> None:
        self.seconds[kind].append(seconds)
        self.statements[kind].append(statements)
        if document:
            self.documents.add(kind)


class StatementCounter:
    """Counts SQL statements sent on an engine (before_cursor_execute)."""

    def __init__(self, engines: list[Any]) -> None:
        from sqlalchemy import event

        self.count = 0
        self._engines = {id(e.sync_engine): e.sync_engine for e in engines}
        for engine in self._engines.values():
            event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1

    def close(self) -> None:
        from sqlalchemy import event

        for engine in self._engines.values():
            event.remove(engine, "before_cursor_execute", self._seen)


async def raw_commit_rate(db: Any, commits: int) -> float:
    """One-row INSERT transactions in a loop through the bot's own write engine."""
    from sqlalchemy import text

    engine = db.write_engine
    insert = text("INSERT INTO bench_commit (at, payload) VALUES (:at, :payload)")
    payload = "x" * 200
    started = time.perf_counter()
    for i in range(commits):
        async with engine.begin() as conn:
            await conn.execute(insert, {"at": time.time(), "payload": f"{i}:{payload}"})
    return commits / (time.perf_counter() - started)


async def make_commit_table(db: Any) -> None:
    from sqlalchemy import text

    serial = "INTEGER PRIMARY KEY AUTOINCREMENT" if db.is_sqlite else "BIGSERIAL PRIMARY KEY"
    async with db.write_engine.begin() as conn:
        await conn.execute(
            text(f"CREATE TABLE bench_commit (id {serial}, at FLOAT NOT NULL, payload TEXT)")
        )


async def drive(db: Any, office: Any, cases: int, tally: Tally, counter: StatementCounter) -> None:
    """``cases`` cases through the whole flow, step by step across all of them."""
    from staffbot.app.commands.cases import Act, MakeBa, RecordCase, Sign, Who
    from staffbot.app.commands.staff import DEMO_PIN, DEMO_ROSTER
    from staffbot.bootstrap import build_bus
    from staffbot.services import transitions
    from staffbot.services.locate import find_case

    roster = {role: nip for role, _name, nip, _sup in DEMO_ROSTER}
    bus = build_bus(db, office)

    async def timed(kind: str, document: bool, work: Callable[[], Awaitable[Any]]) -> Any:
        before = counter.count
        started = time.perf_counter()
        result = await work()
        tally.add(kind, time.perf_counter() - started, counter.count - before, document=document)
        return result

    async def signed(nip: str, task_id: int) -> Any:
        [outcome] = await bus.handle(Sign(Who(nip=nip), DEMO_PIN, task_ids=(task_id,)))
        if outcome.error is not None:
            raise outcome.error
        return outcome.result

    numbers: list[str] = []
    open_task: dict[str, int] = {}
    for i in range(cases):
        form = intake_form(i, KECAMATAN[i % len(KECAMATAN)])
        result = await timed(
            "2 record",
            False,
            lambda form=form: bus.handle(RecordCase(Who(nip=roster["petugas_call_center"]), form)),
        )
        numbers.append(result.number)
    for step_key, action, document in FLOW:
        step = office.flow.step(step_key)
        nip = roster[step.role]
        kind = f"{step.sop_no} {action}"
        for number in numbers:
            if action == "sign":
                result = await timed(
                    kind, document, lambda nip=nip, task_id=open_task[number]: signed(nip, task_id)
                )
            elif action == "submit_tte":

                async def submit(number: str = number, nip: str = nip) -> Any:
                    # The chat's "Buat Surat Tanggapan": generate and submit in one turn.
                    async with db.uow() as uow:
                        case = await find_case(uow, number)
                        task = await uow.tasks.open_for_case(case.id or 0)
                        assert task is not None
                        document_id = await office.generators["surat_tanggapan"](uow, office, task)
                        command = Act(
                            Who(nip=nip), "submit_tte", task_id=task.id, attachment_id=document_id
                        )
                        result = await transitions.act(command, uow, office)
                        await uow.commit()
                        return result

                result = await timed(kind, document, submit)
            else:
                result = await timed(
                    kind,
                    document,
                    lambda number=number, nip=nip, action=action: bus.handle(
                        Act(Who(nip=nip), action, ref=number)
                    ),
                )
            if result.next_task_id is not None:
                open_task[number] = result.next_task_id
    # Step 14: one Berita Acara per kecamatan, then the Kepala Dinas signs each (step 15).
    made = await timed(
        "14 make_ba",
        True,
        lambda: bus.handle(MakeBa(Who(nip=roster["kasi_inovasi"]), refs=tuple(numbers))),
    )
    tally.seconds["14 make_ba"] = [tally.seconds["14 make_ba"][0] / len(made)] * len(made)
    tally.statements["14 make_ba"] = [tally.statements["14 make_ba"][0] // len(made)] * len(made)
    for ba in made:
        assert ba.next_task_id is not None
        await timed(
            "15 sign",
            True,
            lambda task_id=ba.next_task_id: signed(roster["kepala_dinas"], task_id),
        )


def rates(tally: Tally, *, document: bool | None) -> tuple[int, float]:
    kinds = [k for k in tally.seconds if document is None or (k in tally.documents) == document]
    count = sum(len(tally.seconds[k]) for k in kinds)
    seconds = sum(sum(tally.seconds[k]) for k in kinds)
    return count, (count / seconds if seconds else 0.0)


async def run_backend(backend: str, cases: int, folder: Path, commits: int) -> dict[str, Any]:
    from staffbot.app.commands.staff import SeedDemo
    from staffbot.bootstrap import build_bus
    from staffbot.clock import SystemClock
    from storage.db import Database

    async with scratch_database(backend, folder / backend) as scratch:
        settings = bench_settings(scratch.url, folder / backend / "data")
        clock = SystemClock()
        office = await asyncio.to_thread(build_bench_office, settings, clock)
        db = Database(scratch.url)
        await db.initialize()
        try:
            await build_bus(db, office).handle(SeedDemo())
            await make_commit_table(db)
            counter = StatementCounter([db.write_engine, db.read_engine])
            # Warm-up (fonts, statement caches, the first PDF): not counted.
            await drive(db, office, 2, Tally(), counter)
            await raw_commit_rate(db, max(20, commits // 10))
            before = await raw_commit_rate(db, commits)
            tally = Tally()
            started = time.perf_counter()
            await drive(db, office, cases, tally, counter)
            wall = time.perf_counter() - started
            after = await raw_commit_rate(db, commits)
            counter.close()
        finally:
            await db.shutdown()
    raw = (before + after) / 2
    core_n, core_rate = rates(tally, document=False)
    doc_n, doc_rate = rates(tally, document=True)
    all_n, all_rate = rates(tally, document=None)
    per_action = {
        kind: {
            "presses": len(times),
            "median_ms": round(statistics.median(times) * 1000, 2),
            "mean_ms": round(statistics.fmean(times) * 1000, 2),
            "statements": round(statistics.fmean(tally.statements[kind]), 1),
            "document": kind in tally.documents,
        }
        for kind, times in sorted(tally.seconds.items(), key=lambda kv: int(kv[0].split()[0]))
    }
    return {
        "backend": backend,
        "cases": cases,
        "raw_commits_per_s": round(raw, 1),
        "raw_before_after": [round(before, 1), round(after, 1)],
        "db_only": {
            "presses": core_n,
            "per_s": round(core_rate, 1),
            "ratio": round(core_rate / raw, 3),
        },
        "with_documents": {
            "presses": doc_n,
            "per_s": round(doc_rate, 1),
            "ratio": round(doc_rate / raw, 3),
        },
        "all": {
            "presses": all_n,
            "per_s": round(all_rate, 1),
            "ratio": round(all_rate / raw, 3),
            "wall_s": round(wall, 1),
        },
        "per_action": per_action,
    }


def print_table(results: list[dict[str, Any]]) -> None:
    print(
        f"{'backend':<9} {'raw commit/s':>12} {'db-only /s':>10} {'ratio':>6} "
        f"{'with PDF /s':>11} {'ratio':>6} {'all /s':>7} {'ratio':>6}"
    )
    for r in results:
        print(
            f"{r['backend']:<9} {r['raw_commits_per_s']:>12.0f} {r['db_only']['per_s']:>10.1f} "
            f"{r['db_only']['ratio']:>6.2f} {r['with_documents']['per_s']:>11.1f} "
            f"{r['with_documents']['ratio']:>6.2f} {r['all']['per_s']:>7.1f} "
            f"{r['all']['ratio']:>6.2f}"
        )
    print(f"\ngoal: db-only ratio >= {GOAL:.2f} on both databases")
    print(f"\n{'action':<16}" + "".join(f"{r['backend'] + ' ms':>14}{'stmts':>7}" for r in results))
    kinds = list(results[0]["per_action"]) if results else []
    for kind in kinds:
        line = f"{kind + (' *' if results[0]['per_action'][kind]['document'] else ''):<16}"
        for r in results:
            a = r["per_action"][kind]
            line += f"{a['median_ms']:>14.1f}{a['statements']:>7.0f}"
        print(line)
    print("(* renders a PDF or signs; ms = median per press; stmts = SQL statements per press)")


async def run(backends: list[str], cases: int, commits: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="staffbot-bench-transitions-"))
    try:
        results = [await run_backend(b, cases, folder, commits) for b in backends]
    finally:
        remove(folder)
    return {
        "what": "presses through the service layer per second, and that rate over the raw "
        "one-row commit rate of the same engine",
        "goal_ratio": GOAL,
        "machine": machine(),
        "results": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--commits", type=int, default=400)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    document = asyncio.run(run(args.backends.split(","), args.cases, args.commits))
    print_table(document["results"])
    print(f"\nwritten {write_result('transitions', document, args.out)}")


if __name__ == "__main__":
    main()

"""Run every benchmark and write docs/PERFORMANCE.md (`make bench`).

    .venv/bin/python -m bench.run_all [--quick] [--only transitions,latency,...]

Each benchmark runs as a process of its own (one at a time: they measure the machine,
so they must not share it), prints its table and writes bench/results/<name>.json.
Then docs/PERFORMANCE.md gets the date, the machine, the commit, a table of every goal
with its figure, and each benchmark's printed table. The reading of the figures (what
stands between a figure and its goal, with the profiles) is in
docs/decisions/0009-performance.md. The whole suite takes about 9 minutes on the
2-core development machine; ``--quick`` runs smaller sizes in about 3 (not for the
record: the figures it writes say so).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bench.common import RESULTS, ROOT, machine

DOC = ROOT / "docs" / "PERFORMANCE.md"


@dataclass(frozen=True)
class Bench:
    name: str
    module: str
    args: tuple[str, ...]
    quick: tuple[str, ...]


BENCHES = (
    Bench("transitions", "bench.transitions", ("--cases", "40"), ("--cases", "10")),
    Bench("latency", "bench.latency", ("--presses", "150"), ("--presses", "40")),
    Bench(
        "fanout",
        "bench.flood",
        ("--messages", "1000", "--chats", "100"),
        ("--messages", "300", "--chats", "30"),
    ),
    Bench(
        "escalation",
        "bench.escalation",
        ("--big", "1000000", "--points", "100,1000,5000"),
        ("--big", "100000", "--points", "100,1000"),
    ),
    Bench("documents", "bench.documents", ("--runs", "20"), ("--runs", "5")),
    Bench(
        "footprint",
        "bench.footprint",
        ("--cases", "1000", "--starts", "3"),
        ("--cases", "200", "--starts", "1"),
    ),
)


def run_one(bench: Bench, quick: bool) -> tuple[str, float]:
    out = RESULTS / f"{bench.name}.json"
    command = [
        sys.executable,
        "-m",
        bench.module,
        *(bench.quick if quick else bench.args),
        "--out",
        str(out),
    ]
    print(f"\n== {bench.name}: {' '.join(command[2:])}", flush=True)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    print(done.stdout, end="", flush=True)
    if done.returncode != 0:
        print(done.stderr[-4000:], file=sys.stderr)
        raise SystemExit(f"{bench.name} failed (exit {done.returncode})")
    # the table without the "written ..." line
    table = "\n".join(
        line for line in done.stdout.splitlines() if not line.startswith("written")
    ).strip()
    return table, seconds


def load(name: str) -> dict[str, Any]:
    return dict(json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8")))


# -- the goals table ------------------------------------------------------------------------

Row = tuple[str, str, str, bool | None]


def _met(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**not met**")


def goals_transitions(d: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    for r in d["results"]:
        ratio = r["db_only"]["ratio"]
        rows.append(
            (
                f"Transitions, {r['backend']}: presses/s over the raw commit rate",
                f">= {d['goal_ratio']:.2f}",
                f"{ratio:.3f} ({r['db_only']['per_s']:.0f}/s vs {r['raw_commits_per_s']:.0f} "
                f"commits/s; with PDF steps {r['all']['per_s']:.0f}/s)",
                ratio >= d["goal_ratio"],
            )
        )
    return rows


def goals_latency(d: dict[str, Any]) -> list[Row]:
    goal = d["goal"]
    return [
        (
            f"Button to next card, {r['library']} {r['mode']} (p50 / p99)",
            f"< {goal['p50_ms']:.0f} / < {goal['p99_ms']:.0f} ms",
            f"{r['next_card']['p50_ms']:.0f} / {r['next_card']['p99_ms']:.0f} ms",
            bool(r["goal_met"]),
        )
        for r in d["results"]
    ]


def goals_fanout(d: dict[str, Any]) -> list[Row]:
    return [
        (
            f"Fan-out {r['messages']} messages to {r['chats']} chats, {r['library']}",
            ">= 0.90 of 30 msg/s, 0 × 429",
            f"{r['share_of_ceiling']:.3f} ({r['rate']} msg/s), {r['flood_429s']} × 429",
            r["share_of_ceiling"] >= 0.90
            and r["flood_429s"] == 0
            and r["delivered"] == r["messages"],
        )
        for r in d["telegram"]
    ]


def goals_escalation(d: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    for r in d["results"]:
        biggest = max(p["finished_tasks"] for p in r["points"])
        at_big = sorted(
            (p for p in r["points"] if p["finished_tasks"] == biggest), key=lambda p: p["overdue"]
        )
        figures = ", ".join(f"{p['overdue']} overdue {p['pass_ms']:.0f} ms" for p in at_big)
        rows.append(
            (
                f"Escalation scan, {r['backend']}, {biggest:,} finished + 10,000 open tasks",
                "follows the overdue count; index used",
                f"idle {r['idle_scan_ms']} ms; {figures}",
                bool(r["plan_uses_index"]),
            )
        )
    return rows


def goals_documents(d: dict[str, Any]) -> list[Row]:
    sign = d["signing_ec_p256"]
    ba = d["documents"]["berita_acara_500"]
    return [
        (
            "Signed A4 letter (render + PAdES, EC P-256)",
            "< 60 ms",
            f"{sign['render_and_sign_ms']} ms ({sign['signed_bytes'] // 1024} KB)",
            bool(d["goals"]["render_and_sign_a4_under_60ms"]),
        ),
        (
            "Berita Acara with 500 rows",
            "< 1 s",
            f"{ba['ms_subset_font']} ms ({ba['pages']} pages, {ba['bytes'] // 1024} KB)",
            bool(d["goals"]["berita_acara_500_rows_under_1s"]),
        ),
    ]


def goals_footprint(d: dict[str, Any]) -> list[Row]:
    ptb = d["startup"][0]
    mem = d["memory"]
    return [
        (
            "Start-up to ready with python-telegram-bot (warm / first start)",
            f"< {d['goal']['warm_start_s_ptb']:.0f} s",
            f"{ptb['warm_median_s']} s / {ptb['cold_s']} s",
            bool(d["goal_met"]["start"]),
        ),
        (
            f"RSS of the bot idle / after {mem['cases']} cases",
            f"< {d['goal']['rss_mb']:.0f} MB",
            f"{mem['idle']['rss_mb']:.0f} / {mem['after_cases']['rss_mb']:.0f} MB "
            f"(+ document worker {mem['after_cases'].get('workers_rss_mb', 0):.0f} MB, "
            f"together {mem['after_cases'].get('total_rss_mb', 0):.0f} MB)",
            bool(d["goal_met"]["rss"]),
        ),
    ]


GOALS: dict[str, Callable[[dict[str, Any]], list[Row]]] = {
    "transitions": goals_transitions,
    "latency": goals_latency,
    "fanout": goals_fanout,
    "escalation": goals_escalation,
    "documents": goals_documents,
    "footprint": goals_footprint,
}


def commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def write_doc(tables: dict[str, str], seconds: dict[str, float], quick: bool) -> None:
    box = machine()
    lines = [
        "# Performance",
        "",
        "Written by `make bench` (`python -m bench.run_all`); do not edit by hand. What the",
        "figures mean and what stands between a figure and its goal:",
        "[decision 0009](decisions/0009-performance.md).",
        "",
        f"- When: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}"
        + (" — **quick run (small sizes), not for the record**" if quick else ""),
        f"- Commit: {commit()}",
        f"- Machine: {box['cpu']}, {box['cores']} cores, {box['ram_gb']} GB; Python "
        f"{box['python']}, SQLite {box['sqlite']}, PostgreSQL {box['postgresql']}",
        f"- Suite time: {sum(seconds.values()) / 60:.1f} min ("
        + ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items())
        + ")",
        "",
        "## Goals",
        "",
        "| figure | goal | measured | |",
        "| --- | --- | --- | --- |",
    ]
    for name in tables:
        for figure, goal, measured, ok in GOALS[name](load(name)):
            lines.append(f"| {figure} | {goal} | {measured} | {_met(ok)} |")
    for name, table in tables.items():
        lines += ["", f"## {name}", "", f"`bench/results/{name}.json`", "", "```", table, "```"]
    DOC.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes (not for the record)")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    args = parser.parse_args()
    wanted = {n for n in args.only.split(",") if n}
    tables: dict[str, str] = {}
    seconds: dict[str, float] = {}
    for bench in BENCHES:
        if wanted and bench.name not in wanted:
            continue
        tables[bench.name], seconds[bench.name] = run_one(bench, args.quick)
    if wanted:
        # a partial run would drop the other figures: the results JSON are updated only
        print(f"\n--only: {DOC.relative_to(ROOT)} left as it was (run all to rewrite it)")
        return
    write_doc(tables, seconds, args.quick)
    print(f"\nwritten {DOC.relative_to(ROOT)} in {sum(seconds.values()) / 60:.1f} min")


if __name__ == "__main__":
    main()

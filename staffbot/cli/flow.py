"""`flow show`: the SOP flow the office runs (no database needed)."""

from __future__ import annotations

from typing import Annotated

import typer

from staffbot import cli_output as out
from staffbot.cli.common import JsonOpt, group

verbs = group("Alur SOP.")


@verbs.command("show")
def flow_show(
    format: Annotated[str, typer.Option(help="table atau mermaid")] = "table",
    as_json: JsonOpt = False,
) -> None:
    """Print the SOP flow as a table or a Mermaid flowchart."""
    from flows.pengaduan_online import pengaduan_online
    from flows.render import mermaid, step_rows
    from flows.validate import validate_flow

    flow = validate_flow(pengaduan_online())
    if format == "mermaid":
        print(mermaid(flow), end="")
        return
    rows = step_rows(flow)
    if as_json:
        out.print_json(rows)
        return
    out.print_table(
        flow.title,
        ["No", "Langkah", "Uraian", "Pelaksana", "Tindakan", "Waktu", "Ket"],
        [(r.sop_no, r.key, r.title, r.role_label, r.actions, r.sla, r.notes) for r in rows],
    )

"""`audit verify`: the audit trail's hash chain."""

from __future__ import annotations

import typer

from staffbot import cli_output as out
from staffbot.app.commands.audit import VerifyAuditChain
from staffbot.cli.common import JsonOpt, command, group, opened

verbs = group("Jejak audit.")


@verbs.command("verify")
@command
async def audit_verify(as_json: JsonOpt = False) -> None:
    """Check the audit trail's hash chain."""
    async with opened() as app:
        report = await app.bus.handle(VerifyAuditChain())
    if as_json:
        out.print_json(report)
    elif report.ok:
        out.ok(f"jejak audit utuh: {report.events} kejadian")
    else:
        out.fail(f"jejak audit RUSAK pada kejadian {report.broken_at}: {report.problem}")
    if not report.ok:
        raise typer.Exit(1)

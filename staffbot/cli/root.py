"""The whole command line: the nouns' verbs joined under one `staffbot` command."""

from __future__ import annotations

import logging

import typer

from staffbot.cli import admin, audit, ba, calendar, case, flow, outbox, report, run, signing, staff

app = typer.Typer(
    help="staffbot: SOP Pengaduan Online Disdukcapil Kabupaten Tanggamus, di ponsel petugas.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("run")(run.run_cmd)
app.command("backup")(admin.backup_cmd)
app.command("restore")(admin.restore_cmd)
app.command("migrate")(admin.migrate_cmd)
app.command("escalate")(calendar.escalate_cmd)
app.add_typer(staff.verbs, name="staff")
app.add_typer(flow.verbs, name="flow")
app.add_typer(case.verbs, name="case")
app.add_typer(ba.verbs, name="ba")
app.add_typer(audit.verbs, name="audit")
app.add_typer(report.verbs, name="report")
app.add_typer(signing.pdf_verbs, name="pdf")
app.add_typer(signing.signing_verbs, name="signing")
app.add_typer(outbox.verbs, name="outbox")
app.add_typer(calendar.verbs, name="calendar")


def cli() -> None:
    """The `staffbot` script and `python main.py`: logging and its scrubber, then the verb."""
    from staffbot.admin import install_log_safety
    from staffbot.settings import Settings

    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings: Settings | None = Settings()
    except Exception:  # a settings error is reported by the command itself
        settings = None
    install_log_safety(settings)
    app()


__all__ = ["app", "cli"]

"""`staff import FILE.xlsx|csv`: the roster an office keeps in a spreadsheet.

Columns (header row, any order, case-insensitive; Indonesian or English names):
nama/name, nip, peran/roles (several separated by , or ;), telegram, whatsapp,
atasan/supervisor (NIP), kanal/channel, pangkat/golongan (e.g. "Pembina Utama Muda
(IV/c)"), jabatan/position. New NIPs are added; known ones are updated.
Rows with an error are reported by line and skipped; the others still count.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from pathlib import Path
from typing import Any

from staffbot.app.bus import Command, Handler, MessageBus, Process, ProcessHandler
from staffbot.app.commands.staff import (
    KEEP,
    AddStaff,
    ChangeStaff,
    ImportReport,
    ImportRoster,
    ImportStaffRow,
)
from staffbot.errors import StaffbotError, ValidationError
from staffbot.services import staff as staff_service
from staffbot.services.context import Office
from staffbot.texts import error_text
from storage.uow import UnitOfWork

COLUMNS = {
    "nama": "name",
    "name": "name",
    "nip": "nip",
    "peran": "roles",
    "role": "roles",
    "roles": "roles",
    "telegram": "telegram",
    "whatsapp": "whatsapp",
    "wa": "whatsapp",
    "atasan": "supervisor",
    "supervisor": "supervisor",
    "kanal": "channel",
    "channel": "channel",
    "pangkat": "pangkat",
    "golongan": "pangkat",
    "pangkat/golongan": "pangkat",
    "pangkat/gol.": "pangkat",
    "pangkat_golongan": "pangkat",
    "rank": "pangkat",
    "jabatan": "jabatan",
    "position": "jabatan",
}


def read_rows(path: Path) -> list[dict[str, str]]:
    """The spreadsheet's rows as dicts keyed by our column names."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).active
        raw = [
            ["" if v is None else str(v).strip() for v in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    else:
        text = path.read_text("utf-8-sig")
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;\t")
        raw = [[v.strip() for v in row] for row in csv.reader(io.StringIO(text), dialect)]
    if not raw:
        return []
    header = [COLUMNS.get(h.strip().lower(), "") for h in raw[0]]
    return [{k: v for k, v in zip(header, row, strict=False) if k} for row in raw[1:] if any(row)]


async def import_row(cmd: ImportStaffRow, uow: UnitOfWork, office: Office) -> bool:
    row = cmd.row
    nip = staff_service.check_nip(row.get("nip", ""))
    roles = tuple(r.strip() for r in re.split(r"[,;]", row.get("roles", "")) if r.strip())
    try:
        telegram = int(row["telegram"]) if row.get("telegram", "").strip() else None
    except ValueError as exc:
        raise ValidationError(field="telegram", problem="format") from exc
    whatsapp = row.get("whatsapp") or None
    channel = row.get("channel") or None
    pangkat = row.get("pangkat") or None
    jabatan = row.get("jabatan") or None
    if await uow.staff.by_nip(nip) is None:
        new = AddStaff(
            name=row.get("name", ""),
            nip=nip,
            roles=roles,
            telegram_id=telegram,
            whatsapp=whatsapp,
            channel=channel,
            by=cmd.by,
            pangkat=pangkat,
            jabatan=jabatan,
        )
        await staff_service.add_staff(new, uow, office)
        return True
    # Only what the file says: an empty cell leaves the stored value alone.
    change = ChangeStaff(
        nip=nip,
        by=cmd.by,
        roles=roles or KEEP,
        telegram_id=KEEP if telegram is None else telegram,
        whatsapp=whatsapp or KEEP,
        channel=channel or KEEP,
        pangkat=pangkat or KEEP,
        jabatan=jabatan or KEEP,
    )
    await staff_service.change_staff(change, uow, office)
    return False


async def import_roster(cmd: ImportRoster, bus: MessageBus) -> ImportReport:
    language = bus.office.language
    added: list[str] = []
    updated: list[str] = []
    errors: list[tuple[int, str]] = []
    pending_supervisors: list[tuple[str, str]] = []
    rows = await asyncio.to_thread(read_rows, cmd.path)
    for line, row in enumerate(rows, start=2):
        try:
            was_added = await bus.handle(ImportStaffRow(row, by=cmd.by))
        except StaffbotError as exc:
            errors.append((line, error_text(exc, language)))
        else:
            nip = staff_service.check_nip(row["nip"])
            (added if was_added else updated).append(nip)
            if row.get("supervisor"):
                pending_supervisors.append((nip, row["supervisor"]))
        if cmd.progress is not None:
            cmd.progress(line - 1, len(rows))
    # Supervisors last: the file may list a person before their supervisor.
    for nip, supervisor in pending_supervisors:
        try:
            await bus.handle(ChangeStaff(nip=nip, by=cmd.by, supervisor_nip=supervisor))
        except StaffbotError as exc:
            errors.append((0, f"{nip}: {error_text(exc, language)}"))
    return ImportReport(tuple(added), tuple(updated), tuple(errors))


HANDLERS: dict[type[Command[Any]], Handler] = {ImportStaffRow: import_row}
PROCESSES: dict[type[Process[Any]], ProcessHandler] = {ImportRoster: import_roster}

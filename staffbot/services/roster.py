"""`staff import FILE.xlsx|csv`: the roster an office keeps in a spreadsheet.

Columns (header row, any order, case-insensitive; Indonesian or English names):
nama/name, nip, peran/roles (several separated by , or ;), telegram, whatsapp,
atasan/supervisor (NIP), kanal/channel. New NIPs are added; known ones are updated.
Rows with an error are reported by line and skipped; the others still count.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

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
}


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    #: (line number, message)
    errors: list[tuple[int, str]] = field(default_factory=list)


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


async def import_roster(
    uow_factory: Callable[[], UnitOfWork],
    office: Office,
    rows: Iterable[dict[str, str]],
    *,
    by: str = "import",
    progress: Callable[[], None] | None = None,
) -> ImportReport:
    report = ImportReport()
    pending_supervisors: list[tuple[str, str]] = []
    for line, row in _numbered(rows):
        try:
            nip = staff_service.check_nip(row.get("nip", ""))
            roles = tuple(r.strip() for r in re.split(r"[,;]", row.get("roles", "")) if r.strip())
            telegram = int(row["telegram"]) if row.get("telegram", "").strip() else None
            whatsapp = row.get("whatsapp") or None
            channel = row.get("channel") or None
            async with uow_factory() as uow:
                exists = await uow.staff.by_nip(nip) is not None
            if exists:
                # Only what the file says: an empty cell leaves the stored value alone.
                changes: dict[str, object] = {"roles": roles} if roles else {}
                if telegram is not None:
                    changes["telegram_id"] = telegram
                if whatsapp:
                    changes["whatsapp"] = whatsapp
                if channel:
                    changes["channel"] = channel
                await staff_service.update_staff(uow_factory(), office, nip, by=by, **changes)
                report.updated.append(nip)
            else:
                await staff_service.add_staff(
                    uow_factory(),
                    office,
                    staff_service.NewStaff(
                        name=row.get("name", ""),
                        nip=nip,
                        roles=roles,
                        telegram_id=telegram,
                        whatsapp=whatsapp,
                        channel=channel,
                    ),
                    by=by,
                )
                report.added.append(nip)
            if row.get("supervisor"):
                pending_supervisors.append((nip, row["supervisor"]))
        except (StaffbotError, ValueError) as exc:
            message = (
                error_text(exc, office.language)
                if isinstance(exc, StaffbotError)
                else (
                    error_text(ValidationError(field="telegram", problem="format"), office.language)
                )
            )
            report.errors.append((line, message))
        if progress is not None:
            progress()
    # Supervisors last: the file may list a person before their supervisor.
    for nip, supervisor in pending_supervisors:
        try:
            await staff_service.update_staff(
                uow_factory(), office, nip, by=by, supervisor_nip=supervisor
            )
        except StaffbotError as exc:
            report.errors.append((0, f"{nip}: {error_text(exc, office.language)}"))
    return report


def _numbered(rows: Iterable[dict[str, str]]) -> Iterator[tuple[int, dict[str, str]]]:
    return ((i, row) for i, row in enumerate(rows, start=2))

"""`case purge`: the personal data of cases closed longer ago than the retention period.

UU 27/2022 (PDP) lets the office keep a citizen's data only as long as it needs it. The
office sets the period (STAFFBOT_RETENTION_DAYS); after it, for every closed case:

* the case row keeps its number, kecamatan, layanan, steps and times (the reports and
  the Mutu Baku need them) and loses the applicant's name, NIK, phone and complaint;
  the registration book loses the phone number;
* every stored file of the case (the applicant's scans, the generated and signed PDFs)
  is deleted from the data dir; the document row keeps its kind, size and SHA-256, so
  `pdf verify` and the QR page still recognise a copy the citizen holds; a Berita
  Acara's files go once every case in it is purged;
* every outbox row of the case (cards, edits, the applicant's WhatsApp messages, which
  are also the web transcript) is replaced by a placeholder, and other rows that
  mention the NIK, the phone number or the name (the intake form's summary, search
  answers) have those words removed; conversations that mention them are dropped, and
  the WhatsApp window of the number is forgotten;
* one audit event per batch records which case numbers were purged; the hash chain is
  untouched (it never held the applicant's name: the actor is "Pemohon").

Messages already delivered to phones stay on the phones (Telegram, WhatsApp): the
platforms give a bot no way to delete them.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from staffbot.app.bus import Command, Handler, MessageBus, Process, ProcessHandler
from staffbot.app.commands.privacy import (
    PurgeableCases,
    PurgeBatch,
    PurgeClosedCases,
    PurgedBatch,
    PurgeReport,
)
from staffbot.errors import ConfigurationError
from staffbot.services.context import Office
from staffbot.services.files import ALLOWED
from storage.repos.privacy import PrivacyRepository
from storage.tables import Case, Document
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

PURGED_TEXT = "(data pemohon dihapus: masa simpan berakhir)"
REMOVED = "[dihapus]"


async def purge_closed_cases(cmd: PurgeClosedCases, bus: MessageBus) -> PurgeReport:
    if cmd.retention_days <= 0:
        raise ConfigurationError(problem="purging is off (STAFFBOT_RETENTION_DAYS=0)")
    now = bus.office.now()
    cutoff = now - timedelta(days=cmd.retention_days)
    if cmd.dry_run:
        numbers = await bus.handle(PurgeableCases(cutoff))
        return PurgeReport(cutoff=cutoff, dry_run=True, cases=tuple(numbers))
    cases: list[str] = []
    files = rows = conversations = 0
    while True:
        done = await bus.handle(PurgeBatch(cutoff=cutoff, at=now, by=cmd.by, batch=cmd.batch))
        if not done.cases:
            return PurgeReport(cutoff, False, tuple(cases), files, rows, conversations)
        log.info("purged %s cases (%s files)", len(done.cases), done.files)
        cases += done.cases
        files += done.files
        rows += done.outbox_rows
        conversations += done.conversations


async def purgeable(cmd: PurgeableCases, uow: UnitOfWork, office: Office) -> list[str]:
    cases = await PrivacyRepository(uow.session).purgeable_cases(cmd.cutoff, limit=1_000_000)
    return [c.number for c in cases]


async def purge_batch(cmd: PurgeBatch, uow: UnitOfWork, office: Office) -> PurgedBatch:
    now = cmd.at
    repo = PrivacyRepository(uow.session)
    cases = list(await repo.purgeable_cases(cmd.cutoff, limit=cmd.batch))
    if not cases:
        return PurgedBatch((), 0, 0, 0)
    ids = [c.id for c in cases if c.id is not None]
    words = _identifiers(cases)
    phones = sorted({p for c in cases for p in _phone_forms(c.wa_number)})
    task_ids = await repo.task_ids_of_cases(ids)

    documents = list(await repo.documents_of_cases(ids))
    documents += await repo.documents_of_bas(await repo.fully_purged_bas(ids))
    files = 0
    for document in documents:
        if document.path:
            _delete_file(office, document)
            files += 1
        await repo.forget_document(document, filename=_placeholder_name(document), at=now)

    rows = 0
    for row in await repo.outbox_of_cases(ids):
        assert row.id is not None
        chat = "dihapus" if row.chat_id in phones else None
        await repo.rewrite_outbox(row.id, payload=_placeholder(row.payload), chat_id=chat)
        rows += 1
    rows += await _scrub_other_rows(repo, words)

    conversations = 0
    for conversation in await repo.conversations():
        if _mentions(conversation.state, words, task_ids):
            await repo.drop_conversation(conversation.chat_key)
            conversations += 1
    await repo.drop_windows(phones)
    await repo.forget_cases(ids, at=now)
    numbers = tuple(c.number for c in cases)
    await uow.audit.append(
        at=now,
        kind="cases_purged",
        actor=cmd.by,
        data={"cases": list(numbers), "files": files, "cutoff": cmd.cutoff.isoformat()},
    )
    return PurgedBatch(numbers, files, rows, conversations)


def _phone_forms(phone: str) -> list[str]:
    """+628123..., 628123... and 08123...: the ways a number is written."""
    if not phone:
        return []
    forms = [phone]
    if phone.startswith("+62"):
        forms += [phone[1:], "0" + phone[3:]]
    return forms


def _identifiers(cases: list[Case]) -> list[str]:
    words: set[str] = set()
    for case in cases:
        if case.nik:
            words.add(case.nik)
        words.update(_phone_forms(case.wa_number))
        if len(case.applicant_name.strip()) >= 3:
            words.add(case.applicant_name.strip())
    # longest first, so a number is not half-replaced by a shorter form of itself
    return sorted(words, key=len, reverse=True)


def _scrub(value: Any, words: list[str]) -> Any:
    if isinstance(value, str):
        for word in words:
            value = value.replace(word, REMOVED)
        return value
    if isinstance(value, list):
        return [_scrub(v, words) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, words) for k, v in value.items()}
    return value


async def _scrub_other_rows(repo: PrivacyRepository, words: list[str]) -> int:
    """Rows not tied to a case that mention one (form summaries, search answers)."""
    if not words:
        return 0
    changed, after = 0, 0
    while True:
        rows = await repo.outbox_without_case(after_id=after, limit=2000)
        if not rows:
            return changed
        for row in rows:
            assert row.id is not None
            after = row.id
            text = json.dumps(row.payload, ensure_ascii=False)
            if any(word in text for word in words):
                await repo.rewrite_outbox(row.id, payload=_scrub(row.payload, words))
                changed += 1


def _mentions(state: dict[str, Any], words: list[str], task_ids: set[int]) -> bool:
    text = json.dumps(state, ensure_ascii=False)
    if any(word in text for word in words):
        return True
    ids = state.get("task_ids") or []
    single = state.get("task_id")
    mentioned = {int(i) for i in ids if str(i).isdigit()}
    if single is not None and str(single).isdigit():
        mentioned.add(int(single))
    return bool(mentioned & task_ids)


def _placeholder(payload: dict[str, Any]) -> dict[str, Any]:
    """What stays of a message about a purged case: a note, no buttons, no file."""
    kept = {k: v for k, v in payload.items() if k in ("message_id",)}
    return {"text": PURGED_TEXT, **kept}


def _placeholder_name(document: Document) -> str:
    return f"{document.kind}-dihapus{ALLOWED.get(document.mime_type, '')}"


def _delete_file(office: Office, document: Document) -> None:
    path = (office.data_dir / document.path).resolve()
    root = office.data_dir.resolve()
    if root not in path.parents:
        log.warning("document %s points outside the data dir; left alone", document.id)
        return
    path.unlink(missing_ok=True)


HANDLERS: dict[type[Command[Any]], Handler] = {
    PurgeBatch: purge_batch,
    PurgeableCases: purgeable,
}
PROCESSES: dict[type[Process[Any]], ProcessHandler] = {PurgeClosedCases: purge_closed_cases}

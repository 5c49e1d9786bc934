"""The applicant's public status page (/s/<code>): the QR of the bukti pendaftaran.

Found by the case's own unguessable status code (not a document's verification code),
it says where the application is in the SOP in one plain sentence, when it should be
done, and whom to contact. It never shows the applicant's name, NIK or phone number:
whoever holds the paper may read it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flows.model import Flow
from staffbot.app.bus import Command, Handler
from staffbot.app.commands.verification import ApplicationStatus, StatusView
from staffbot.services.context import Office
from staffbot.services.register import CURRENT
from staffbot.services.work_items import CaseItem
from staffbot.texts.public import has, pt
from storage.tables import CASE_OPEN, Case
from storage.uow import UnitOfWork


def stage_text(office: Office, case: Case, *, paused: bool) -> str:
    """The applicant's stage as one sentence (a step without its own sentence: its SOP
    title, so a flow given new steps still says something true)."""
    lang = office.language
    if case.status != CASE_OPEN:
        return pt("stage.closed", lang, kecamatan=case.kecamatan)
    if paused:
        return pt("stage.paused", lang)
    key = f"stage.{case.step}"
    if has(key):
        return pt(key, lang, kecamatan=case.kecamatan)
    step = office.flow.step(case.step)
    return step.title_en if lang == "en" and step.title_en else step.title


def expected_finish(office: Office, step_key: str, due: datetime | None) -> datetime:
    """The end of the flow by the SOP's time limits: the current step's due time (now,
    if it has passed), then each following step's limit on the working-day calendar,
    along the way forward (no rejections)."""
    flow: Flow = office.flow
    calendar = office.calendar
    now = office.now()
    step = flow.step(step_key)
    at = max(due, now) if due is not None else calendar.add(now, flow.sla_of(step))
    seen = {step.key}
    while True:
        forward = next((a for a in step.actions if not a.is_back and a.to is not None), None)
        if forward is None or forward.to is None or forward.to in seen:
            return at
        step = flow.step(forward.to)
        seen.add(step.key)
        at = calendar.add(at, flow.sla_of(step))


async def application_status(cmd: ApplicationStatus, uow: UnitOfWork, office: Office) -> StatusView:
    case = await uow.cases.by_status_code(cmd.code) if cmd.code else None
    if case is None or case.id is None:
        return StatusView(known=False, service_number=office.reference.service_number)
    flow = office.flow
    closed = case.status != CASE_OPEN
    _, task = await CaseItem(case).at_work(uow)
    paused = task is not None and task.paused_at is not None
    bukti = [
        d for d in await uow.documents.of_case(case.id, "bukti_pendaftaran") if d.status in CURRENT
    ]
    step = flow.step(case.step)
    return StatusView(
        known=True,
        number=case.number,
        registration_number=case.registration_no,
        layanan=case.layanan,
        stage=stage_text(office, case, paused=paused),
        step_key=case.step,
        sop_no=step.sop_no,
        total_steps=max(s.sop_no for s in flow.steps),
        closed=closed,
        paused=paused,
        expected_finish=(
            None
            if closed or paused
            else expected_finish(office, case.step, task.due_at if task else None)
        ),
        finished_at=case.closed_at if closed else None,
        bukti_code=bukti[-1].verify_code if bukti else None,
        service_number=office.reference.service_number,
    )


HANDLERS: dict[type[Command[Any]], Handler] = {ApplicationStatus: application_status}

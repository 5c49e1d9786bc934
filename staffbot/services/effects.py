"""Side effects the flow names on actions and steps, run inside the transition.

The flow only names them ("registration_number", "notify_applicant:instruksi" ...);
handlers are registered here (core) and by other packages (documents, signing) at
wiring time. A flow naming an effect nobody handles fails at start-up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flows.engine import Transition
from flows.model import Flow
from staffbot.app.commands.cases import PreparedSignature
from staffbot.errors import ConfigurationError
from staffbot.messages import Attachment, OutgoingMessage
from staffbot.richtext import esc
from staffbot.services import notify
from staffbot.services.context import EffectHandler, Office
from staffbot.services.work_items import WorkItem
from staffbot.texts import t
from storage.tables import BeritaAcara, Case, Document, RegistrationEntry, Staff, Task
from storage.uow import UnitOfWork

#: The key of :attr:`EffectContext.made` naming the document the old cards carry.
CARD_DOCUMENT = "card"


@dataclass(frozen=True)
class EffectContext:
    transition: Transition
    actor: Staff
    #: The task that was just closed.
    task: Task
    #: What the task acted on: a case, or a Berita Acara and the cases it carries.
    item: WorkItem
    attachment_id: int | None = None
    #: Signatures made before the transaction, by effect name (the signing process).
    prepared: Mapping[str, PreparedSignature] = field(default_factory=dict)
    #: Filled by the effects: the document the closed task's cards carry from now on
    #: (the signed PDF replaces the unsigned one), under ``CARD_DOCUMENT``.
    made: dict[str, Document] = field(default_factory=dict)

    @property
    def now(self) -> datetime:
        return self.transition.at

    @property
    def case(self) -> Case | None:
        return self.item.case

    @property
    def ba(self) -> BeritaAcara | None:
        return self.item.ba

    @property
    def cases(self) -> Sequence[Case]:
        """The cases moved together (a BA's members); just the case for a single one."""
        return self.item.cases


def check_effects(flow: Flow, handlers: dict[str, EffectHandler]) -> None:
    named = {e for _, a in flow.edges() for e in a.effects}
    named |= {e for s in flow.steps for e in s.on_enter}
    missing = sorted(named - handlers.keys())
    if missing:
        raise ConfigurationError(
            problem=f"flow {flow.key} names effects nobody handles: {', '.join(missing)}"
        )


def core_effects() -> dict[str, EffectHandler]:
    return {
        "notify_applicant:instruksi": _applicant_text("instruksi"),
        "notify_applicant:berkas_kurang": _applicant_text("berkas_kurang"),
        "registration_number": assign_registration_number,
        "send_pdf_to_applicant": send_pdf_to_applicant,
    }


def _applicant_text(kind: str) -> EffectHandler:
    async def handler(uow: UnitOfWork, office: Office, ctx: EffectContext) -> None:
        case = ctx.case
        assert case is not None and case.id is not None
        text = t(
            f"applicant.{kind}",
            office.language,
            name=case.applicant_name,
            number=case.number,
            layanan=case.layanan,
            service_number=office.reference.service_number,
            reason=ctx.transition.reason or "",
        )
        await notify.notify_applicant(
            uow,
            office,
            case_id=case.id,
            phone=case.wa_number,
            message=OutgoingMessage(text=esc(text)),
            key=f"applicant:{case.id}:{kind}:{ctx.task.id}",
            task_id=ctx.task.id,
        )

    return handler


async def assign_registration_number(uow: UnitOfWork, office: Office, ctx: EffectContext) -> None:
    """SOP step 6: one number in the registration book per case, never a second one."""
    case = ctx.case
    assert case is not None and case.id is not None
    existing = await uow.cases.registration_of(case.id)
    if existing is not None:
        if case.registration_no != existing.number:
            await uow.cases.set_fields(case, registration_no=existing.number)
        return
    year = office.local(ctx.now).year
    seq = await uow.counters.next(f"registration:{year}")
    number = f"REG-{year}-{seq:05d}"
    await uow.cases.add_registration(
        RegistrationEntry(
            year=year,
            seq=seq,
            number=number,
            case_id=case.id,
            wa_number=case.wa_number,
            registered_by=ctx.actor.id,
            registered_at=ctx.now,
        )
    )
    # The applicant hears of it with the proof of registration (document effect).
    await uow.cases.set_fields(case, registration_no=number)


#: Kinds of documents the applicant may receive at step 13, best first.
FINISHED_KINDS = ("hasil_ttd",)


async def send_pdf_to_applicant(uow: UnitOfWork, office: Office, ctx: EffectContext) -> None:
    """SOP step 13: the finished (signed) document goes to the applicant over WhatsApp."""
    case = ctx.case
    assert case is not None and case.id is not None
    document = None
    for kind in FINISHED_KINDS:
        found = await uow.documents.of_case(case.id, kind)
        if found:
            document = found[-1]
            break
    if document is None or document.id is None:
        raise ConfigurationError(problem=f"case {case.number} has no finished document to send")
    text = t("applicant.dokumen", office.language, name=case.applicant_name, number=case.number)
    await notify.notify_applicant(
        uow,
        office,
        case_id=case.id,
        phone=case.wa_number,
        message=OutgoingMessage(
            text=esc(text), attachment=Attachment(document.id, document.filename)
        ),
        key=f"applicant:{case.id}:dokumen:{ctx.task.id}",
        task_id=ctx.task.id,
    )

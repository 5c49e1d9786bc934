"""The flow model: a workflow declared as plain, frozen data.

A :class:`Flow` is a set of :class:`Step` s, each held by one role and offering
:class:`Action` s that name the next step. Everything the engine, the cards, the
SLA scan and the SOP chart need is here as data, so a new office procedure (or a
courier / archiving step) is a new ``Flow`` value, not new code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from flows.working_time import WorkingTime

#: Escalation targets that are not role keys.
HOLDER = "holder"
SUPERVISOR = "supervisor"


@dataclass(frozen=True)
class Role:
    key: str
    label: str
    label_en: str = ""
    #: False for people outside the office (the applicant): they never get cards.
    staff: bool = True


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    #: Key of the next step; ``None`` only when the action closes the case.
    to: str | None
    #: Past participle for the card edit: "Disetujui", "Ditolak", "Diparaf".
    outcome: str
    label_en: str = ""
    outcome_en: str = ""
    requires_reason: bool = False
    requires_pin: bool = False
    requires_attachment: bool = False
    closes_case: bool = False
    #: The next task waits on the applicant (files asked back): its SLA clock is
    #: paused until the applicant answers or the holder resumes it.
    waits_on_applicant: bool = False
    #: Only valid on a chosen set of cases at once (e.g. building a Berita Acara).
    forms_batch: bool = False
    #: Names of side effects the application carries out in the same transaction
    #: (documents, applicant messages, register numbers). The flow only names them.
    effects: tuple[str, ...] = ()

    @property
    def is_back(self) -> bool:
        """A rejection: sends the case back (or to a waiting state)."""
        return self.requires_reason and not self.closes_case


@dataclass(frozen=True)
class Escalation:
    """One rung of an escalation ladder.

    ``level`` 0 is a reminder ``offset`` *before* the due time; levels >= 1 fire
    ``offset`` after the due time. ``notify`` holds role keys or the special
    targets :data:`HOLDER` and :data:`SUPERVISOR` (the holder's supervisor).
    """

    level: int
    offset: WorkingTime
    notify: tuple[str, ...]


@dataclass(frozen=True)
class MutuBaku:
    """The SOP's service standard columns for a step."""

    kelengkapan: str = ""
    waktu: str = ""
    output: str = ""
    keterangan: str = ""


@dataclass(frozen=True)
class Step:
    key: str
    sop_no: int
    title: str
    role: str
    actions: tuple[Action, ...]
    title_en: str = ""
    #: Working-time limit; ``None`` means the flow's default.
    sla: WorkingTime | None = None
    #: ``None`` means the flow's default ladder.
    escalation: tuple[Escalation, ...] | None = None
    mutu_baku: MutuBaku = field(default_factory=MutuBaku)
    #: Side effects when a task of this step is opened (e.g. the printable dossier).
    on_enter: tuple[str, ...] = ()
    #: Cases wait here, one task each, until an action with ``forms_batch``
    #: collects a chosen set of them into one batch (a Berita Acara).
    collects_batch: bool = False
    #: The step is held by a batch: one task for the whole batch, and its
    #: actions move every case in it together.
    per_batch: bool = False
    #: Whether a supervisor may take the task over from the holder ("Ambil alih").
    allow_takeover: bool = True
    #: Personal data this step's holder needs unmasked on the card ("nik", "phone");
    #: everywhere else cards show it masked.
    reveals: frozenset[str] = frozenset()
    #: Kind of stored document the card carries (the latest one of the case or batch),
    #: e.g. the printable dossier at step 5 or the document to sign at step 9.
    card_document: str | None = None
    #: The card lists the files the applicant sent (the WhatsApp intake step).
    lists_applicant_files: bool = False

    @property
    def signed_with_pin(self) -> bool:
        """An action of this step is a signature (the PIN is asked)."""
        return any(a.requires_pin for a in self.actions)

    def action(self, key: str) -> Action | None:
        for action in self.actions:
            if action.key == key:
                return action
        return None


@dataclass(frozen=True)
class SopIdentity:
    """What the printed SOP says about itself (its identity block): number, dates, who
    approved it, legal basis, qualification, related procedures, equipment, warning,
    records. The SOP chart prints it; an empty field prints as "-"."""

    nomor: str = ""
    tanggal_pembuatan: str = ""
    tanggal_revisi: str = ""
    tanggal_efektif: str = ""
    disahkan_jabatan: str = ""
    disahkan_nama: str = ""
    disahkan_nip: str = ""
    dasar_hukum: tuple[str, ...] = ()
    kualifikasi: tuple[str, ...] = ()
    keterkaitan: tuple[str, ...] = ()
    peralatan: tuple[str, ...] = ()
    peringatan: tuple[str, ...] = ()
    pencatatan: tuple[str, ...] = ()


@dataclass(frozen=True)
class Flow:
    key: str
    title: str
    roles: tuple[Role, ...]
    steps: tuple[Step, ...]
    #: The step a new case starts at.
    start: str
    default_sla: WorkingTime
    default_escalation: tuple[Escalation, ...] = ()
    title_en: str = ""
    identity: SopIdentity = field(default_factory=SopIdentity)

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    def has_step(self, key: str) -> bool:
        return any(step.key == key for step in self.steps)

    def role(self, key: str) -> Role:
        for role in self.roles:
            if role.key == key:
                return role
        raise KeyError(key)

    def sla_of(self, step: Step) -> WorkingTime:
        return step.sla if step.sla is not None else self.default_sla

    def ladder_of(self, step: Step) -> tuple[Escalation, ...]:
        return step.escalation if step.escalation is not None else self.default_escalation

    def action_keys(self) -> frozenset[str]:
        return frozenset(action.key for step in self.steps for action in step.actions)

    def edges(self) -> Iterator[tuple[Step, Action]]:
        for step in self.steps:
            for action in step.actions:
                yield step, action

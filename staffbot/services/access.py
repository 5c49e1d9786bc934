"""Who may open a case's files (docs/SECURITY.md, "Who sees a case").

A staff member may see a case when it has come their way:

* they hold (or stand in, on leave, for a colleague who holds) the role of a step the
  case is at or has been at, so the files reach a step's holders when the case does,
  and not before (the PDF sender does not read the KTP scan of a case still at step 3);
* they recorded it, acted on it, were assigned it, or were sent one of its cards;
* they are a section head or above (Kasi, Kepala Bidang, Kepala Dinas): they answer
  for every case and pull the reports.

Documents of a Berita Acara follow the same rule over the BA's steps; reports and other
documents without a case go to their maker and the heads only.
"""

from __future__ import annotations

from typing import Protocol

from staffbot.services.locate import of_document
from staffbot.services.work_items import WorkItem
from storage.tables import Document
from storage.uow import UnitOfWork

#: The section heads and above (the same people who may pull reports from the chat).
HEAD_ROLES = frozenset(("kasi_identitas_penduduk", "kasi_inovasi", "kepala_bidang", "kepala_dinas"))


class Person(Protocol):
    """A staff member as the policy needs them: a staff row, or a surface's view of one."""

    @property
    def id(self) -> int | None: ...

    @property
    def active(self) -> bool: ...


async def roles_covered(uow: UnitOfWork, staff: Person) -> frozenset[str]:
    """Own roles plus those of absent colleagues who named this person their delegate."""
    staff_id = staff.id
    assert staff_id is not None
    absent = await uow.staff.absent_delegating_to(staff_id)
    ids = [staff_id, *(a.id for a in absent if a.id is not None)]
    roles = await uow.staff.roles_for(ids)
    return frozenset(role for group in roles.values() for role in group)


async def may_see_document(uow: UnitOfWork, staff: Person, document: Document) -> bool:
    if not staff.active or staff.id is None:
        return False
    roles = await roles_covered(uow, staff)
    if roles & HEAD_ROLES or (document.created_by is not None and document.created_by == staff.id):
        return True
    item = await of_document(uow, document)
    return item is not None and await item.reached(uow, staff.id, roles)


async def may_see_item(uow: UnitOfWork, staff: Person, item: WorkItem) -> bool:
    """The same rule for the case (or Berita Acara) itself, for pages and cards about it."""
    if not staff.active or staff.id is None:
        return False
    roles = await roles_covered(uow, staff)
    return bool(roles & HEAD_ROLES) or await item.reached(uow, staff.id, roles)


__all__ = ["HEAD_ROLES", "may_see_document", "may_see_item", "roles_covered"]

"""The 📎 button of a task card whose step lists the applicant's files: one press sends
them to the person's chat (chat /berkas, which asks the access policy file by file).

The card carries it from the start, before any file has come: files usually arrive after
the card went out, and WhatsApp, which cannot edit a card, would otherwise leave its holder
a card without the button. Where a card can be edited, the count is put on it as files come."""

from __future__ import annotations

from collections.abc import Sequence

from flows.model import Step
from staffbot.app.commands.chat import MenuVerb
from staffbot.app.commands.queries import files_command
from staffbot.messages import Choice
from staffbot.services.context import Office
from staffbot.services.notify import new_token
from staffbot.services.work_items import WorkItem
from staffbot.texts import t
from storage.tables import ButtonToken, Staff
from storage.uow import UnitOfWork

#: How the button's label begins in every language (staffbot/texts: card.files_button).
FILES_MARK = "📎"


async def files_button(
    uow: UnitOfWork, office: Office, *, staff: Staff, step: Step, item: WorkItem, lang: str
) -> list[Choice]:
    if not step.lists_applicant_files or staff.id is None:
        return []
    files = await item.documents(uow, "berkas")
    token = ButtonToken(
        token=new_token(),
        staff_id=staff.id,
        action=MenuVerb.MENU.value,
        target=files_command(item.number),
        created_at=office.now(),
    )
    uow.outbox.stage_tokens([token])
    label = t("card.files_button", lang, count=len(files)) if files else t("card.files_none", lang)
    return [Choice(label, token.token)]


async def with_files_button(
    uow: UnitOfWork,
    office: Office,
    choices: Sequence[Choice],
    *,
    staff: Staff,
    step: Step,
    item: WorkItem,
    lang: str,
) -> list[Choice]:
    """A card's buttons with its 📎 button made anew (the count of files changed)."""
    kept = [c for c in choices if not c.label.startswith(FILES_MARK)]
    return kept + await files_button(uow, office, staff=staff, step=step, item=item, lang=lang)

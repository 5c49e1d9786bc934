"""Every role x every step x every action, through the service every button press and
`case act` uses (the Act handler, transitions.act): only the step's own role with the step's own
actions gets through; everything else is refused with a clear reason and changes
nothing. A case is walked through all 15 steps; at each one the whole matrix is tried.
"""

from __future__ import annotations

from collections import Counter

import pytest

from staffbot.app.commands.cases import Act, Who
from staffbot.app.commands.staff import AddStaff, EndLeave, SetLeave
from staffbot.errors import StaffbotError
from staffbot.services.transitions import act
from staffbot.texts import error_text
from storage.db import Database
from tests.support import ROSTER, Desk, counts

NO_ROLE = "199901012020121099"
INACTIVE = "199901012020121098"
#: The refusals a person may see for a button that is not theirs.
NOT_THEIRS = {"not_your_role", "wrong_step", "unknown_action", "auth"}
#: Right person, right button, something still missing.
MISSING = {"reason_required", "pin_required", "attachment_required", "batch_only"}


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    return sqlite_url


async def _extra_staff(desk: Desk) -> None:
    """One person without any role and one deactivated person holding every role."""
    office = desk.office
    every = tuple(r.key for r in office.flow.roles if r.staff)
    for nip, name, roles in (
        (NO_ROLE, "Tanpa Peran", ("operator",)),
        (INACTIVE, "Sudah Pensiun", every),
    ):
        await desk.bus.handle(AddStaff(name=name, nip=nip, roles=roles))
    async with desk.db.uow() as uow:
        nobody = await uow.staff.by_nip(NO_ROLE)
        retired = await uow.staff.by_nip(INACTIVE)
        assert nobody is not None and nobody.id is not None and retired is not None
        await uow.staff.set_roles(nobody.id, [])
        retired.active = False
        uow.session.add(retired)
        await uow.commit()


async def _try(db: Database, desk: Desk, nip: str, number: str, action: str) -> str:
    """One attempt in a transaction that is never committed: 'ok' or the refusal code."""
    async with db.uow() as uow:
        try:
            await act(Act(Who(nip=nip), action, ref=number), uow, desk.office)
        except StaffbotError as exc:
            assert error_text(exc, "id") and error_text(exc, "en")  # a clear answer
            return exc.code
    return "ok"


async def test_only_the_steps_role_may_take_the_steps_actions(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    await _extra_staff(desk)
    flow = desk.office.flow
    actions = sorted(flow.action_keys())
    people = {**ROSTER, "(tanpa peran)": NO_ROLE, "(nonaktif)": INACTIVE}
    number = (await desk.new_case()).number
    tried: Counter[str] = Counter()
    for step in flow.steps[2:]:  # 3 terima_wa ... 15 ttd_ba (1-2 are the intake itself)
        assert await desk.step_of(number) == step.key
        before = await counts(desk.db)
        own = {a.key: a for a in step.actions}
        for who, nip in people.items():
            for action in actions:
                outcome = await _try(desk.db, desk, nip, number, action)
                tried[outcome] += 1
                if who == step.role and action in own:
                    needs = own[action]
                    if needs.requires_reason or needs.requires_pin or needs.requires_attachment:
                        assert outcome in MISSING, (step.key, who, action, outcome)
                    elif needs.forms_batch:
                        assert outcome == "batch_only", (step.key, who, action, outcome)
                    else:
                        assert outcome == "ok", (step.key, who, action, outcome)
                else:
                    assert outcome in NOT_THEIRS, (step.key, who, action, outcome)
        # a reject with its reason passes for the holder (and is rolled back here)
        for action in (a for a in step.actions if a.requires_reason and not a.requires_pin):
            async with desk.db.uow() as uow:
                command = Act(
                    Who(nip=ROSTER[step.role]), action.key, ref=number, note="berkas tidak lengkap"
                )
                result = await act(command, uow, desk.office)
                assert result.to_step == action.to
        assert await counts(desk.db) == before, step.key  # nothing changed
        await _advance(desk, number, step.key)
    assert await desk.step_of(number) == "ttd_ba"
    total = sum(tried.values())
    assert total == 13 * len(people) * len(actions)
    # the figures for the report (docs/SECURITY.md), shown even when pytest captures output
    with capsys.disabled():
        print(
            f"\nauthorization matrix: {total} attempts, {tried['ok']} passed, "
            f"{total - tried['ok']} refused, {dict(tried)}"
        )


async def _advance(desk: Desk, number: str, step: str) -> None:
    if step == "buat_ba":
        await desk.make_ba(number)
    elif step == "ttd_ba":
        await desk.act(number, "sign")
    else:
        from tests.support import HAPPY

        await desk.act(number, HAPPY[step])


async def test_a_delegate_and_an_assignee_pass_and_no_one_else(desk: Desk) -> None:
    """Standing in for a colleague on leave (named delegate) passes; so does a task
    assigned to someone (takeover); a third person is still refused."""
    number = (await desk.new_case()).number
    wa, other = ROSTER["operator_penerima_wa"], ROSTER["operator_cetak_berkas"]
    await desk.bus.handle(SetLeave(wa, delegate_nip=other))
    assert await _try(desk.db, desk, other, number, "forward") == "ok"
    assert await _try(desk.db, desk, ROSTER["operator"], number, "forward") == "not_your_role"
    await desk.bus.handle(EndLeave(wa))
    assert await _try(desk.db, desk, other, number, "forward") == "not_your_role"

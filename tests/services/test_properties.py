"""Property test: random sequences of actors and actions never reach a state the flow
does not allow, and never break the audit chain (hypothesis, on SQLite)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.errors import StaffbotError
from flows.pengaduan_online import pengaduan_online
from staffbot.app.commands.audit import VerifyAuditChain
from staffbot.clock import FixedClock
from staffbot.services.audit import verify_chain
from staffbot.settings import Settings
from storage.db import Database
from tests.conftest import START
from tests.support import ROSTER, Desk

FLOW = pengaduan_online()
ROLES = sorted(ROSTER)
ACTIONS = sorted(FLOW.action_keys() - {"call", "record"})
press = st.tuples(st.sampled_from(ROLES), st.sampled_from(ACTIONS), st.booleans())


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path, demo_pki: Path
) -> tuple[str, Settings]:
    from staffbot.bootstrap import signing_dir

    root = tmp_path_factory.mktemp("properties")
    shutil.copy(sqlite_template, root / "p.db")
    url = f"sqlite+aiosqlite:///{root / 'p.db'}"
    settings = Settings(database_url=url, data_dir=root / "data", _env_file=None)  # type: ignore[call-arg]
    shutil.copytree(demo_pki, signing_dir(settings))

    async def seed() -> None:
        desk = await _desk(url, settings)
        await desk.seed()
        await desk.db.shutdown()

    asyncio.run(seed())
    return url, settings


async def _status(desk: Desk, number: str) -> str:
    async with desk.db.uow(readonly=True) as uow:
        case = await uow.cases.by_number(number)
    assert case is not None
    return case.status


async def _desk(url: str, settings: Settings) -> Desk:
    from staffbot.bootstrap import build_calendar, build_office

    clock = FixedClock(START)
    db = Database(url)
    await db.initialize()
    return Desk(db, build_office(settings, clock, build_calendar(settings, START, {}, set())))


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_presses_stay_inside_the_flow(
    world: tuple[str, Settings], data: st.DataObject
) -> None:
    asyncio.run(_scenario(*world, data))


def _draw(data: st.DataObject, step_key: str) -> tuple[str, str, bool]:
    """Mostly plausible presses (so cases get deep into the flow), sometimes anything."""
    step = FLOW.step(step_key)
    plausible = st.tuples(
        st.just(step.role), st.sampled_from([a.key for a in step.actions]), st.booleans()
    )
    return data.draw(st.one_of(plausible, plausible, plausible, press))


async def _scenario(url: str, settings: Settings, data: st.DataObject) -> None:
    desk = await _desk(url, settings)
    try:
        number = (await desk.new_case()).number
        for _ in range(data.draw(st.integers(min_value=1, max_value=30))):
            before = await desk.step_of(number)
            if (await _status(desk, number)) == "closed":
                break
            role, action, with_reason = _draw(data, before)
            try:
                if action == "make_ba":
                    await desk.make_ba(number) if role == "kasi_inovasi" else None
                else:
                    await desk.act(
                        number, action, role=role, note="alasan yang cukup" if with_reason else None
                    )
            except StaffbotError:
                assert await desk.step_of(number) == before  # refused: nothing moved
                continue
            after = await desk.step_of(number)
            step = FLOW.step(before)
            taken = step.action(action)
            if action == "make_ba" and role != "kasi_inovasi":
                assert after == before
                continue
            # accepted: exactly the flow's edge, by a holder of the step's role
            assert taken is not None and role == step.role
            assert after == (taken.to or before)
        async with desk.db.uow(readonly=True) as uow:
            case = await uow.cases.by_number(number)
            assert case is not None and case.id is not None
            open_tasks = [t for t in await uow.tasks.history_of_case(case.id) if t.is_open]
            if case.status == "open" and not FLOW.step(case.step).per_batch:
                assert [t.step for t in open_tasks] == [case.step]
            else:
                assert open_tasks == []
            report = await verify_chain(VerifyAuditChain(), uow, desk.office)
        assert report.ok, report
    finally:
        await desk.db.shutdown()

"""When each rung of a step's escalation ladder fires, on the working-day calendar."""

from __future__ import annotations

from datetime import datetime

from flows.calendar import WorkingCalendar
from flows.model import Escalation, Flow, Step


def rung_time(rung: Escalation, due: datetime, calendar: WorkingCalendar) -> datetime:
    if rung.level == 0:
        return calendar.subtract_hours(due, rung.offset.hours, rung.offset.minutes)
    return calendar.add(due, rung.offset) if not rung.offset.is_zero() else due


def schedule(
    flow: Flow, step: Step, due: datetime, calendar: WorkingCalendar
) -> list[tuple[int, datetime]]:
    """(level, time) of every rung, ordered by level."""
    ladder = sorted(flow.ladder_of(step), key=lambda r: r.level)
    return [(rung.level, rung_time(rung, due, calendar)) for rung in ladder]


def next_rung(
    flow: Flow, step: Step, due: datetime, calendar: WorkingCalendar, *, after_level: int
) -> tuple[int, datetime] | None:
    """The first rung above ``after_level``, or None when the ladder is exhausted."""
    for level, at in schedule(flow, step, due, calendar):
        if level > after_level:
            return level, at
    return None


def due_rungs(
    flow: Flow,
    step: Step,
    due: datetime,
    calendar: WorkingCalendar,
    *,
    after_level: int,
    now: datetime,
) -> list[Escalation]:
    """Rungs above ``after_level`` whose time has come (several after a long outage)."""
    ladder = sorted(flow.ladder_of(step), key=lambda r: r.level)
    return [
        rung
        for rung in ladder
        if rung.level > after_level and rung_time(rung, due, calendar) <= now
    ]

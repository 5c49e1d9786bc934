"""GET /metrics: Prometheus text exposition of the bot's own counters and the outbox."""

from __future__ import annotations

from staffbot.dispatcher import OutboxDispatcher
from staffbot.services.context import Office
from storage.db import Database


async def render_metrics(db: Database, dispatcher: OutboxDispatcher, office: Office) -> str:
    now = office.now()
    async with db.uow(readonly=True) as uow:
        depth, oldest = await uow.outbox.depth()
        gauges = await uow.reports.gauges(now)
    failed, transitions, open_tasks = gauges["failed"], gauges["transitions"], gauges["open_tasks"]
    overdue, escalated = gauges["overdue"], gauges["escalations"]
    age = (now - oldest).total_seconds() if oldest is not None else 0.0
    lines = [
        "# HELP staffbot_transitions_total Transitions recorded in the audit trail.",
        "# TYPE staffbot_transitions_total counter",
        f"staffbot_transitions_total {transitions}",
        "# HELP staffbot_outbox_depth Outbox rows waiting for delivery.",
        "# TYPE staffbot_outbox_depth gauge",
        f"staffbot_outbox_depth {depth}",
        "# HELP staffbot_outbox_oldest_age_seconds Age of the oldest pending outbox row.",
        "# TYPE staffbot_outbox_oldest_age_seconds gauge",
        f"staffbot_outbox_oldest_age_seconds {age:.3f}",
        "# HELP staffbot_outbox_failed Outbox rows that exhausted their retries.",
        "# TYPE staffbot_outbox_failed gauge",
        f"staffbot_outbox_failed {failed}",
        "# HELP staffbot_tasks_open Open tasks.",
        "# TYPE staffbot_tasks_open gauge",
        f"staffbot_tasks_open {open_tasks}",
        "# HELP staffbot_tasks_overdue Open tasks past their due time.",
        "# TYPE staffbot_tasks_overdue gauge",
        f"staffbot_tasks_overdue {overdue}",
        "# HELP staffbot_escalations_total Escalation alerts fired.",
        "# TYPE staffbot_escalations_total counter",
        f"staffbot_escalations_total {escalated}",
        "# HELP staffbot_deliveries_total Messages delivered, per channel.",
        "# TYPE staffbot_deliveries_total counter",
    ]
    stats = dispatcher.stats
    for name in sorted(dispatcher.channels):
        lines.append(f'staffbot_deliveries_total{{channel="{name}"}} {stats.delivered[name]}')
    lines += [
        "# HELP staffbot_delivery_retries_total Deliveries retried after a failure.",
        "# TYPE staffbot_delivery_retries_total counter",
    ]
    for name in sorted(dispatcher.channels):
        lines.append(f'staffbot_delivery_retries_total{{channel="{name}"}} {stats.retried[name]}')
    lines += [
        "# HELP staffbot_rate_limited_total Platform flood-control answers (429).",
        "# TYPE staffbot_rate_limited_total counter",
    ]
    for name in sorted(dispatcher.channels):
        lines.append(f'staffbot_rate_limited_total{{channel="{name}"}} {stats.rate_limited[name]}')
    return "\n".join(lines) + "\n"

"""Times as staff read them: local office time, Indonesian day and month names."""

from __future__ import annotations

from datetime import datetime, tzinfo

from staffbot.texts import day_name, month_name


def zone_label(at: datetime) -> str:
    name = at.strftime("%Z")
    return name if name and not name.startswith(("+", "-")) else "UTC" + at.strftime("%z")


def long_time(at: datetime, tz: tzinfo, lang: str = "id") -> str:
    """'Kamis, 26 November 2026 10:15 WIB'."""
    local = at.astimezone(tz)
    return (
        f"{day_name(local.weekday(), lang)}, {local.day} {month_name(local.month, lang)} "
        f"{local.year} {local:%H:%M} {zone_label(local)}"
    )


def short_time(at: datetime, tz: tzinfo, now: datetime, lang: str = "id") -> str:
    """'14:05' today, '26 Nov 14:05' on another day of this year, else with the year."""
    local, today = at.astimezone(tz), now.astimezone(tz)
    if local.date() == today.date():
        return f"{local:%H:%M}"
    month = month_name(local.month, lang)[:3]
    if local.year == today.year:
        return f"{local.day} {month} {local:%H:%M}"
    return f"{local.day} {month} {local.year} {local:%H:%M}"


def long_date(at: datetime, tz: tzinfo, lang: str = "id") -> str:
    local = at.astimezone(tz)
    return f"{local.day} {month_name(local.month, lang)} {local.year}"

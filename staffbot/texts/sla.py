"""Texts of the SLA cards: escalation alerts, digests, the daily rekap, alert buttons.

Kept beside the main catalogs (Bahasa Indonesia first, English second); ``st`` falls
back to Indonesian like ``staffbot.texts.t`` does, and a missing key is a bug.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

ID: dict[str, str] = {
    "what.case": "Kasus",
    "what.ba": "Berita Acara",
    "alert.late_title": "⚠ Terlambat: {what} {number}",
    "alert.reminder_title": "⏰ Pengingat: {what} {number}",
    "alert.step": "Langkah {no} · {title}",
    "alert.holder": "Dipegang: {names}",
    "alert.nobody": "(belum ada petugas)",
    "alert.place": "Kecamatan: {kecamatan}",
    "alert.due": "Batas waktu: {due}",
    "alert.late": "Terlambat {span} · eskalasi tingkat {level}",
    "alert.late_just": "Baru saja melewati batas waktu · eskalasi tingkat {level}",
    "alert.left": "Sisa waktu {span}",
    "alert.left_none": "Batas waktu sudah tiba",
    "alert.holder_hint": "Mohon segera ditindaklanjuti.",
    "span.hm": "{h} jam {m} menit kerja",
    "span.h": "{h} jam kerja",
    "span.m": "{m} menit kerja",
    "state.late": "terlambat {span}",
    "state.left": "sisa {span}",
    "state.paused": "menunggu pemohon",
    "state.none": "tanpa batas waktu",
    "button.nudge": "Ingatkan",
    "button.takeover": "Ambil alih",
    "button.reassign": "Alihkan",
    "button.open": "Buka {number}",
    "digest.title": "⚠ Ringkasan eskalasi: {count} tugas perlu perhatian",
    "digest.counts": "Terlambat: {late} · mendekati batas waktu: {soon}",
    "digest.per_step": "Per langkah:",
    "digest.per_kecamatan": "Per kecamatan:",
    "digest.line": "• {label}: {count}",
    "digest.oldest": "Terlama:",
    "digest.item": "{i}. {number} · langkah {sop_no} · {kecamatan} · {state}",
    "morning.title": "☀ Selamat pagi, {name}",
    "morning.count": "Tugas menunggu Anda: {count} ({late} terlambat)",
    "rekap.title": "📊 Rekap harian {date}",
    "rekap.totals": "Kasus masuk: {opened} · selesai: {finished} · tugas terlambat: {overdue}",
    "rekap.header": "Per kecamatan (masuk / selesai / terlambat):",
    "rekap.line": "• {kecamatan}: {opened} / {finished} / {overdue}",
    "rekap.quiet": "Tidak ada kasus masuk, selesai atau terlambat hari ini.",
    "nudge.text": "🔔 Pengingat dari {by}: {what} {number}, langkah {no} · {title} ({state}). "
    "Mohon segera ditindaklanjuti.",
    "nudge.sent": "Pengingat terkirim ke: {names}",
    "nudge.again": "Pengingat ini sudah dikirim.",
    "takeover.done": "Tugas {number} kini Anda pegang; kartunya menyusul.",
    "takeover.told": "{name} mengambil alih tugas {number} (langkah {no}).",
    "takeover.refused": "Langkah {no} tidak dapat diambil alih: tanda tangan elektronik dan "
    "Berita Acara hanya oleh pemegang perannya.",
    "takeover.already": "Tugas ini sudah Anda pegang.",
    "reassign.ask": "Alihkan {number} (langkah {no}) kepada:",
    "reassign.none": "Tidak ada petugas lain yang memegang peran {role}.",
    "reassign.done": "{number} dialihkan kepada: {name}",
    "reassign.told": "Tugas {number} (langkah {no}) kini dipegang {name} (dialihkan oleh {by})",
    "reassign.stale": "{name} tidak lagi dapat menerima tugas ini (bukan pemegang peran, "
    "nonaktif atau cuti).",
    "reassign.same": "Tugas ini sudah dipegang: {name}",
}

EN: dict[str, str] = {
    "what.case": "Case",
    "what.ba": "Berita Acara",
    "alert.late_title": "⚠ Overdue: {what} {number}",
    "alert.reminder_title": "⏰ Reminder: {what} {number}",
    "alert.step": "Step {no} · {title}",
    "alert.holder": "Held by: {names}",
    "alert.nobody": "(nobody yet)",
    "alert.place": "Sub-district: {kecamatan}",
    "alert.due": "Due: {due}",
    "alert.late": "{span} late · escalation level {level}",
    "alert.late_just": "Just passed the due time · escalation level {level}",
    "alert.left": "{span} left",
    "alert.left_none": "Due now",
    "alert.holder_hint": "Please act on it soon.",
    "span.hm": "{h} h {m} min of working time",
    "span.h": "{h} h of working time",
    "span.m": "{m} min of working time",
    "state.late": "{span} late",
    "state.left": "{span} left",
    "state.paused": "waiting on the applicant",
    "state.none": "no due time",
    "button.nudge": "Remind",
    "button.takeover": "Take over",
    "button.reassign": "Reassign",
    "button.open": "Open {number}",
    "digest.title": "⚠ Escalation digest: {count} tasks need attention",
    "digest.counts": "Overdue: {late} · nearly due: {soon}",
    "digest.per_step": "Per step:",
    "digest.per_kecamatan": "Per sub-district:",
    "digest.line": "• {label}: {count}",
    "digest.oldest": "Oldest:",
    "digest.item": "{i}. {number} · step {sop_no} · {kecamatan} · {state}",
    "morning.title": "☀ Good morning, {name}",
    "morning.count": "Tasks waiting for you: {count} ({late} overdue)",
    "rekap.title": "📊 Daily summary {date}",
    "rekap.totals": "Cases in: {opened} · finished: {finished} · overdue tasks: {overdue}",
    "rekap.header": "Per sub-district (in / finished / overdue):",
    "rekap.line": "• {kecamatan}: {opened} / {finished} / {overdue}",
    "rekap.quiet": "No case came in, finished or ran late today.",
    "nudge.text": "🔔 Reminder from {by}: {what} {number}, step {no} · {title} ({state}). "
    "Please act on it soon.",
    "nudge.sent": "Reminder sent to: {names}",
    "nudge.again": "This reminder was already sent.",
    "takeover.done": "Task {number} is now yours; its card follows.",
    "takeover.told": "{name} took over task {number} (step {no}).",
    "takeover.refused": "Step {no} cannot be taken over: electronic signatures and Berita "
    "Acara belong to the holders of the role.",
    "takeover.already": "This task is already yours.",
    "reassign.ask": "Reassign {number} (step {no}) to:",
    "reassign.none": "Nobody else holds the role {role}.",
    "reassign.done": "{number} reassigned to: {name}",
    "reassign.told": "Task {number} (step {no}) is now held by {name} (reassigned by {by})",
    "reassign.stale": "{name} can no longer take this task (not a holder of the role, "
    "inactive or on leave).",
    "reassign.same": "This task is already held by: {name}",
}

_CATALOGS: dict[str, dict[str, str]] = {"id": ID, "en": EN}


def st(key: str, lang: str, **params: Any) -> str:
    catalog = _CATALOGS.get(lang, ID)
    template = catalog.get(key) or ID[key]
    return template.format(**params)


def working_span(span: timedelta, lang: str) -> str:
    """'2 jam kerja', '45 menit kerja', '3 jam 15 menit kerja' (minutes rounded down)."""
    minutes = int(span.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return st("span.hm", lang, h=hours, m=minutes)
    if hours:
        return st("span.h", lang, h=hours)
    return st("span.m", lang, m=minutes)

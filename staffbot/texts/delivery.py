"""Texts about the messages sent to the applicant: what each one was, how far it got
(WhatsApp's delivery statuses), the alert when a document does not reach them, and
sending it again.

Kept beside the main catalogs (Bahasa Indonesia first, English second); ``dt`` falls
back to Indonesian like ``staffbot.texts.t`` does, and a missing key is a bug.
"""

from __future__ import annotations

from typing import Any

ID: dict[str, str] = {
    "what.instruksi": "Instruksi kirim berkas",
    "what.berkas_kurang": "Pemberitahuan berkas kurang",
    "what.terdaftar": "Bukti pendaftaran (PDF)",
    "what.dokumen": "Dokumen selesai bertanda tangan (PDF)",
    "what.lampiran": "Dokumen (PDF)",
    "what.balasan": "Balasan otomatis",
    "again.template": "diulang sebagai template",
    "again.resend": "kirim ulang",
    "state.pending": "menunggu dikirim",
    "state.retrying": "dicoba lagi",
    "state.sent": "terkirim",
    "state.delivered": "sampai di ponsel",
    "state.read": "dibaca",
    "state.failed": "gagal",
    "state.cancelled": "dibatalkan",
    "reason.131026": "nomor tidak dapat menerima pesan (bukan nomor WhatsApp atau aplikasinya "
    "terlalu lama)",
    "reason.131049": "ditahan WhatsApp (pembatasan pesan bisnis ke nomor ini)",
    "reason.131047": "jendela 24 jam tertutup",
    "reason.131053": "berkas gagal diunggah ke WhatsApp",
    "reason.131051": "jenis pesan tidak didukung",
    "reason.131000": "galat di WhatsApp",
    "heading": "Pesan ke pemohon",
    "column.what": "Pesan",
    "column.to": "Ke",
    "column.sent": "Dikirim",
    "column.state": "Status",
    "column.state_at": "Waktu status",
    "column.note": "Keterangan",
    "none": "Belum ada pesan ke pemohon.",
    "card.line": "Ke pemohon: {what} · {state}",
    "alert.failed_title": "⚠ Dokumen untuk pemohon GAGAL terkirim: kasus {number}",
    "alert.late_title": "⏳ Dokumen untuk pemohon belum sampai: kasus {number}",
    "alert.what": "{what} ke WhatsApp {phone}",
    "alert.sent": "Dikirim {at}{by}",
    "alert.by": " oleh {name}",
    "alert.reason": "Alasan: {reason}",
    "alert.late": "Belum ada tanda sampai di ponsel pemohon setelah {hours} jam kerja.",
    "alert.hint": "Periksa nomor WhatsApp pemohon, lalu tekan Kirim ulang (atau ketik "
    "/kirimulang {number}). Status pengiriman: /kasus {number}.",
    "button.resend": "Kirim ulang",
    "button.open": "Lihat {number}",
    "resend.done": "{count} dokumen kasus {number} dijadwalkan dikirim ulang ke pemohon "
    "(WhatsApp {phone}): {names}.",
    "resend.nothing": "Tidak ada dokumen kasus {number} yang perlu dikirim ulang: semuanya "
    "sudah sampai atau masih dalam antrean pengiriman.",
    "resend.usage": "Tulis /kirimulang <nomor kasus>, misalnya /kirimulang PO-2026-00001.",
}

EN: dict[str, str] = {
    "what.instruksi": "Instructions to send the files",
    "what.berkas_kurang": "Files incomplete notice",
    "what.terdaftar": "Proof of registration (PDF)",
    "what.dokumen": "Finished signed document (PDF)",
    "what.lampiran": "Document (PDF)",
    "what.balasan": "Automatic reply",
    "again.template": "repeated as a template",
    "again.resend": "sent again",
    "state.pending": "waiting to be sent",
    "state.retrying": "being retried",
    "state.sent": "sent",
    "state.delivered": "delivered",
    "state.read": "read",
    "state.failed": "failed",
    "state.cancelled": "cancelled",
    "reason.131026": "the number cannot receive messages (not on WhatsApp, or an old app)",
    "reason.131049": "held back by WhatsApp (business message limits for this number)",
    "reason.131047": "24-hour window closed",
    "reason.131053": "the file could not be uploaded to WhatsApp",
    "reason.131051": "message type not supported",
    "reason.131000": "WhatsApp error",
    "heading": "Messages to the applicant",
    "column.what": "Message",
    "column.to": "To",
    "column.sent": "Sent",
    "column.state": "Status",
    "column.state_at": "Status time",
    "column.note": "Note",
    "none": "No messages to the applicant yet.",
    "card.line": "To the applicant: {what} · {state}",
    "alert.failed_title": "⚠ Document for the applicant NOT delivered: case {number}",
    "alert.late_title": "⏳ Document for the applicant not delivered yet: case {number}",
    "alert.what": "{what} to WhatsApp {phone}",
    "alert.sent": "Sent {at}{by}",
    "alert.by": " by {name}",
    "alert.reason": "Reason: {reason}",
    "alert.late": "No sign of delivery to the applicant's phone after {hours} working hours.",
    "alert.hint": "Check the applicant's WhatsApp number, then press Send again (or type "
    "/kirimulang {number}). Delivery status: /kasus {number}.",
    "button.resend": "Send again",
    "button.open": "Open {number}",
    "resend.done": "{count} document(s) of case {number} queued to be sent to the applicant "
    "again (WhatsApp {phone}): {names}.",
    "resend.nothing": "No document of case {number} needs sending again: all arrived or are "
    "still queued.",
    "resend.usage": "Type /kirimulang <case number>, e.g. /kirimulang PO-2026-00001.",
}

CATALOGS = {"id": ID, "en": EN}


def dt(key: str, lang: str = "id", /, **params: Any) -> str:
    template = CATALOGS.get(lang, ID).get(key) or ID[key]
    return template.format(**params) if params else template


def reason_text(error: str | None, lang: str = "id") -> str:
    """A failure as staff read it: the platform's words, explained for the common
    WhatsApp error codes ("131026 Message undeliverable" -> "nomor tidak dapat ...")."""
    if not error:
        return ""
    code = error.split(" ", 1)[0].strip(":")
    key = f"reason.{code}"
    if key in ID:
        return f"{dt(key, lang)} ({error})"
    return error


def what_label(what: str, again: str | None, lang: str = "id") -> str:
    """'Dokumen selesai bertanda tangan (PDF)', '... · kirim ulang'."""
    label = dt(f"what.{what}", lang) if f"what.{what}" in ID else what
    return f"{label} · {dt(f'again.{again}', lang)}" if again else label


def state_label(state: str, lang: str = "id") -> str:
    return dt(f"state.{state}", lang) if f"state.{state}" in ID else state

"""Texts of the public pages anyone reaches by a QR code: the verification page of a
document (/v/<code>) and the applicant's status page (/s/<code>).

Written for citizens reading on a phone: plain words, no internal terms. Bahasa
Indonesia first, English second; ``pt`` falls back to Indonesian like
``staffbot.texts.t`` does, and a missing key is a bug.
"""

from __future__ import annotations

from typing import Any

ID: dict[str, str] = {
    "v.title": "Verifikasi dokumen",
    "v.unknown.heading": "Dokumen tidak terdaftar",
    "v.unknown.lead": "Kode atau berkas ini tidak cocok dengan dokumen yang diterbitkan "
    "Disdukcapil Kabupaten Tanggamus.",
    "v.changed.lead": "Berkas ini tidak sama dengan dokumen yang kami terbitkan (isinya "
    "berbeda atau berubah).",
    "v.signed.heading": "Dokumen sah dan sudah ditandatangani",
    "v.signed.lead": "Dokumen ini ditandatangani secara elektronik oleh {signer} pada {at}. "
    "Tanda tangannya utuh dan sah.",
    "v.signed.lead_purged": "Dokumen ini ditandatangani secara elektronik oleh {signer} pada {at}.",
    "v.bad_signature.heading": "Tanda tangan elektronik TIDAK sah",
    "v.bad_signature.lead": "Dokumen terdaftar, tetapi {problem}.",
    "v.draft.heading": "Belum ditandatangani",
    "v.draft.lead": "Dokumen ini masih draf: belum ditandatangani Kepala Dinas, sehingga "
    "belum berlaku sebagai dokumen resmi.",
    "v.unsigned.heading": "Dokumen terdaftar, tanpa tanda tangan elektronik",
    "v.unsigned.lead": "Dokumen ini diterbitkan oleh sistem layanan Disdukcapil Kabupaten "
    "Tanggamus. Dokumen jenis ini tidak ditandatangani secara elektronik.",
    "v.superseded.heading": "Versi lama, sudah diganti",
    "v.superseded.lead": "Dokumen ini sudah diganti dengan versi yang lebih baru dan tidak "
    "berlaku lagi.",
    "v.superseded.signed_lead": "Ini draf yang belum ditandatangani. Dokumen ini kemudian "
    "ditandatangani; yang berlaku adalah versi bertanda tangan.",
    "v.superseded.link": "Buka versi yang berlaku",
    "v.void.heading": "Dokumen dibatalkan",
    "v.void.lead": "Dokumen ini dibatalkan/ditolak pada {date} dan tidak berlaku.",
    "v.received.heading": "Berkas kiriman pemohon",
    "v.received.lead": "Berkas ini diterima kantor dari pemohon; bukan dokumen yang "
    "diterbitkan kantor.",
    "v.row.kind": "Jenis dokumen",
    "v.row.number": "Nomor",
    "v.row.version": "Versi",
    "v.row.status": "Status",
    "v.row.issued": "Diterbitkan",
    "v.row.signer": "Ditandatangani oleh",
    "v.row.signed_at": "Waktu tanda tangan",
    "v.row.issuer": "Sertifikat elektronik",
    "v.row.file": "Berkas",
    "v.row.purged": "dihapus setelah masa simpan; periksa berkas Anda di bawah",
    "v.row.sha256": "SHA-256",
    "issuer.bsre": "diterbitkan oleh Balai Sertifikasi Elektronik (BSrE), BSSN",
    "issuer.local": "sertifikat internal Disdukcapil Kabupaten Tanggamus, bukan dari BSrE",
    "status.received": "berkas diterima",
    "status.draft": "draf, belum ditandatangani",
    "status.draft_final": "terbit, tanpa tanda tangan",
    "status.signed": "ditandatangani",
    "status.superseded": "sudah diganti versi baru",
    "status.void": "dibatalkan",
    "v.form.lead": "Punya berkas PDF-nya? Periksa apakah sama persis dengan yang kami terbitkan:",
    "v.form.button": "Periksa berkas",
    # -- the applicant's status page --------------------------------------------------
    "s.title": "Status permohonan",
    "s.unknown.heading": "Kode status tidak dikenal",
    "s.unknown.lead": "Periksa kembali kode QR pada bukti pendaftaran Anda, atau hubungi kantor.",
    "s.number": "Nomor pengaduan",
    "s.registration": "Nomor registrasi",
    "s.layanan": "Layanan",
    "s.stage": "Tahap sekarang",
    "s.step": "langkah {no} dari {total}",
    "s.expected": "Perkiraan selesai",
    "s.expected_value": "{date} (menurut batas waktu SOP, dihitung dengan hari kerja)",
    "s.expected_paused": "dihitung kembali setelah berkas Anda lengkap",
    "s.finished": "Selesai pada",
    "s.contact": "Kontak kantor",
    "s.contact_wa": "WhatsApp layanan online:",
    "s.contact_note": "Sebutkan nomor pengaduan Anda saat menghubungi kami.",
    "s.bukti": "Periksa keaslian bukti pendaftaran",
    "stage.paused": "Berkas Anda belum lengkap. Mohon kirim kekurangannya lewat WhatsApp "
    "layanan online.",
    "stage.closed": "Selesai. Dokumen sudah dikirim lewat WhatsApp, dan berkas fisiknya "
    "diserahkan ke UPT Disdukcapil Kecamatan {kecamatan}.",
    # One sentence per SOP step (flow step key); a step without one shows its SOP title.
    "stage.telepon": "Pengaduan Anda sedang diterima Call Center.",
    "stage.catat": "Pengaduan Anda sedang dicatat. Silakan kirim berkas persyaratan ke "
    "WhatsApp layanan online.",
    "stage.terima_wa": "Berkas yang Anda kirim lewat WhatsApp sedang diterima dan diperiksa.",
    "stage.angkat_data": "Data Anda sedang diangkat (dimasukkan) oleh petugas.",
    "stage.cetak_berkas": "Berkas permohonan Anda sedang dicetak.",
    "stage.loket": "Berkas sedang dicatat di buku registrasi dan diverifikasi di loket "
    "pendaftaran.",
    "stage.verifikasi_kasi": "Permohonan sedang diverifikasi oleh Kepala Seksi Identitas Penduduk.",
    "stage.entri_data": "Data sedang dientri dan dokumen Anda sedang disiapkan.",
    "stage.ttd_kadis": "Dokumen Anda menunggu tanda tangan Kepala Dinas.",
    "stage.cetak_dokumen": "Dokumen sudah ditandatangani dan sedang dicetak.",
    "stage.paraf_kabid": "Dokumen sedang diperiksa ulang oleh Kepala Bidang.",
    "stage.pilah": "Dokumen sedang dipilah per kecamatan untuk dikirim.",
    "stage.kirim_pdf": "Dokumen Anda sudah selesai dan segera dikirim lewat WhatsApp.",
    "stage.buat_ba": "Dokumen sudah dikirim lewat WhatsApp. Berkas fisiknya disiapkan untuk "
    "diserahkan ke UPT Disdukcapil Kecamatan {kecamatan}.",
    "stage.ttd_ba": "Dokumen sudah dikirim lewat WhatsApp. Berita acara penyerahan berkas "
    "fisik ke UPT menunggu tanda tangan Kepala Dinas.",
}

EN: dict[str, str] = {
    "v.title": "Document verification",
    "v.unknown.heading": "Document not registered",
    "v.unknown.lead": "This code or file does not match any document issued by "
    "Disdukcapil Kabupaten Tanggamus.",
    "v.changed.lead": "This file is not the document we issued (its content differs or "
    "was changed).",
    "v.signed.heading": "Valid document, signed",
    "v.signed.lead": "This document was signed electronically by {signer} on {at}. The "
    "signature is intact and valid.",
    "v.signed.lead_purged": "This document was signed electronically by {signer} on {at}.",
    "v.bad_signature.heading": "The electronic signature is NOT valid",
    "v.bad_signature.lead": "The document is registered, but {problem}.",
    "v.draft.heading": "Not signed",
    "v.draft.lead": "This document is a draft: the Head of Office has not signed it, so it "
    "is not yet an official document.",
    "v.unsigned.heading": "Registered document, without an electronic signature",
    "v.unsigned.lead": "This document was issued by the service system of Disdukcapil "
    "Kabupaten Tanggamus. Documents of this kind are not signed electronically.",
    "v.superseded.heading": "Old version, replaced",
    "v.superseded.lead": "This document was replaced by a newer version and is no longer valid.",
    "v.superseded.signed_lead": "This is the unsigned draft. The document was signed "
    "afterwards; the signed version is the one that counts.",
    "v.superseded.link": "Open the version in force",
    "v.void.heading": "Document cancelled",
    "v.void.lead": "This document was cancelled/rejected on {date} and is not valid.",
    "v.received.heading": "File sent in by an applicant",
    "v.received.lead": "The office received this file from an applicant; it is not a "
    "document the office issued.",
    "v.row.kind": "Document",
    "v.row.number": "Number",
    "v.row.version": "Version",
    "v.row.status": "Status",
    "v.row.issued": "Issued",
    "v.row.signer": "Signed by",
    "v.row.signed_at": "Signed at",
    "v.row.issuer": "Electronic certificate",
    "v.row.file": "File",
    "v.row.purged": "deleted after the retention period; check your copy below",
    "v.row.sha256": "SHA-256",
    "issuer.bsre": "issued by Balai Sertifikasi Elektronik (BSrE), BSSN",
    "issuer.local": "the internal certificate of Disdukcapil Kabupaten Tanggamus, not BSrE",
    "status.received": "file received",
    "status.draft": "draft, not signed",
    "status.draft_final": "issued, without a signature",
    "status.signed": "signed",
    "status.superseded": "replaced by a newer version",
    "status.void": "cancelled",
    "v.form.lead": "Do you have the PDF? Check whether it is exactly the one we issued:",
    "v.form.button": "Check the file",
    "s.title": "Application status",
    "s.unknown.heading": "Unknown status code",
    "s.unknown.lead": "Check the QR code on your proof of registration, or contact the office.",
    "s.number": "Complaint number",
    "s.registration": "Registration number",
    "s.layanan": "Service",
    "s.stage": "Current stage",
    "s.step": "step {no} of {total}",
    "s.expected": "Expected to finish",
    "s.expected_value": "{date} (by the SOP's time limits, on working days)",
    "s.expected_paused": "worked out again once your files are complete",
    "s.finished": "Finished on",
    "s.contact": "Office contact",
    "s.contact_wa": "Online service WhatsApp:",
    "s.contact_note": "Please give your complaint number when you contact us.",
    "s.bukti": "Check that the proof of registration is genuine",
    "stage.paused": "Your files are incomplete. Please send what is missing over the "
    "online service's WhatsApp.",
    "stage.closed": "Finished. The document was sent over WhatsApp, and the paper files "
    "were handed to the UPT Disdukcapil of Kecamatan {kecamatan}.",
    "stage.telepon": "The call center is taking your complaint.",
    "stage.catat": "Your complaint is being recorded. Please send the required files to "
    "the online service's WhatsApp.",
    "stage.terima_wa": "The files you sent over WhatsApp are being received and checked.",
    "stage.angkat_data": "An officer is entering your data.",
    "stage.cetak_berkas": "Your application files are being printed.",
    "stage.loket": "Your files are being entered in the registration book and checked at "
    "the registration counter.",
    "stage.verifikasi_kasi": "The Head of the Population Identity Section is checking the "
    "application.",
    "stage.entri_data": "Your data is being entered and your document prepared.",
    "stage.ttd_kadis": "Your document is waiting for the Head of Office's signature.",
    "stage.cetak_dokumen": "The document is signed and being printed.",
    "stage.paraf_kabid": "The Head of Division is checking the document again.",
    "stage.pilah": "The document is being sorted by sub-district for delivery.",
    "stage.kirim_pdf": "Your document is finished and about to be sent over WhatsApp.",
    "stage.buat_ba": "The document was sent over WhatsApp. The paper files are being "
    "prepared for the UPT Disdukcapil of Kecamatan {kecamatan}.",
    "stage.ttd_ba": "The document was sent over WhatsApp. The record of handing the paper "
    "files to the UPT is waiting for the Head of Office's signature.",
}


def has(key: str) -> bool:
    return key in ID


def pt(key: str, lang: str = "id", /, **params: Any) -> str:
    template = (EN if lang == "en" else ID).get(key) or ID[key]
    return template.format(**params) if params else template

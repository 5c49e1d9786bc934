"""Bahasa Indonesia: the default language of every text."""

TEXTS: dict[str, str] = {
    # -- errors ---------------------------------------------------------------
    "error.generic": "Maaf, terjadi kesalahan. Silakan coba lagi.",
    "error.flow_invalid": "Definisi alur {flow} tidak valid: {problem}",
    "error.unknown_action": "Tindakan \"{action}\" tidak ada pada langkah {step}.",
    "error.wrong_step": "Kasus sedang berada di langkah {current}; tindakan \"{action}\" "
                        "tidak berlaku di langkah ini.",
    "error.case_closed": "Kasus {case} sudah selesai.",
    "error.not_your_role": "Langkah {step} adalah tugas {role}; {actor} tidak memegang "
                           "peran tersebut.",
    "error.assigned_to_other": "Tugas ini sudah diambil oleh {assignee}.",
    "error.reason_required": "Tindakan ini memerlukan alasan (minimal 3 huruf).",
    "error.pin_required": "Tindakan ini memerlukan PIN tanda tangan.",
    "error.attachment_required": "Lampirkan dokumen hasil terlebih dahulu.",
    "error.batch_only": "Tindakan ini dilakukan untuk sekumpulan kasus sekaligus "
                        "(Berita Acara).",
    "error.already_done": "Sudah diproses oleh {actor} pada {at}.",
    "error.not_found": "{what} \"{key}\" tidak ditemukan.",
    "error.auth": "Tidak diizinkan: {reason}",
    "error.pin_wrong": "PIN salah. Sisa percobaan: {left}.",
    "error.pin_locked": "Penandatanganan dikunci sampai {until} karena PIN salah berulang kali.",
    "error.pin_not_set": "PIN tanda tangan belum diatur untuk {name}.",
    "error.conflict": "Data berubah bersamaan; silakan coba lagi.",
    "error.config": "Konfigurasi salah: {problem}",
    "error.sign_refused": "Tanda tangan ditolak: {problem}",
    "error.sign_unknown": "Hasil tanda tangan tidak diketahui ({problem}). Kasus ditandai "
                          "untuk diperiksa manual; jangan ulangi sebelum diperiksa.",
    "error.staff_exists": "Petugas dengan NIP {nip} sudah terdaftar.",
    "error.unknown_role": "Peran \"{role}\" tidak dikenal.",
    "error.ba_mixed": "Satu Berita Acara hanya untuk satu kecamatan; pilihan berisi {kecamatan}.",
    "error.ba_empty": "Pilih minimal satu kasus untuk Berita Acara.",
    "error.manual_check": "Kasus {case} menunggu pemeriksaan manual tanda tangan.",
    # -- validation -------------------------------------------------------------
    "invalid.nama.empty": "Nama pemohon wajib diisi.",
    "invalid.nama.length": "Nama pemohon terlalu panjang (maksimal {max} huruf).",
    "invalid.nama.characters": "Nama pemohon hanya boleh berisi huruf dan tanda baca biasa.",
    "invalid.nik.format": "NIK harus 16 digit angka.",
    "invalid.nik.province": "NIK tidak valid: kode provinsi {code} tidak dikenal.",
    "invalid.nik.region": "NIK tidak valid: kode wilayah {code} tidak lengkap.",
    "invalid.nik.birthdate": "NIK tidak valid: digit 7–12 ({digits}) bukan tanggal lahir "
                             "yang benar.",
    "invalid.nik.sequence": "NIK tidak valid: 4 digit terakhir tidak boleh 0000.",
    "invalid.phone.format": "Nomor WhatsApp tidak valid: gunakan nomor seluler Indonesia, "
                            "misalnya 0812 3456 7890.",
    "invalid.kecamatan.unknown": "Kecamatan \"{value}\" tidak dikenal. Pilih salah satu dari "
                                 "{count} kecamatan: {choices}.",
    "invalid.layanan.unknown": "Jenis layanan \"{value}\" tidak dikenal. Pilihan: {choices}.",
    "invalid.keluhan.length": "Keluhan terlalu panjang (maksimal {max} huruf).",
    "invalid.role.unknown": "Peran \"{value}\" tidak dikenal. Pilihan: {choices}.",
    "invalid.nip.format": "NIP harus 18 digit angka (spasi boleh).",
    "invalid.pin.format": "PIN harus 6 digit angka.",
    "invalid.staff.unknown": "Petugas dengan NIP {value} tidak ditemukan.",
    "invalid.case.unknown": "Kasus \"{value}\" tidak ditemukan.",
    "invalid.channel.unknown": "Kanal \"{value}\" tidak dikenal. Pilihan: {choices}.",
    "invalid.delegate.self": "Petugas tidak dapat menjadi wakil dirinya sendiri.",
    "invalid.delegate.roles": "Wakil {name} tidak memegang peran {roles} dan tidak dapat "
                              "menggantikan.",
    "invalid.attachment.missing": "Berkas lampiran {value} tidak ditemukan.",
    # -- warnings -------------------------------------------------------------------
    "warn.nik_outside": "Perhatian: NIK terdaftar di luar Kabupaten Tanggamus (kode wilayah "
                        "{regency}). Kasus tetap dicatat dan ditandai.",
    # -- cards ----------------------------------------------------------------------
    "card.case": "Kasus {number}",
    "card.step": "Langkah {no} · {title}",
    "card.applicant": "Pemohon: {name} · NIK {nik}",
    "card.phone": "WA: {phone}",
    "card.place": "Kecamatan: {kecamatan} · Layanan: {layanan}",
    "card.keluhan": "Keluhan: {keluhan}",
    "card.registration": "No. registrasi: {number}",
    "card.due": "Batas waktu: {due}",
    "card.paused": "Menunggu berkas dari pemohon (batas waktu dihentikan)",
    "card.last": "Sebelumnya: {outcome} oleh {actor}, {at}",
    "card.reason": "Alasan: {reason}",
    "card.flag_outside": "⚠ NIK dari luar Kabupaten Tanggamus",
    "card.flag_manual": "⚠ Menunggu pemeriksaan manual tanda tangan",
    "card.outcome": "✔ {outcome} oleh {actor}, {at}",
    "card.outcome_back": "✖ {outcome} oleh {actor}, {at}",
    "card.on_behalf": " (mewakili {name})",
    "card.ba": "Berita Acara {number}",
    "card.ba_place": "UPT Kecamatan {kecamatan} · {count} berkas",
    "card.ba_cases": "Kasus: {numbers}",
    # -- applicant messages (WhatsApp) ----------------------------------------------------
    "applicant.instruksi": "Yth. {name},\nPengaduan Anda di Disdukcapil Kabupaten Tanggamus "
                           "telah dicatat dengan nomor {number} (layanan {layanan}).\n"
                           "Silakan kirim foto/scan berkas persyaratan ke nomor WhatsApp "
                           "pelayanan online ini: {service_number}.\nTerima kasih.",
    "applicant.berkas_kurang": "Yth. {name},\nBerkas untuk pengaduan {number} belum lengkap: "
                               "{reason}\nMohon kirim ulang berkas yang diminta melalui "
                               "WhatsApp ini. Terima kasih.",
    "applicant.terdaftar": "Yth. {name},\nPermohonan {number} telah terdaftar dengan nomor "
                           "registrasi {registration}. Kami akan mengabari Anda setelah "
                           "dokumen selesai.",
    "applicant.dokumen": "Yth. {name},\nDokumen untuk permohonan {number} telah selesai dan "
                         "ditandatangani secara elektronik. Terlampir dokumen dalam bentuk PDF.",
    # -- misc ---------------------------------------------------------------------
    "time.format": "{day}, {date} {month} {year} {hm} WIB",
    "ba.created": "Berita Acara {number} dibuat untuk Kecamatan {kecamatan} ({count} berkas).",
}
TEXTS.update({
    "invalid.file.empty": "Berkas kosong.",
    "invalid.file.size": "Berkas terlalu besar (maksimal {max} MB).",
    "invalid.file.type": "Jenis berkas tidak diterima: kirim foto (JPG/PNG) atau PDF.",
    "invalid.file.broken_pdf": "PDF rusak atau tidak dapat dibuka.",
    "invalid.file.path": "Lokasi berkas tidak sah.",
    "invalid.ba.empty": "Pilih minimal satu kasus untuk Berita Acara.",
})

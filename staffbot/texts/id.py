"""Bahasa Indonesia: the default language of every text."""

TEXTS: dict[str, str] = {
    # -- errors ---------------------------------------------------------------
    "error.generic": "Maaf, terjadi kesalahan. Silakan coba lagi.",
    "error.flow_invalid": "Definisi alur {flow} tidak valid: {problem}",
    "error.unknown_action": 'Tindakan "{action}" tidak ada pada langkah {step}.',
    "error.wrong_step": 'Kasus sedang berada di langkah {current}; tindakan "{action}" '
    "tidak berlaku di langkah ini.",
    "error.case_closed": "Kasus {case} sudah selesai.",
    "error.not_your_role": "Langkah {step} adalah tugas {role}; {actor} tidak memegang "
    "peran tersebut.",
    "error.assigned_to_other": "Tugas ini sudah diambil oleh {assignee}.",
    "error.reason_required": "Tindakan ini memerlukan alasan (minimal 3 huruf).",
    "error.pin_required": "Tindakan ini memerlukan PIN tanda tangan.",
    "error.attachment_required": "Lampirkan dokumen hasil terlebih dahulu.",
    "error.batch_only": "Tindakan ini dilakukan untuk sekumpulan kasus sekaligus (Berita Acara).",
    "error.already_done": "Sudah diproses oleh {actor} pada {at}.",
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
    "error.unknown_role": 'Peran "{role}" tidak dikenal.',
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
    "invalid.kecamatan.unknown": 'Kecamatan "{value}" tidak dikenal. Pilih salah satu dari '
    "{count} kecamatan: {choices}.",
    "invalid.layanan.unknown": 'Jenis layanan "{value}" tidak dikenal. Pilihan: {choices}.',
    "invalid.pangkat.length": "Pangkat/golongan terlalu panjang (maksimal {max} huruf).",
    "invalid.jabatan.length": "Jabatan terlalu panjang (maksimal {max} huruf).",
    "invalid.desa.length": "Nama desa/pekon terlalu panjang (maksimal {max} huruf).",
    "invalid.keluhan.length": "Keluhan terlalu panjang (maksimal {max} huruf).",
    "invalid.role.unknown": 'Peran "{value}" tidak dikenal. Pilihan: {choices}.',
    "invalid.nip.format": "NIP harus 18 digit angka (spasi boleh).",
    "invalid.pin.format": "PIN harus 6 digit angka.",
    "invalid.telegram.format": "ID Telegram harus berupa angka.",
    "invalid.staff.unknown": "Petugas dengan NIP {value} tidak ditemukan.",
    "invalid.case.unknown": 'Kasus "{value}" tidak ditemukan.',
    "invalid.cards.unknown": 'Pilihan kartu "{value}" tidak dikenal. Pilihan: each (satu per dokumen), digest (ringkasan).',
    "invalid.channel.unknown": 'Kanal "{value}" tidak dikenal. Pilihan: {choices}.',
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
    "applicant.terdaftar": "Yth. {name},\nPengaduan {number} telah terdaftar; bukti "
    "pendaftaran terlampir. Sebutkan nomor pengaduan ini bila menghubungi kami. Kami akan "
    "mengabari Anda setelah dokumen selesai.",
    "applicant.status_link": "\nStatus permohonan dapat dilihat kapan saja: {url}",
    "applicant.dokumen": "Yth. {name},\nDokumen untuk permohonan {number} telah selesai dan "
    "ditandatangani secara elektronik. Terlampir dokumen dalam bentuk PDF.",
    # -- misc ---------------------------------------------------------------------
}
TEXTS.update(
    {
        "invalid.file.empty": "Berkas kosong.",
        "invalid.file.size": "Berkas terlalu besar (maksimal {max} MB).",
        "invalid.file.type": "Jenis berkas tidak diterima: kirim foto (JPG/PNG) atau PDF.",
        "invalid.file.broken_pdf": "PDF rusak atau tidak dapat dibuka.",
        "invalid.file.broken_image": "Foto rusak atau tidak dapat dibuka.",
        "invalid.file.path": "Lokasi berkas tidak sah.",
        "invalid.ba.empty": "Pilih minimal satu kasus untuk Berita Acara.",
    }
)
TEXTS.update(
    {
        # -- chat ------------------------------------------------------------------------
        "chat.unknown_user": "Maaf, akun ini belum terdaftar sebagai petugas Disdukcapil "
        "Tanggamus. Minta tautan undangan kepada admin.",
        "chat.token_unknown": "Tombol ini tidak dikenal atau bukan untuk Anda.",
        "chat.token_stale": "Tombol ini sudah tidak berlaku.",
        "chat.welcome": "Selamat datang, {name}.\nPeran: {roles}.\nPerintah: /tugas (tugas saya), "
        "/cari (cari kasus), /batal (batalkan isian), /bantuan.",
        "chat.help": "Perintah:\n/tugas – daftar tugas Anda\n/cari &lt;nomor kasus | NIK | "
        "nomor WA&gt; – cari kasus\n/kasus &lt;nomor kasus&gt; – buka kasus\n"
        "/berkas &lt;nomor kasus&gt; – kirim berkas pemohon ke chat ini\n/ambil &lt;nomor kasus&gt; – ambil tugas kasus itu (rekan "
        "lain tidak lagi memprosesnya)\n/baru – catat pengaduan baru (Call Center)\n"
        "/ba – buat Berita Acara (Kasi Inovasi)\n/laporan – rekap dan Mutu Baku bulan ini (Kasi ke atas)\n"
        "/ringkasan – kartu tugas satu per dokumen atau satu ringkasan\n"
        "/kirimulang &lt;nomor kasus&gt; – kirim ulang dokumen yang belum sampai ke pemohon\n/batal – batalkan isian yang "
        "sedang berjalan\n/bantuan – pesan ini",
        "prompt.chosen": "✔ Dipilih: {choice}",
        "prompt.answered": "✔ {answer}",
        "prompt.next_page": "› halaman berikutnya",
        "prompt.saved": "✔ Disimpan: {number}",
        "prompt.cancelled": "✖ Dibatalkan",
        "prompt.ba_made": "✔ BA dibuat: {number}",
        "prompt.surat_made": "✔ Surat Tanggapan dibuat",
        "prompt.already_taken": "Pilihan ini sudah diambil.",
        "prompt.already_saved": "Sudah disimpan.",
        "chat.still_waiting_reason": "Masih menunggu alasan untuk {number}.",
        "chat.still_waiting_pin": "Masih menunggu PIN untuk {number}.",
        "chat.still_waiting_attachment": "Masih menunggu dokumen hasil untuk {number}.",
        "digest.to_sign": "✍ {count} dokumen menunggu tanda tangan Bapak/Ibu",
        "digest.tasks": "📋 {count} tugas menunggu Anda ({signing} menunggu tanda tangan)",
        "digest.line": "• {number} · Langkah {sop_no} · {kecamatan}",
        "digest.more": "… dan {count} lainnya",
        "digest.empty": "✔ Tidak ada tugas yang menunggu.",
        "digest.pick": "✍ Tanda tangani ({count})",
        "digest.list": "📋 Daftar tugas",
        "pick.title": 'Dokumen yang akan ditandatangani: {chosen} dari {count}. Tekan dokumen untuk mengecualikan atau memasukkannya kembali (atau ketik mis. "kecuali 3 7"), lalu Tanda Tangani.',
        "pick.line_in": "{i}. ✅ {number} · {kecamatan}",
        "pick.line_out": "{i}. ⬜ {number} · {kecamatan} (tidak sekarang)",
        "pick.sign": "Tanda Tangani",
        "pick.cancel": "Batal",
        "pick.chosen": "✔ {chosen} dokumen dipilih",
        "pick.none": "Tidak ada dokumen yang dipilih.",
        "pick.nothing": "Tidak ada dokumen yang menunggu tanda tangan Anda.",
        "pick.ask_pin": "Ketik PIN untuk menandatangani {count} dokumen: {numbers}",
        "cards.now_each": "Kartu tugas Anda: satu kartu per dokumen.",
        "cards.now_digest": "Kartu tugas Anda: ringkasan (satu pesan yang diperbarui pada jam kerja, bukan kartu per dokumen).",
        "cards.each": "Satu per dokumen",
        "cards.digest": "Ringkasan",
        "chat.cancelled": "Isian dibatalkan.",
        "chat.nothing_to_cancel": "Tidak ada isian yang sedang berjalan.",
        "chat.no_tasks": "Tidak ada tugas yang menunggu Anda. 👍",
        "chat.tasks_title": "Tugas Anda ({count}):",
        "chat.task_line": "{i}. {number} · langkah {sop_no} · {kecamatan} · {due}",
        "chat.open": "Buka {number}",
        "chat.search_usage": "Tulis: /cari &lt;nomor kasus, NIK atau nomor WA&gt;",
        "chat.search_none": "Tidak ada kasus yang cocok.",
        "chat.search_title": "Hasil pencarian ({count}):",
        "chat.search_line": "{number} · {name} · NIK {nik} · {kecamatan} · langkah {sop_no} · {status}",
        # a case's status (storage.tables CASE_OPEN / CASE_CLOSED) in a sentence or a list
        "case.status.open": "dalam proses",
        "case.status.closed": "selesai",
        "chat.ask_reason": "Tulis alasan untuk <b>{outcome}</b> kasus {number} (atau /batal):",
        "chat.ask_pin": "Masukkan PIN tanda tangan (6 digit) untuk {what} (atau /batal). Pesan "
        "berisi PIN akan dihapus.",
        "chat.ask_pin_many": "Masukkan PIN tanda tangan (6 digit) untuk menandatangani {count} "
        "dokumen sekaligus (atau /batal). Pesan berisi PIN akan dihapus.",
        "chat.ask_attachment": "Kirim PDF dokumen hasil untuk kasus {number}, atau tekan "
        '"Buat Surat Tanggapan" (atau /batal).',
        "chat.make_surat": "Buat Surat Tanggapan",
        "chat.sign_all": "✍ Tanda tangani semua ({count})",
        "chat.pin_not_deleted": "WhatsApp tidak mengizinkan bot menghapus pesan: hapus sendiri "
        "pesan PIN Anda setelah terkirim.",
        "chat.done": "✔ {outcome}: {number}",
        "chat.toast_prompt": "Lihat pesan berikut",
        "chat.not_allowed": "Perintah ini tidak untuk peran Anda.",
        "chat.unknown_text": "Pesan tidak dikenali. Ketik /bantuan untuk daftar perintah.",
        "chat.file_not_expected": "Berkas hanya diterima saat diminta (mis. Ajukan TTE).",
        "chat.menu_new_case": "📝 Catat pengaduan",
        "chat.menu_tasks": "📋 Tugas saya",
        "chat.menu_ba": "🗂 Buat BA",
        "chat.report_rekap": "📊 Rekap per kecamatan {start} s.d. {end}",
        "chat.report_mutu": "📈 Laporan Mutu Baku {start} s.d. {end}",
        # intake form
        "form.ask_name": "Pengaduan baru (1/6). Nama lengkap pemohon?",
        "form.ask_nik": "(2/6) NIK pemohon (16 digit)?",
        "form.ask_wa": "(3/6) Nomor WhatsApp pemohon?",
        "form.ask_kecamatan": "(4/6) Kecamatan tempat tinggal pemohon? Pilih atau ketik namanya.",
        "form.ask_layanan": "(5/6) Jenis layanan? Pilih atau ketik.",
        "form.ask_keluhan": "(6/6) Isi keluhan/permohonan singkat (atau tekan Lewati).",
        "form.skip": "Lewati",
        "form.more": "Berikutnya ›",
        "form.confirm": "Periksa data pengaduan:\nNama: {name}\nNIK: {nik}\nWA: {wa}\n"
        "Kecamatan: {kecamatan}\nLayanan: {layanan}\nKeluhan: {keluhan}",
        "form.save": "Simpan",
        "form.cancel": "Batal",
        "form.edit": "Ubah",
        "form.which": "Bagian mana yang diubah?",
        "form.confirm_help": 'Isian belum disimpan dan tetap ada. Tekan Simpan untuk menyimpan, Ubah untuk membetulkan satu isian (atau ketik mis. "ubah nik"), atau Batal.',
        "form.field_name": "Nama",
        "form.field_nik": "NIK",
        "form.field_wa": "Nomor WA",
        "form.field_kecamatan": "Kecamatan",
        "form.field_layanan": "Layanan",
        "form.field_keluhan": "Keluhan",
        "form.saved": "✔ Pengaduan dicatat: <b>{number}</b>. Pemohon diberi tahu lewat WhatsApp "
        "untuk mengirim berkas.",
        # Berita Acara picker
        "ba.none_waiting": "Tidak ada kasus yang menunggu Berita Acara.",
        "ba.pick_place": "Kasus menunggu Berita Acara per kecamatan. Pilih kecamatan:",
        "ba.place_choice": "{kecamatan} ({count})",
        "ba.pick_cases": "Kecamatan {kecamatan}: {count} kasus menunggu BA.\n{lines}\nTekan "
        '"Semua" atau balas dengan nomor urut (mis. 1,3,4).',
        "ba.all": "Semua ({count})",
        "ba.pick_invalid": "Nomor urut tidak dikenal. Balas misalnya: 1,3",
        "ba.made": "✔ Berita Acara {number} dibuat ({count} kasus, Kecamatan {kecamatan}). "
        "Menunggu tanda tangan Kepala Dinas.",
        # applicant over WhatsApp
        "applicant.files_received": "Terima kasih, {count} berkas diterima untuk pengaduan {number}.",
        "applicant.no_case": "Terima kasih. Belum ada pengaduan terbuka untuk nomor ini. Silakan "
        "hubungi Call Center Disdukcapil Tanggamus terlebih dahulu.",
        "applicant.text_ack": "Terima kasih, pesan Anda kami terima untuk pengaduan {number}.",
        "card.files": "📎 Berkas dari pemohon: {count} ({names})",
    }
)
TEXTS.update(
    {
        # -- security (docs/SECURITY.md) -------------------------------------------------------
        "security.pin_locked_alert": "⚠ <b>Tanda tangan {name} dikunci</b>\nPIN salah {count} "
        "kali berturut-turut; penandatanganan dikunci sampai {until}. Bila bukan {name} yang "
        "mencoba, hubungi yang bersangkutan: ponselnya mungkin dipegang orang lain.",
        "security.pin_unexpected": "Tidak ada tanda tangan yang menunggu PIN; pesan Anda "
        "dihapus. Tekan Tanda Tangani dulu, lalu kirim PIN.",
    }
)
TEXTS["error.backup"] = "Cadangan/pemulihan gagal: {problem}"
TEXTS.update(
    {
        # -- `outbox retry ID` -------------------------------------------------------------
        "invalid.outbox.unknown": "Pesan keluar {value} tidak ada.",
        "invalid.outbox.not_failed": "Pesan keluar {value} berstatus {status}, bukan gagal: hanya pesan yang gagal yang dapat dikirim ulang.",
    }
)
TEXTS.update(
    {
        # -- claiming a task (/ambil, `case claim`) ------------------------------------------
        "error.already_claimed": "Tugas ini sudah diambil oleh {name} pada {at}.",
        "error.not_claimable": "Langkah {step} tidak dapat diambil: tidak ada tugas terbuka pada kasus ini.",
        "claim.done": "✔ Kasus {number} (langkah {no}) kini Anda pegang; rekan lain tidak dapat lagi memprosesnya.",
        "claim.already_yours": "Kasus {number} sudah Anda pegang.",
        "claim.usage": "Tulis: /ambil <nomor kasus>",
        "card.claimed": "👤 Diambil oleh {name}, {at}",
    }
)

# -- the case and its files one tap away (issue 17) ------------------------------------
TEXTS.update(
    {
        "card.look": "👁 Hanya dilihat: tugasnya ada pada pemegang langkah ini.",
        "card.status": "Status: {status}",
        "card.documents": "📎 Berkas: {names}",
        "card.files_button": "📎 Buka berkas ({count})",
        "card.files_none": "📎 Berkas pemohon",
        "chat.case_usage": "Tulis: /kasus <nomor kasus>",
        "chat.files_usage": "Tulis: /berkas <nomor kasus>",
        "chat.case_not_allowed": "Kasus {number} belum sampai ke peran Anda, jadi belum dapat dibuka. "
        "Tidak ada yang diubah.",
        "chat.files_none": "Kasus {number} belum punya berkas.",
        "chat.file_caption": "📎 {number}: {filename}",
    }
)
TEXTS.update(
    {
        # -- sending the applicant's documents again (/kirimulang, `case resend`) -----------
        "invalid.resend.not_allowed": "Dokumen kasus {value} hanya dapat dikirim ulang oleh "
        "pengirimnya, Operator Pengirim PDF atau Kasi Inovasi.",
        "invalid.resend.not_a_case": "{value} bukan nomor kasus: yang dikirim ulang ke pemohon "
        "adalah dokumen sebuah kasus.",
    }
)

# -- signed outputs that reach people; uploads signed already (issue 13) ---------------
TEXTS.update(
    {
        "card.note": "Catatan: {reason}",
        "card.signed_document": "📄 Dokumen ber-TTE: {filename}",
        "ba.signed_to_maker": "🗂 Berita Acara {number} sudah ditandatangani {signer}, {at} "
        "(UPT Kecamatan {kecamatan}, {count} berkas). PDF ber-TTE terlampir.",
        "ba.signed_to_upt": "🗂 Berita Acara {number}: pengiriman {count} berkas ke UPT "
        "Disdukcapil Kecamatan {kecamatan}, ditandatangani secara elektronik oleh {signer}, "
        "{at}. PDF ber-TTE terlampir.",
        "presigned.button": "Konfirmasi TTE SIAK",
        "presigned.card": "🔏 Dokumen ini sudah ditandatangani secara elektronik (SIAK) oleh "
        "{signer}, {at}. {trust} Dokumen tidak ditandatangani ulang: tekan «{button}» untuk "
        "mencatatnya, tanpa PIN.",
        "presigned.trusted": "Sertifikatnya dikenal.",
        "presigned.untrusted": "⚠ Penerbit sertifikatnya tidak dikenal bot: pastikan Anda "
        "yang menandatanganinya.",
        "presigned.note": "ditandatangani di SIAK ({signer})",
    }
)

"""Fixed labels printed on documents, Bahasa Indonesia first."""

from __future__ import annotations

from staffbot.documents.model import Language, SignerBackend

__all__ = ["label", "tte_note"]

_LABELS: dict[str, tuple[str, str]] = {
    # key: (Bahasa Indonesia, English)
    "page": ("Halaman {page} dari {pages}", "Page {page} of {pages}"),
    "generated": ("Dibuat secara elektronik {when}", "Generated {when}"),
    "no": ("No", "No"),
    "number": ("Nomor", "Number"),
    "nature": ("Sifat", "Nature"),
    "attachment": ("Lampiran", "Attachment"),
    "subject": ("Perihal", "Subject"),
    "total": ("Jumlah", "Total"),
    "scan_to_verify": (
        "Pindai kode QR untuk memeriksa keaslian dokumen ini",
        "Scan the QR code to check this document",
    ),
    # bukti pendaftaran
    "bukti_title": ("BUKTI PENDAFTARAN", "PROOF OF REGISTRATION"),
    "bukti_subtitle": (
        "Layanan Pengaduan Online Administrasi Kependudukan",
        "Online Complaint Service, Population Administration",
    ),
    "registration_number": ("Nomor Pendaftaran", "Registration number"),
    "case_number": ("Nomor Pengaduan", "Complaint number"),
    "applicant": ("Nama Pemohon", "Applicant"),
    "nik": ("NIK", "NIK"),
    "whatsapp": ("Nomor WhatsApp", "WhatsApp number"),
    "layanan": ("Layanan", "Service"),
    "kecamatan": ("Kecamatan", "Sub-district"),
    "registered_at": ("Tanggal Pendaftaran", "Registered on"),
    "bukti_note": (
        "Simpan bukti ini. Status permohonan dapat diperiksa kapan saja dengan memindai "
        "kode QR di samping. Dokumen yang sudah selesai dikirim dalam bentuk PDF melalui "
        "WhatsApp ke nomor yang terdaftar.",
        "Keep this proof. Scan the QR code beside it to check the request's status at any "
        "time. The finished document is sent as a PDF over WhatsApp to the registered "
        "number.",
    ),
    "bukti_qr": ("Periksa status permohonan", "Check the request's status"),
    "bukti_qr_verify": ("Periksa keaslian bukti ini", "Check that this proof is genuine"),
    "bukti_note_verify": (
        "Simpan bukti ini. Keaslian bukti dapat diperiksa dengan memindai kode QR di "
        "samping. Dokumen yang sudah selesai dikirim dalam bentuk PDF melalui WhatsApp ke "
        "nomor yang terdaftar.",
        "Keep this proof. Scan the QR code beside it to check that it is genuine. The "
        "finished document is sent as a PDF over WhatsApp to the registered number.",
    ),
    # berkas cetak
    "berkas_title": ("LEMBAR SAMPUL BERKAS PERMOHONAN", "APPLICATION FILE COVER SHEET"),
    "received_at": ("Tanggal Diterima", "Received on"),
    "attached_files": ("Daftar Berkas Terlampir", "Attached files"),
    "file_name": ("Nama Berkas", "File name"),
    "file_kind": ("Jenis", "Kind"),
    "file_pages": ("Halaman", "Pages"),
    "no_files": ("(tidak ada berkas terlampir)", "(no files attached)"),
    "berkas_checked": ("Paraf Petugas", "Initials of the staff"),
    "role_cetak": ("Operator Cetak Berkas", "Printing operator"),
    "role_loket": ("Petugas Loket Pendaftaran", "Registration counter"),
    "role_kasi": ("Kasi Identitas Penduduk", "Head of Population Identity"),
    "berkas_file_header": ("Berkas {n} dari {total}: {name}", "File {n} of {total}: {name}"),
    # surat tanggapan
    "surat_title": ("SURAT TANGGAPAN PENGADUAN", "COMPLAINT RESPONSE LETTER"),
    "to": ("Kepada Yth.", "To"),
    "at": ("di", "at"),
    "place": ("Tempat", "Address"),
    "surat_opening": (
        "Menindaklanjuti pengaduan {you} yang kami terima melalui layanan Pengaduan "
        "Online Dinas Kependudukan dan Pencatatan Sipil pada tanggal {received} dengan "
        "nomor pengaduan {case}, dengan data sebagai berikut:",
        "Following up on the complaint we received through the Online Complaint service "
        "of the Population and Civil Registration Office on {received}, complaint number "
        "{case}, with the following details:",
    ),
    "complaint": ("Isi Pengaduan", "Complaint"),
    "surat_response_intro": (
        "bersama ini kami sampaikan tanggapan sebagai berikut:",
        "we hereby respond as follows:",
    ),
    "surat_closing": (
        "Demikian tanggapan ini kami sampaikan. Atas perhatian dan kepercayaan {you} "
        "kepada layanan kami, kami ucapkan terima kasih.",
        "Thank you for your attention and for your trust in our services.",
    ),
    "tembusan": ("Tembusan", "Copy to"),
    "greeting": ("Dengan hormat,", "Dear Sir or Madam,"),
    "addressee": ("{title} {name}", "{title} {name}"),
    "place_line": ("{city}, {date}", "{city}, {date}"),
    # The footer says truthfully who issued the signing certificate: BSrE's own wording
    # only when BSrE signs; the office's own CA (`signing init`) is never called BSrE.
    "tte_note_bsre": (
        "Dokumen ini telah ditandatangani secara elektronik menggunakan sertifikat "
        "elektronik yang diterbitkan oleh Balai Sertifikasi Elektronik (BSrE), BSSN",
        "This document has been signed electronically using an electronic certificate "
        "issued by the Balai Sertifikasi Elektronik (BSrE), BSSN",
    ),
    "tte_note_local": (
        "Dokumen ini ditandatangani secara elektronik menggunakan sertifikat elektronik "
        "yang diterbitkan oleh otoritas sertifikat internal instansi ini. Keaslian dan "
        "keutuhannya dapat diperiksa dengan memindai kode QR pada tanda tangan.",
        "This document is signed electronically using an electronic certificate issued "
        "by this office's own certificate authority. Scan the QR code in the signature "
        "to check that it is authentic and unaltered.",
    ),
    "nip": ("NIP.", "NIP"),
    "rank": ("Pangkat/Gol.", "Rank/grade"),
    # berita acara
    "ba_title": ("BERITA ACARA", "OFFICIAL REPORT"),
    "ba_subtitle": ("PENGIRIMAN BERKAS KE UPT", "OF DELIVERY OF FILES TO THE UPT"),
    "ba_opening": (
        "Pada {written}, bertempat di {city}, kami yang bertanda tangan di bawah ini:",
        "On {written}, at {city}, we the undersigned:",
    ),
    "name": ("Nama", "Name"),
    "position": ("Jabatan", "Position"),
    "first_party": (
        "selanjutnya disebut PIHAK PERTAMA (yang menyerahkan).",
        "hereinafter the FIRST PARTY (handing over).",
    ),
    "second_party": (
        "selanjutnya disebut PIHAK KEDUA (yang menerima).",
        "hereinafter the SECOND PARTY (receiving).",
    ),
    "ba_body": (
        "PIHAK PERTAMA telah menyerahkan kepada PIHAK KEDUA ({upt}) dokumen kependudukan "
        "hasil layanan Pengaduan Online untuk Kecamatan {kecamatan} sebanyak {count} "
        "({words}) berkas, dengan rincian sebagai berikut:",
        "The FIRST PARTY has handed over to the SECOND PARTY ({upt}) {count} ({words}) "
        "population documents produced by the Online Complaint service for the "
        "{kecamatan} sub-district, as follows:",
    ),
    "sent_date": ("Tanggal Kirim", "Date sent"),
    "document_number": ("No. Dokumen", "Document no."),
    "desa": ("Desa/Pekon", "Village"),
    "receipt": ("Paraf Penerima", "Received (initials)"),
    "ba_total": ("Jumlah: {count} berkas", "Total: {count} files"),
    "ba_closing": (
        "Demikian Berita Acara ini dibuat dengan sebenarnya dalam rangkap 2 (dua) untuk "
        "dipergunakan sebagaimana mestinya.",
        "This report is made truthfully in two copies, to be used as appropriate.",
    ),
    "receiver": ("Yang Menerima,", "Received by,"),
    "giver": ("Yang Menyerahkan,", "Handed over by,"),
    "second_party_short": ("PIHAK KEDUA", "SECOND PARTY"),
    "first_party_short": ("PIHAK PERTAMA", "FIRST PARTY"),
    # rekap
    "rekap_title": ("REKAPITULASI DOKUMEN PER KECAMATAN", "DOCUMENTS PER SUB-DISTRICT"),
    "period": ("Periode {start} s.d. {end}", "Period {start} to {end}"),
    "rekap_by_layanan": ("Jumlah per Layanan", "Totals per service"),
    "kemendagri_code": ("Kode", "Code"),
    "share": ("Persentase", "Share"),
    # mutu baku
    "mutu_title": ("LAPORAN CAPAIAN MUTU BAKU", "SERVICE STANDARD (MUTU BAKU) REPORT"),
    "mutu_by_step": ("Capaian per Langkah SOP", "Per SOP step"),
    "mutu_by_role": ("Capaian per Pelaksana", "Per role"),
    "step": ("Langkah", "Step"),
    "role": ("Pelaksana", "Role"),
    "waktu": ("Waktu", "Time limit"),
    "count": ("Jumlah", "Count"),
    "within": ("Tepat Waktu", "On time"),
    "median": ("Median", "Median"),
    "worst": ("Terlama", "Worst"),
    "mutu_chart": (
        "Persentase selesai dalam batas Waktu per langkah",
        "Share finished within the time limit, per step",
    ),
    "no_limit": ("tanpa batas", "no limit"),
    # sop chart
    "uraian": ("Uraian Prosedur", "Procedure"),
    "mutu_baku": ("Mutu Baku", "Service standard"),
    "kelengkapan": ("Kelengkapan", "Requirements"),
    "output": ("Output", "Output"),
    "ket": ("Ket", "Notes"),
    "sop_no": ("Nomor SOP", "SOP number"),
    "sop_made": ("Tanggal Pembuatan", "Made on"),
    "sop_revised": ("Tanggal Revisi", "Revised on"),
    "sop_effective": ("Tanggal Efektif", "Effective from"),
    "sop_approved": ("Disahkan oleh", "Approved by"),
    "sop_title": ("Judul SOP", "Title"),
    "sop_basis": ("Dasar Hukum", "Legal basis"),
    "sop_qualification": ("Kualifikasi Pelaksana", "Qualification of the staff"),
    "sop_related": ("Keterkaitan", "Related procedures"),
    "sop_equipment": ("Peralatan/Perlengkapan", "Equipment"),
    "sop_warning": ("Peringatan", "Warning"),
    "sop_records": ("Pencatatan dan Pendataan", "Records"),
    "sop_back": ("Tolak: ke no. {no}", "Reject: to no. {no}"),
}


def label(key: str, language: Language = "id", **params: object) -> str:
    ident, english = _LABELS[key]
    text = ident if language == "id" else english
    return text.format(**params) if params else text


def tte_note(backend: SignerBackend, language: Language = "id") -> str:
    """The footer of a document the Kepala Dinas signs: BSrE's wording only when BSrE
    signs; with the office's own CA it says so, and claims nothing of BSrE."""
    return label("tte_note_bsre" if backend == "bsre" else "tte_note_local", language)

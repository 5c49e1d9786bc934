"""The SOP *Pengaduan Online* of Disdukcapil Kabupaten Tanggamus, as data.

Fifteen steps, numbered as in the SOP. Step 1 (the applicant's phone call) is the
flow's entry: the call center's intake records steps 1 and 2 in one go. Steps 14
and 15 work on a batch: cases wait at step 14 until the Kasi Inovasi puts a chosen
set of them into a Berita Acara, which the Kepala Dinas signs as one document.
"""

from __future__ import annotations

from flows.model import (
    HOLDER,
    SUPERVISOR,
    Action,
    Escalation,
    Flow,
    MutuBaku,
    Role,
    SopIdentity,
    Step,
)
from flows.working_time import WorkingTime

FLOW_KEY = "pengaduan_online"

#: The SOP document's identity block as the office's SOP writes it (Nomor SOP and the
#: dates are blank there, so they print as "-").
IDENTITY = SopIdentity(
    disahkan_jabatan="Kepala Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tanggamus",
    disahkan_nama="MARADONA, S.STP.,M.Si",
    disahkan_nip="197909031998101001",
    dasar_hukum=(
        "Undang-Undang Republik Indonesia Nomor 23 Tahun 2006 tentang Administrasi Kependudukan",
        "Undang-Undang Republik Indonesia Nomor 24 Tahun 2013 tentang Perubahan atas "
        "Undang-Undang Nomor 23 Tahun 2006 tentang Administrasi Kependudukan",
        "Peraturan Pemerintah Republik Indonesia Nomor 40 Tahun 2019 tentang Pelaksanaan "
        "Undang-Undang Nomor 23 Tahun 2006 tentang Administrasi Kependudukan sebagaimana "
        "telah diubah dengan Undang-Undang Nomor 24 Tahun 2013 tentang Perubahan atas "
        "Undang-Undang Nomor 23 Tahun 2006 tentang Administrasi Kependudukan",
        "Peraturan Presiden Republik Indonesia Nomor 96 Tahun 2018 tentang Persyaratan dan "
        "Tata Cara Pendaftaran Penduduk dan Pencatatan Sipil",
        "Peraturan Menteri Dalam Negeri Nomor 108 Tahun 2019 tentang Peraturan Pelaksanaan "
        "Peraturan Presiden Nomor 96 Tahun 2018 tentang Persyaratan dan Tata Cara "
        "Pendaftaran Penduduk dan Pencatatan Sipil",
        "Peraturan Menteri Dalam Negeri Nomor 109 Tahun 2019 tentang Formulir dan Buku yang "
        "Digunakan dalam Administrasi Kependudukan",
        "Peraturan Bupati Tanggamus Nomor 36.A Tahun 2018 tentang Tata Cara Penerbitan "
        "Kartu Identitas Anak",
        "Peraturan Bupati Tanggamus Nomor 07 Tahun 2020 tentang Standar Pelayanan "
        "Administrasi Kependudukan dan Pencatatan Sipil",
        "Peraturan Bupati Tanggamus Nomor 21 Tahun 2020 tentang Standar Pelayanan dan "
        "Inovasi Layanan Administrasi Kependudukan dan Pencatatan Sipil",
    ),
    kualifikasi=(
        "SMA, D3 dan S1 semua jurusan",
        "Menguasai pengoperasian komputer",
        "Memahami sistem kearsipan",
    ),
    peralatan=("Peralatan komputer", "Alat tulis kantor", "Internet", "Server"),
)

ROLES: tuple[Role, ...] = (
    Role("pemohon", "Pemohon/Masyarakat", "Applicant", staff=False),
    Role("petugas_call_center", "Petugas Call Center", "Call center officer"),
    Role("operator_penerima_wa", "Operator Penerima WA", "WhatsApp intake operator"),
    Role("operator_pengangkat_data", "Operator Pengangkat Data", "Data intake operator"),
    Role("operator_cetak_berkas", "Operator Cetak Berkas", "Print operator"),
    Role("petugas_loket_pendaftaran", "Petugas Loket Pendaftaran", "Registration counter"),
    Role("kasi_identitas_penduduk", "Kasi Identitas Penduduk", "Head of Identity Section"),
    Role("operator", "Operator", "Operator"),
    Role("kepala_dinas", "Kepala Dinas", "Head of Office"),
    Role("kepala_bidang", "Kepala Bidang", "Head of Division"),
    Role("petugas_pemilah_berkas", "Petugas Pemilah Berkas", "File sorter"),
    Role("operator_pengirim_pdf", "Operator Pengirim PDF", "PDF sender"),
    Role("kasi_inovasi", "Kasi Inovasi", "Head of Innovation Section"),
    # Named by the SOP table without steps of their own yet: a flow can give them
    # courier delivery, UPT receipt or archiving steps without code changes.
    Role("kurir", "Kurir", "Courier"),
    Role("upt", "UPT", "Sub-district unit (UPT)"),
    Role("petugas_loket_pengambilan", "Petugas Loket Pengambilan", "Pick-up counter"),
    Role("petugas_registrasi_arsip", "Petugas Registrasi dan Pengarsipan", "Registry and archive"),
)


def _done(to: str) -> Action:
    return Action("done", "Selesai", to, "Selesai", label_en="Done", outcome_en="Done")


def _approve(to: str, *effects: str) -> Action:
    return Action(
        "approve",
        "Setujui",
        to,
        "Disetujui",
        label_en="Approve",
        outcome_en="Approved",
        effects=effects,
    )


def _reject(to: str, *effects: str, waits_on_applicant: bool = False) -> Action:
    return Action(
        "reject",
        "Tolak",
        to,
        "Ditolak",
        label_en="Reject",
        outcome_en="Rejected",
        requires_reason=True,
        waits_on_applicant=waits_on_applicant,
        effects=effects,
    )


def _sign(to: str | None, *effects: str) -> Action:
    return Action(
        "sign",
        "Tanda Tangani",
        to,
        "Ditandatangani",
        label_en="Sign",
        outcome_en="Signed",
        requires_pin=True,
        closes_case=to is None,
        effects=effects,
    )


#: Reminder 2 working hours before due; at due the holder and their supervisor;
#: 4 working hours later the Kepala Bidang; a working day later the Kepala Dinas.
DEFAULT_LADDER: tuple[Escalation, ...] = (
    Escalation(0, WorkingTime(hours=2), (HOLDER,)),
    Escalation(1, WorkingTime(), (HOLDER, SUPERVISOR)),
    Escalation(2, WorkingTime(hours=4), ("kepala_bidang",)),
    Escalation(3, WorkingTime(days=1), ("kepala_dinas",)),
)

#: The Kepala Dinas has nobody above him in the office: remind him, then the
#: Kepala Bidang who prepares his desk.
KADIS_LADDER: tuple[Escalation, ...] = (
    Escalation(0, WorkingTime(hours=2), (HOLDER,)),
    Escalation(1, WorkingTime(), (HOLDER, "kepala_bidang")),
)

_BERKAS_KURANG = "notify_applicant:berkas_kurang"
#: A rejection of the document a step shows (to sign, or signed) makes it void.
_VOID = "document:void"


def pengaduan_online() -> Flow:
    """Build the flow (a fresh, frozen value: nothing is built at import time)."""
    steps = (
        Step(
            "telepon",
            1,
            "Pelapor menelepon Call Center Disdukcapil",
            "pemohon",
            (
                Action(
                    "call", "Telepon", "catat", "Menelepon", label_en="Call", outcome_en="Called"
                ),
            ),
            title_en="Applicant phones the call center",
            mutu_baku=MutuBaku(kelengkapan="Bukti Berkas WA"),
        ),
        Step(
            "catat",
            2,
            "Petugas Call Center mencatat dan mengarahkan pelapor mengirim berkas ke WA "
            "pelayanan online",
            "petugas_call_center",
            (
                Action(
                    "record",
                    "Catat",
                    "terima_wa",
                    "Dicatat",
                    label_en="Record",
                    outcome_en="Recorded",
                    effects=("notify_applicant:instruksi",),
                ),
            ),
            title_en="Call center records the call and directs the applicant to WhatsApp",
        ),
        Step(
            "terima_wa",
            3,
            "Operator Penerima WA menerima permohonan dan meneruskan ke Operator Pengangkat Data",
            "operator_penerima_wa",
            (
                Action(
                    "forward",
                    "Teruskan",
                    "angkat_data",
                    "Diteruskan",
                    label_en="Forward",
                    outcome_en="Forwarded",
                ),
                _reject("terima_wa", _BERKAS_KURANG, waits_on_applicant=True),
            ),
            title_en="WhatsApp operator takes the request in and forwards it",
            lists_applicant_files=True,
        ),
        Step(
            "angkat_data",
            4,
            "Operator Pengangkat Data menerima dan mengangkat data pemohon",
            "operator_pengangkat_data",
            (_done("cetak_berkas"),),
            title_en="Data operator takes the applicant's data in",
            reveals=frozenset({"nik"}),
        ),
        Step(
            "cetak_berkas",
            5,
            "Operator Cetak Berkas mencetak berkas permohonan",
            "operator_cetak_berkas",
            (_done("loket"),),
            title_en="Print operator prints the files",
            on_enter=("document:berkas_cetak",),
            card_document="berkas_cetak",
        ),
        Step(
            "loket",
            6,
            "Loket Pendaftaran mencatat di buku registrasi, memverifikasi dan mencatat "
            "nomor WA pemohon",
            "petugas_loket_pendaftaran",
            (
                _approve("verifikasi_kasi", "registration_number", "document:bukti_pendaftaran"),
                _reject("terima_wa", _BERKAS_KURANG, waits_on_applicant=True),
            ),
            title_en="Registration counter records, verifies and notes the WhatsApp number",
            reveals=frozenset({"phone"}),
            sla=WorkingTime(days=1),
            mutu_baku=MutuBaku(waktu="1 hari", output="File berkas yang sudah tercetak"),
        ),
        Step(
            "verifikasi_kasi",
            7,
            "Kasi Identitas Penduduk memverifikasi dan menyetujui untuk diproses",
            "kasi_identitas_penduduk",
            (_approve("entri_data"), _reject("loket")),
            title_en="Section head verifies and approves processing",
        ),
        Step(
            "entri_data",
            8,
            "Operator mengentri data dan mengajukan TTE kepada Kepala Dinas",
            "operator",
            (
                Action(
                    "submit_tte",
                    "Ajukan TTE",
                    "ttd_kadis",
                    "Diajukan TTE",
                    label_en="Submit for signature",
                    outcome_en="Submitted for signature",
                    requires_attachment=True,
                ),
            ),
            title_en="Operator enters the data and submits the document for signature",
            reveals=frozenset({"nik"}),
        ),
        Step(
            "ttd_kadis",
            9,
            "Kepala Dinas menandatangani dokumen secara elektronik",
            "kepala_dinas",
            (_sign("cetak_dokumen", "sign:dokumen"), _reject("entri_data", _VOID)),
            title_en="Head of office signs electronically",
            card_document="hasil",
            escalation=KADIS_LADDER,
        ),
        Step(
            "cetak_dokumen",
            10,
            "Operator mencetak dokumen ber-TTE dan menyerahkannya bersama berkas kepada "
            "Kepala Bidang",
            "operator",
            (_done("paraf_kabid"),),
            title_en="Operator prints the signed document and hands it to the division head",
            card_document="hasil_ttd",
        ),
        Step(
            "paraf_kabid",
            11,
            "Kepala Bidang memverifikasi ulang dan memberi paraf",
            "kepala_bidang",
            (
                Action(
                    "paraf",
                    "Paraf",
                    "pilah",
                    "Diparaf",
                    label_en="Initial",
                    outcome_en="Initialled",
                ),
                _reject("entri_data", _VOID),
            ),
            title_en="Division head re-verifies and initials",
            card_document="hasil_ttd",
        ),
        Step(
            "pilah",
            12,
            "Petugas Pemilah Berkas memilah berkas per kecamatan dan menghitung jumlahnya",
            "petugas_pemilah_berkas",
            (_done("kirim_pdf"),),
            title_en="Sorter sorts per sub-district and counts for the report",
        ),
        Step(
            "kirim_pdf",
            13,
            "Operator Pengirim PDF mengirim dokumen jadi (PDF) kepada pemohon",
            "operator_pengirim_pdf",
            (
                Action(
                    "send_pdf",
                    "Kirim PDF",
                    "buat_ba",
                    "PDF dikirim",
                    label_en="Send PDF",
                    outcome_en="PDF sent",
                    effects=("send_pdf_to_applicant",),
                ),
            ),
            title_en="PDF sender sends the finished document to the applicant",
            card_document="hasil_ttd",
        ),
        Step(
            "buat_ba",
            14,
            "Kasi Inovasi membuat Berita Acara Pengiriman Berkas ke UPT",
            "kasi_inovasi",
            (
                Action(
                    "make_ba",
                    "Buat BA",
                    "ttd_ba",
                    "Masuk BA",
                    label_en="Make BA",
                    outcome_en="Added to a BA",
                    forms_batch=True,
                    effects=("document:berita_acara",),
                ),
            ),
            title_en="Innovation section head makes the handover record to the UPT",
            collects_batch=True,
        ),
        Step(
            "ttd_ba",
            15,
            "Kepala Dinas menandatangani Berita Acara",
            "kepala_dinas",
            (_sign(None, "sign:berita_acara", "deliver:berita_acara"), _reject("buat_ba", _VOID)),
            title_en="Head of office signs the handover record",
            card_document="berita_acara",
            sla=WorkingTime(days=1),
            escalation=KADIS_LADDER,
            mutu_baku=MutuBaku(waktu="1 hari", output="Dokumen"),
            per_batch=True,
        ),
    )
    return Flow(
        key=FLOW_KEY,
        title="SOP Pengaduan Online",
        title_en="Online complaints SOP",
        roles=ROLES,
        steps=steps,
        start="telepon",
        default_sla=WorkingTime(days=1),
        default_escalation=DEFAULT_LADDER,
        identity=IDENTITY,
    )

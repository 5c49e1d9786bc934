"""The letters as a clerk (Tata Naskah Dinas) reads them, from the text of the rendered
PDFs: the surat tanggapan, the Berita Acara, the rekap and the SOP chart."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date

import pytest
from docsupport import KADIS, NOW, UPT, ba_input, text_of
from pypdf import PdfReader

from staffbot.documents.berita_acara import berita_acara
from staffbot.documents.model import (
    BeritaAcaraInput,
    Box,
    Letterhead,
    Official,
    SignRequest,
    StampPlacement,
    SuratTanggapanInput,
)
from staffbot.documents.report_model import (
    RekapCount,
    RekapInput,
    SopChartInput,
    SopIdentity,
    SopRow,
)
from staffbot.documents.reports import rekap_kecamatan
from staffbot.documents.sop_chart import sop_chart
from staffbot.documents.stamp import stamp_lines
from staffbot.documents.surat import surat_tanggapan
from staffbot.settings import JENIS_LAYANAN, KECAMATAN_TANGGAMUS, KODE_KECAMATAN_TANGGAMUS

BSRE = (
    "Dokumen ini telah ditandatangani secara elektronik menggunakan sertifikat elektronik "
    "yang diterbitkan oleh Balai Sertifikasi Elektronik (BSrE), BSSN"
)
REGENCY_JABATAN = "Kepala Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tanggamus"


def surat_text(data: SuratTanggapanInput, letterhead: Letterhead) -> str:
    rendered = surat_tanggapan(data, letterhead=letterhead, generated_at=NOW)
    return " ".join(text_of(rendered.pdf))


# -- the surat tanggapan -----------------------------------------------------------------


def test_the_letter_opens_once_and_closes_once(
    surat_input: SuratTanggapanInput, letterhead: Letterhead
) -> None:
    text = surat_text(surat_input, letterhead)
    assert text.count("Menindaklanjuti") == 1
    assert text.count("Demikian") == 1
    assert text.count("terima kasih") == 1
    assert text.index("Menindaklanjuti") < text.index(surat_input.response[:20])
    assert text.index("Demikian") > text.index("dikirim melalui kurir")


def test_the_signature_block_names_jabatan_with_the_regency_pangkat_and_grouped_nip(
    surat_input: SuratTanggapanInput, letterhead: Letterhead
) -> None:
    text = surat_text(surat_input, letterhead)
    assert f"{REGENCY_JABATAN}, MARADONA, S.STP.,M.Si Pembina Utama Muda (IV/c)" in text
    assert "NIP. 19790903 199810 1 001" in text
    assert "197909031998101001" not in text


def test_an_ungrouped_nip_is_printed_grouped(
    surat_input: SuratTanggapanInput, letterhead: Letterhead
) -> None:
    signer = replace(KADIS, nip="197903031998101001")
    text = surat_text(replace(surat_input, signatory=signer), letterhead)
    assert "NIP. 19790303 199810 1 001" in text and "197903031998101001" not in text


def test_the_letter_says_nomor_pengaduan_and_addresses_by_the_nik(
    surat_input: SuratTanggapanInput, letterhead: Letterhead
) -> None:
    woman = surat_text(surat_input, letterhead)
    assert "Sdri. Siti Nurhaliza" in woman and "Saudari" in woman
    assert "Sdr./Sdri." not in woman and "Saudara/i" not in woman
    assert "nomor pengaduan PGD-2026-000123" in woman
    assert "nomor kasus" not in woman.lower()

    man = surat_text(
        replace(
            surat_input,
            applicant_name="Budi Santoso",
            nik="1806120507900001",
            response="Data kependudukan Saudara telah kami perbaiki.",
        ),
        letterhead,
    )
    assert "Sdr. Budi Santoso" in man and "pengaduan Saudara yang" in man
    assert "Saudari" not in man and "Sdri." not in man


@pytest.mark.parametrize("backend", ["bsre", "local"])
def test_the_footer_names_bsre_only_when_bsre_signs(
    backend: str, surat_input: SuratTanggapanInput, letterhead: Letterhead
) -> None:
    text = surat_text(replace(surat_input, signer_backend=backend), letterhead)
    if backend == "bsre":
        assert BSRE in text
    else:
        assert "BSrE" not in text and "BSSN" not in text and "Balai Sertifikasi" not in text
        assert "otoritas sertifikat internal" in text


# -- the Berita Acara ----------------------------------------------------------------------


def ba_with_cases() -> BeritaAcaraInput:
    base = ba_input(3)
    cases = [
        replace(
            base.cases[0],
            nik="1806054501900001",
            document_number="470/4/SRT/DISDUKCAPIL/2026",
            desa="Pekon Baros",
        ),
        replace(base.cases[1], nik="1806050501900002"),
        replace(base.cases[2], nik=None),
    ]
    blank_upt = Official(name="..............................", position=UPT.position)
    return replace(base, cases=cases, received_by=blank_upt)


def test_the_berita_acara_has_the_columns_a_upt_needs(letterhead: Letterhead) -> None:
    rendered = berita_acara(ba_with_cases(), letterhead=letterhead, generated_at=NOW)
    text = " ".join(text_of(rendered.pdf))
    assert (
        "No Nomor Pengaduan Nama Pemohon NIK Layanan No. Dokumen Desa/Pekon Paraf Penerima" in text
    )
    assert "1806********0001 KTP-el" not in text  # layanan follows the NIK of its own row
    assert re.search(r"1806\*{8}0001 \S.* 470/4/SRT/ ?DISDUKCAPIL/ ?2026 Pekon Baros", text)
    assert "1806054501900001" not in text  # masked by default
    # a row without a document number or desa shows "-", a row without a NIK too
    assert re.search(r"PGD-2026-000003 \S+ \S+ - \S+( \S+)? - -", text)


def test_the_office_decides_how_the_nik_is_shown(letterhead: Letterhead) -> None:
    full = berita_acara(
        replace(ba_with_cases(), nik_mode="full"), letterhead=letterhead, generated_at=NOW
    )
    assert "1806054501900001" in " ".join(text_of(full.pdf))
    none = berita_acara(
        replace(ba_with_cases(), nik_mode="none"), letterhead=letterhead, generated_at=NOW
    )
    text = " ".join(text_of(none.pdf))
    assert "No Nomor Pengaduan Nama Pemohon Layanan No. Dokumen" in text
    assert "1806" not in text.replace("NIP : 19790903", "")


def test_the_parties_pangkat_and_no_nip_line_for_pihak_kedua(letterhead: Letterhead) -> None:
    rendered = berita_acara(ba_with_cases(), letterhead=letterhead, generated_at=NOW)
    first = text_of(rendered.pdf)[0]
    assert "NIP : 19790903 199810 1 001 Pangkat/Gol. : Pembina Utama Muda (IV/c)" in first
    assert f"Jabatan : {REGENCY_JABATAN}" in first
    second = first[first.index("2. Nama") : first.index("selanjutnya disebut PIHAK KEDUA")]
    assert "NIP" not in second and "Jabatan : Kepala UPT Disdukcapil Kecamatan Kota Agung" in second
    text = " ".join(text_of(rendered.pdf))
    # NIP once in PIHAK PERTAMA's lines, once under his signature; none for PIHAK KEDUA
    assert text.count("NIP") == 2


def test_the_berita_acara_prints_no_qr_of_its_own(letterhead: Letterhead) -> None:
    """The TTE stamp carries the QR that verifies the signed Berita Acara."""
    rendered = berita_acara(ba_with_cases(), letterhead=letterhead, generated_at=NOW)
    reader = PdfReader(io.BytesIO(rendered.pdf))
    images = [image for page in reader.pages for image in page.images]
    assert images == []
    assert "http://127.0.0.1:8080/v/BA12" not in " ".join(text_of(rendered.pdf))


def test_one_upt_for_several_kecamatan_names_each_row_s_kecamatan(letterhead: Letterhead) -> None:
    base = ba_with_cases()
    cases = [
        replace(c, kecamatan=k)
        for c, k in zip(base.cases, ("Kota Agung", "Kota Agung Timur", "Kota Agung"), strict=True)
    ]
    data = replace(base, cases=cases, kecamatan="Kota Agung, Kota Agung Timur")
    text = " ".join(text_of(berita_acara(data, letterhead=letterhead, generated_at=NOW).pdf))
    assert "Kecamatan Kota Agung, Kota Agung Timur sebanyak 3 (tiga) berkas" in text
    assert "(Kec. Kota Agung Timur)" in text


def test_the_berita_acara_footer_follows_the_signer(letterhead: Letterhead) -> None:
    bsre = berita_acara(
        replace(ba_with_cases(), signer_backend="bsre"), letterhead=letterhead, generated_at=NOW
    )
    assert BSRE in " ".join(text_of(bsre.pdf))
    local = berita_acara(ba_with_cases(), letterhead=letterhead, generated_at=NOW)
    assert "BSrE" not in " ".join(text_of(local.pdf))


# -- the rekap -----------------------------------------------------------------------------


def rekap(**changes: object) -> RekapInput:
    counts = [
        RekapCount(k, lay, (i + j) % 3)
        for i, k in enumerate(KECAMATAN_TANGGAMUS)
        for j, lay in enumerate(JENIS_LAYANAN)
    ]
    data = RekapInput(
        date_from=date(2026, 11, 1),
        date_to=date(2026, 11, 30),
        # given in another order (BPS's): the rows still follow the Kemendagri codes
        kecamatan=sorted(KECAMATAN_TANGGAMUS),
        layanan=JENIS_LAYANAN,
        counts=counts,
        kecamatan_codes=KODE_KECAMATAN_TANGGAMUS,
        number="470/3/REKAP/DISDUKCAPIL/2026",
        made_on=date(2026, 12, 1),
        signatory=KADIS,
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def test_the_rekap_header_breaks_between_words_only(letterhead: Letterhead) -> None:
    text = " ".join(text_of(rekap_kecamatan(rekap(), letterhead=letterhead, generated_at=NOW).pdf))
    header = text[text.index("No Kode Kecamatan") : text.index("1 18.06.01")]
    for name in JENIS_LAYANAN:
        for word in name.replace("/", "/ ").split():
            assert f" {word} " in f" {header} ", (word, header)
    assert "Perkawina n" not in header and "Dat ang" not in header


def test_the_rekap_lists_kecamatan_by_kemendagri_code(letterhead: Letterhead) -> None:
    text = " ".join(text_of(rekap_kecamatan(rekap(), letterhead=letterhead, generated_at=NOW).pdf))
    found = re.findall(r"(?<!\d)(\d{1,2}) (18\.06\.\d\d) ([A-Z][a-zA-Z ]+?) \d", text)
    assert [code for _, code, _ in found] == sorted(KODE_KECAMATAN_TANGGAMUS.values())
    assert [int(no) for no, _, _ in found] == list(range(1, 21))
    assert found[0][2] == "Kota Agung" and found[-1][2] == "Kelumbayan Barat"


def test_the_rekap_has_a_number_and_a_signature_so_it_can_go_to_the_bupati(
    letterhead: Letterhead,
) -> None:
    text = " ".join(text_of(rekap_kecamatan(rekap(), letterhead=letterhead, generated_at=NOW).pdf))
    assert "Nomor: 470/3/REKAP/DISDUKCAPIL/2026" in text
    assert (
        f"Kota Agung, 1 Desember 2026 {REGENCY_JABATAN}, MARADONA, S.STP.,M.Si "
        "Pembina Utama Muda (IV/c) NIP. 19790903 199810 1 001"
    ) in text


# -- the SOP chart -------------------------------------------------------------------------


def sop_input(rows: int = 20, decisions: tuple[int, ...] = (3, 7)) -> SopChartInput:
    roles = ["Pemohon/Masyarakat", "Petugas", "Kasi", "Kepala Dinas"]
    steps = [
        SopRow(
            str(no),
            f"Langkah nomor {no}",
            roles[0] if no == 1 else roles[1 + no % 3],
            decision=no in decisions,
            back_to="2" if no in decisions else "",
        )
        for no in range(1, rows + 1)
    ]
    identity = SopIdentity(
        disahkan_jabatan=REGENCY_JABATAN,
        disahkan_nama="MARADONA, S.STP.,M.Si",
        disahkan_nip="197909031998101001",
        dasar_hukum=("Undang-Undang Nomor 23 Tahun 2006", "Undang-Undang Nomor 24 Tahun 2013"),
        kualifikasi=("SMA, D3 dan S1 semua jurusan",),
        peralatan=("Komputer", "Internet"),
    )
    return SopChartInput(
        title="SOP PENGADUAN ONLINE",
        roles=roles,
        rows=steps,
        verification_url="http://127.0.0.1:8080/v/SOP1",
        identity=identity,
    )


def test_the_sop_chart_starts_with_its_identity_block(letterhead: Letterhead) -> None:
    rendered = sop_chart(sop_input(), letterhead=letterhead, generated_at=NOW)
    first = text_of(rendered.pdf)[0]
    for words in (
        "Nomor SOP -",
        "Tanggal Pembuatan -",
        "Tanggal Revisi -",
        "Tanggal Efektif -",
        f"Disahkan oleh {REGENCY_JABATAN} MARADONA, S.STP.,M.Si NIP. 19790903 199810 1 001",
        "Judul SOP SOP PENGADUAN ONLINE",
        "Dasar Hukum 1. Undang-Undang Nomor 23 Tahun 2006 2. Undang-Undang Nomor 24",
        "Kualifikasi Pelaksana SMA, D3 dan S1 semua jurusan",
        "Keterkaitan -",
        "Peralatan/Perlengkapan 1. Komputer 2. Internet",
        "Peringatan -",
        "Pencatatan dan Pendataan -",
    ):
        assert words in first, words
    assert "Uraian Prosedur" not in first  # the chart begins on the next page


def test_decisions_say_where_a_rejection_goes(letterhead: Letterhead) -> None:
    text = " ".join(text_of(sop_chart(sop_input(), letterhead=letterhead, generated_at=NOW).pdf))
    assert text.count("Tolak: ke no. 2") == 2


def _numbers_with_height(page: object) -> list[tuple[str, float]]:
    """Text pieces made of digits only, with their baseline in mm from the page's top."""
    found: list[tuple[str, float]] = []
    height = float(page.mediabox.height)  # type: ignore[attr-defined]

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip().isdigit():
            y = tm[5] * cm[3] + cm[5]
            found.append((text.strip(), (height - y) * 25.4 / 72))

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    return found


def test_no_stray_connector_number_in_a_page_header_and_no_empty_connector(
    letterhead: Letterhead,
) -> None:
    # decisions (a Ket note each: 10 mm rows) put the 13th row's off-page connector
    # right at the bottom edge of the first chart page, where fpdf2 would break the page
    every = tuple(range(1, 21))
    rendered = sop_chart(sop_input(decisions=every), letterhead=letterhead, generated_at=NOW)
    reader = PdfReader(io.BytesIO(rendered.pdf))
    chart_pages = reader.pages[1:]
    assert len(chart_pages) >= 2, "the chart must cross a page for this test"
    # the column header occupies 12 .. 58 mm from the top of each chart page: no number
    # may be written into it (the row numbers and connectors sit below it)
    for page in chart_pages:
        assert [n for n, at in _numbers_with_height(page) if 12 <= at <= 58] == []
    # the off-page connector at the bottom of a page carries the next step's number
    last_on_first = max(int(n) for n, at in _numbers_with_height(chart_pages[0]) if at > 58)
    first_on_next = min(int(n) for n, at in _numbers_with_height(chart_pages[1]) if at > 58)
    assert last_on_first == first_on_next  # the connector's tag, on both pages


# -- the stamp -----------------------------------------------------------------------------


def test_the_stamp_leaves_name_and_nip_to_the_signature_block_below_it() -> None:
    """Our letters print name, pangkat and NIP under the stamp's place: once only."""
    request = SignRequest(
        signer_name=KADIS.name,
        nip="197909031998101001",
        secret="rahasia",
        placement=StampPlacement(page_index=0, box=Box(300, 200, 200, 60)),
        verification_url="http://127.0.0.1:8080/v/TTD1",
    )
    alone = stamp_lines(request, NOW)  # a document without a signature block
    assert KADIS.name in alone and "NIP. 19790903 199810 1 001" in alone
    below = stamp_lines(replace(request, identity_below=True), NOW)
    assert below == ["Ditandatangani secara elektronik", "25 November 2026 10.15 WIB"]

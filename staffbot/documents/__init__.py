"""Documents (A4 PDFs with the office letterhead) and electronic signatures (TTE).

The only package that imports fpdf2 and pyHanko. Plain typed inputs in, bytes out;
nothing here reads settings, the clock or the database.

Import from the submodules (they load fpdf2/pyHanko, about half a second, so this
package itself stays light):

* :mod:`.model`: the input/output dataclasses (stdlib only), ``mask_nik``.
* :mod:`.render`: ``bukti_pendaftaran``, ``berkas_cetak``, ``surat_tanggapan``,
  ``berita_acara``, ``rekap_kecamatan``, ``mutu_baku``, ``sop_chart`` (sync, CPU-bound:
  run them in a worker thread).
* :mod:`.text`: ``terbilang``, ``format_ba_number``, dates in Indonesian.
* :mod:`.fonts`: the subset Source Sans Pro font (``subset_fonts(cache_dir)``).
* :mod:`.signing`: the ``Signer`` port, ``LocalPadesSigner``, ``last_page_placement``.
* :mod:`.bsre`: ``BsreSigner`` (BSrE e-sign API v2).
* :mod:`.pki`: ``init_office_pki`` (the office CA and the Kepala Dinas's certificate).
* :mod:`.verify`: ``validate_signed_pdf``, ``load_trust_roots``, ``sha256_hex``.
* :mod:`.errors`: ``DocumentError`` and the signing refusals, with their texts.
"""

"""The SOP as data, validation of flows, and the Mermaid/table export."""

from __future__ import annotations

import dataclasses

import pytest

from flows.errors import FlowDefinitionError
from flows.model import Action, Flow, Role, Step
from flows.pengaduan_online import pengaduan_online
from flows.render import mermaid, step_rows
from flows.validate import validate_flow
from flows.working_time import WorkingTime

DESIGN_ROLES = {
    1: "pemohon",
    2: "petugas_call_center",
    3: "operator_penerima_wa",
    4: "operator_pengangkat_data",
    5: "operator_cetak_berkas",
    6: "petugas_loket_pendaftaran",
    7: "kasi_identitas_penduduk",
    8: "operator",
    9: "kepala_dinas",
    10: "operator",
    11: "kepala_bidang",
    12: "petugas_pemilah_berkas",
    13: "operator_pengirim_pdf",
    14: "kasi_inovasi",
    15: "kepala_dinas",
}


def test_sop_has_fifteen_steps_with_the_design_roles() -> None:
    flow = validate_flow(pengaduan_online())
    assert [s.sop_no for s in flow.steps] == list(range(1, 16))
    assert {s.sop_no: s.role for s in flow.steps} == DESIGN_ROLES


def test_sop_actions_and_their_requirements() -> None:
    flow = pengaduan_online()
    keys = {s.sop_no: tuple(a.key for a in s.actions) for s in flow.steps}
    assert keys[3] == ("forward", "reject")
    assert keys[6] == ("approve", "reject")
    assert keys[8] == ("submit_tte",)
    assert keys[9] == ("sign", "reject")
    assert keys[11] == ("paraf", "reject")
    assert keys[13] == ("send_pdf",)
    assert keys[14] == ("make_ba",)
    assert keys[15] == ("sign", "reject")
    for _step, action in flow.edges():
        if action.key == "reject":
            assert action.requires_reason
    assert flow.step("ttd_kadis").action("sign").requires_pin  # type: ignore[union-attr]
    assert flow.step("entri_data").action("submit_tte").requires_attachment  # type: ignore[union-attr]
    assert flow.step("ttd_ba").action("sign").closes_case  # type: ignore[union-attr]


def test_sop_rejects_go_back_where_the_flow_says() -> None:
    flow = pengaduan_online()
    back = {s.sop_no: s.action("reject").to for s in flow.steps if s.action("reject")}  # type: ignore[union-attr]
    assert back == {
        3: "terima_wa",
        6: "terima_wa",
        7: "loket",
        9: "entri_data",
        11: "entri_data",
        15: "buat_ba",
    }


def test_berita_acara_steps_are_batched() -> None:
    flow = pengaduan_online()
    assert flow.step("buat_ba").collects_batch
    assert flow.step("buat_ba").action("make_ba").forms_batch  # type: ignore[union-attr]
    assert flow.step("ttd_ba").per_batch


def test_mutu_baku_marks_steps_6_and_15() -> None:
    flow = pengaduan_online()
    marked = {
        s.sop_no: (s.mutu_baku.waktu, s.mutu_baku.output) for s in flow.steps if s.mutu_baku.waktu
    }
    assert marked == {6: ("1 hari", "File berkas yang sudah tercetak"), 15: ("1 hari", "Dokumen")}
    assert flow.sla_of(flow.step("loket")) == WorkingTime(days=1)


def _tiny(**changes: object) -> Flow:
    roles = (Role("a", "A"), Role("b", "B"))
    steps = (
        Step("s1", 1, "satu", "a", (Action("go", "Go", "s2", "Gone"),)),
        Step("s2", 2, "dua", "b", (Action("done", "Done", None, "Done", closes_case=True),)),
    )
    flow = Flow(
        key="tiny",
        title="Tiny",
        roles=roles,
        steps=steps,
        start="s1",
        default_sla=WorkingTime(days=1),
    )
    return dataclasses.replace(flow, **changes)  # type: ignore[arg-type]


def test_a_small_valid_flow_passes() -> None:
    assert validate_flow(_tiny()).key == "tiny"


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (
            (
                Step("s1", 1, "satu", "a", (Action("go", "Go", "nowhere", "Gone"),)),
                Step(
                    "s2", 2, "dua", "b", (Action("done", "Done", None, "Done", closes_case=True),)
                ),
            ),
            "step 's1' (SOP 1), action 'go': next step 'nowhere' does not exist",
        ),
        (
            (
                Step("s1", 1, "satu", "a", (Action("done", "Done", None, "D", closes_case=True),)),
                Step("s2", 2, "dua", "b", (Action("done", "Done", None, "D", closes_case=True),)),
            ),
            "step 's2' (SOP 2) is not reachable from the start",
        ),
        (
            (
                Step("s1", 1, "satu", "a", (Action("go", "Go", "s2", "Gone"),)),
                Step("s2", 2, "dua", "b", (Action("loop", "Loop", "s1", "L"),)),
            ),
            "no action closes the case",
        ),
        (
            (
                Step("s1", 1, "satu", "zzz", (Action("go", "Go", "s2", "Gone"),)),
                Step("s2", 2, "dua", "b", (Action("done", "Done", None, "D", closes_case=True),)),
            ),
            "step 's1' (SOP 1): unknown role 'zzz'",
        ),
        (
            (
                Step("s1", 1, "satu", "a", (Action("reject", "Tolak", "s2", "Ditolak"),)),
                Step("s2", 2, "dua", "b", (Action("done", "Done", None, "D", closes_case=True),)),
            ),
            "step 's1' (SOP 1), action 'reject': every reject must ask for a reason",
        ),
        (
            (
                Step("s1", 1, "satu", "a", (Action("go", "Go", "s2", "Gone"),), sla=WorkingTime()),
                Step("s2", 2, "dua", "b", (Action("done", "Done", None, "D", closes_case=True),)),
            ),
            "step 's1' (SOP 1): SLA must be positive",
        ),
    ],
)
def test_invalid_flows_fail_loudly_naming_the_step(steps: tuple[Step, ...], expected: str) -> None:
    with pytest.raises(FlowDefinitionError) as caught:
        validate_flow(_tiny(steps=steps))
    assert expected in str(caught.value)


def test_dead_end_is_reported() -> None:
    steps = (
        Step("s1", 1, "satu", "a", (Action("go", "Go", "s2", "G"), Action("x", "X", "s3", "X"))),
        Step("s2", 2, "dua", "b", (Action("done", "Done", None, "D", closes_case=True),)),
        Step("s3", 3, "tiga", "b", (Action("again", "Again", "s3", "A"),)),
    )
    with pytest.raises(FlowDefinitionError, match="step 's3' \\(SOP 3\\) cannot reach the end"):
        validate_flow(_tiny(steps=steps))


def test_exports_name_every_step_and_edge() -> None:
    flow = pengaduan_online()
    rows = step_rows(flow)
    assert len(rows) == 15
    assert rows[8].actions == "sign->cetak_dokumen [PIN], reject->entri_data [alasan]"
    chart = mermaid(flow)
    assert chart.startswith("flowchart TD\n")
    assert "ttd_ba -->|Tanda Tangani| selesai" in chart
    assert "verifikasi_kasi -.->|Tolak| loket" in chart
    edges = sum(len(s.actions) for s in flow.steps)
    assert chart.count("-->|") + chart.count("-.->|") == edges

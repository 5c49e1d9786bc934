"""The pure engine: every rule of the flow, no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows.engine import Actor, CaseState, Request, available_actions, decide
from flows.errors import (
    AssignedToOther,
    AttachmentRequired,
    BatchOnly,
    CaseClosed,
    NotYourRole,
    PinRequired,
    ReasonRequired,
    UnknownAction,
    WrongStep,
)
from flows.pengaduan_online import pengaduan_online

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
FLOW = pengaduan_online()


def actor(*roles: str, key: str = "199001012015032005") -> Actor:
    return Actor(key=key, name="Rina", roles=frozenset(roles))


def test_forward_moves_to_the_next_step() -> None:
    t = decide(
        FLOW, CaseState("PO-1", "terima_wa"), actor("operator_penerima_wa"), Request("forward"), NOW
    )
    assert (t.from_step, t.to_step, t.action.key, t.on_behalf_of) == (
        "terima_wa",
        "angkat_data",
        "forward",
        None,
    )
    assert not t.closes_case


def test_entering_a_step_adds_its_on_enter_effects() -> None:
    t = decide(
        FLOW,
        CaseState("PO-1", "angkat_data"),
        actor("operator_pengangkat_data"),
        Request("done"),
        NOW,
    )
    assert t.effects == ("document:berkas_cetak",)


@pytest.mark.parametrize(
    ("state", "roles", "request_", "error"),
    [
        (
            CaseState("PO-1", "terima_wa", closed=True),
            ("operator_penerima_wa",),
            Request("forward"),
            CaseClosed,
        ),
        (CaseState("PO-1", "terima_wa"), ("operator_penerima_wa",), Request("approve"), WrongStep),
        (CaseState("PO-1", "terima_wa"), ("operator_penerima_wa",), Request("fly"), UnknownAction),
        (CaseState("PO-1", "terima_wa"), ("operator",), Request("forward"), NotYourRole),
        (
            CaseState("PO-1", "terima_wa"),
            ("operator_penerima_wa",),
            Request("reject"),
            ReasonRequired,
        ),
        (
            CaseState("PO-1", "terima_wa"),
            ("operator_penerima_wa",),
            Request("reject", reason=" x "),
            ReasonRequired,
        ),
        (CaseState("PO-1", "ttd_kadis"), ("kepala_dinas",), Request("sign"), PinRequired),
        (CaseState("PO-1", "entri_data"), ("operator",), Request("submit_tte"), AttachmentRequired),
        (CaseState("PO-1", "buat_ba"), ("kasi_inovasi",), Request("make_ba"), BatchOnly),
        (
            CaseState("PO-1", "terima_wa", assignee="someone-else"),
            ("operator_penerima_wa",),
            Request("forward"),
            AssignedToOther,
        ),
    ],
)
def test_rules_refuse(
    state: CaseState, roles: tuple[str, ...], request_: Request, error: type[Exception]
) -> None:
    with pytest.raises(error):
        decide(FLOW, state, actor(*roles), request_, NOW)


def test_not_your_role_names_the_step_and_role_in_indonesian() -> None:
    with pytest.raises(NotYourRole) as caught:
        decide(
            FLOW, CaseState("PO-1", "verifikasi_kasi"), actor("operator"), Request("approve"), NOW
        )
    assert caught.value.params == {
        "step": "7. Kasi Identitas Penduduk memverifikasi dan menyetujui untuk diproses",
        "role": "Kasi Identitas Penduduk",
        "actor": "Rina",
    }


def test_delegate_acts_on_behalf_of_the_absent_holder() -> None:
    delegate = Actor(
        key="D",
        name="Dewi",
        roles=frozenset({"operator"}),
        stand_in_for=(("K", frozenset({"kasi_identitas_penduduk"})),),
    )
    t = decide(FLOW, CaseState("PO-1", "verifikasi_kasi"), delegate, Request("approve"), NOW)
    assert t.on_behalf_of == "K"
    assert (
        decide(
            FLOW,
            CaseState("PO-1", "verifikasi_kasi", assignee="K"),
            delegate,
            Request("approve"),
            NOW,
        ).on_behalf_of
        == "K"
    )


def test_available_actions_are_the_buttons() -> None:
    assert [
        a.key
        for a in available_actions(FLOW, CaseState("PO-1", "ttd_kadis"), actor("kepala_dinas"))
    ] == ["sign", "reject"]
    assert available_actions(FLOW, CaseState("PO-1", "ttd_kadis"), actor("operator")) == ()
    assert (
        available_actions(FLOW, CaseState("PO-1", "ttd_kadis", closed=True), actor("kepala_dinas"))
        == ()
    )


NAIVE = datetime(2026, 1, 1)  # noqa: DTZ001 (what the test is about)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        decide(
            FLOW,
            CaseState("PO-1", "terima_wa"),
            actor("operator_penerima_wa"),
            Request("forward"),
            NAIVE,
        )


def test_the_assignee_acts_without_the_role_after_a_takeover() -> None:
    # "Ambil alih": the supervisor became the task's assignee and may act on it
    kasi = actor("kasi_identitas_penduduk", key="KASI")
    state = CaseState("PO-1", "cetak_berkas", assignee="KASI")
    t = decide(FLOW, state, kasi, Request("done"), NOW)
    assert (t.to_step, t.actor, t.on_behalf_of) == ("loket", "KASI", None)
    assert [a.key for a in available_actions(FLOW, state, kasi)] == ["done"]


def test_without_the_assignment_the_role_is_still_needed() -> None:
    kasi = actor("kasi_identitas_penduduk", key="KASI")
    with pytest.raises(NotYourRole):
        decide(FLOW, CaseState("PO-1", "cetak_berkas"), kasi, Request("done"), NOW)
    with pytest.raises(NotYourRole):
        decide(
            FLOW, CaseState("PO-1", "cetak_berkas", assignee="OTHER"), kasi, Request("done"), NOW
        )
    # the holder of the role is refused once the task went to somebody else
    with pytest.raises(AssignedToOther):
        decide(
            FLOW,
            CaseState("PO-1", "cetak_berkas", assignee="KASI"),
            actor("operator_cetak_berkas"),
            Request("done"),
            NOW,
        )

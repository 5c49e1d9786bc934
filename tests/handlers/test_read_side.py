"""Handler tier: the read side names a Berita Acara by its number as it names a case
(`case show <BA number>`), and lists a BA's task with the BA's number."""

from __future__ import annotations

import pytest

from staffbot.app.bus import MessageBus
from staffbot.app.commands.queries import LookAtCase, MyTasks, SearchCases, ShowCase
from staffbot.errors import ValidationError
from tests.handlers.support import act, advance_to, make_ba, record, who


async def a_waiting_ba(bus: MessageBus) -> tuple[str, str]:
    """A case in a Berita Acara that waits for the Kepala Dinas's signature."""
    number = (await record(bus)).number
    await advance_to(bus, number, "buat_ba")
    [ba] = await make_ba(bus, number)
    assert ba.ba_number is not None
    return number, ba.ba_number


async def test_case_show_takes_a_ba_number(bus: MessageBus) -> None:
    number, ba_number = await a_waiting_ba(bus)
    view = await bus.handle(ShowCase(ba_number))
    assert (view["number"], view["kind"], view["status"], view["step"]) == (
        ba_number,
        "ba",
        "open",
        "ttd_ba",
    )
    assert (view["sop_no"], view["role"], view["actions"]) == (
        15,
        "kepala_dinas",
        ["sign", "reject"],
    )
    assert view["task"] is not None and view["task"]["step"] == "ttd_ba"
    assert (view["applicant"], view["registration_no"], view["ba"]) == (None, None, None)
    assert (view["cases"], view["kecamatan"], view["layanan"]) == (
        [number],
        "Kota Agung",
        "Berita Acara",
    )
    assert [(h["step"], h["open"]) for h in view["history"]] == [("ttd_ba", True)]
    assert [d["kind"] for d in view["documents"]] == ["berita_acara"]
    assert (await bus.handle(ShowCase(f" {ba_number} ")))["number"] == ba_number


async def test_a_case_in_a_waiting_ba_shows_the_bas_task_and_history(bus: MessageBus) -> None:
    number, ba_number = await a_waiting_ba(bus)
    view = await bus.handle(ShowCase(number))
    assert (view["number"], view["kind"], view["ba"], view["cases"]) == (
        number,
        "case",
        ba_number,
        [number],
    )
    assert view["applicant"]["nik"] == "1806********0001"  # masked unless revealed
    assert view["task"] is not None and view["task"]["ba_id"] is not None
    assert view["actions"] == ["sign", "reject"]
    steps = [h["step"] for h in view["history"]]
    assert steps[:3] == ["telepon", "catat", "terima_wa"] and steps[-2:] == ["buat_ba", "ttd_ba"]
    assert all(d["kind"] != "berita_acara" for d in view["documents"])  # the BA's own
    revealed = await bus.handle(ShowCase(number, reveal=True))
    assert revealed["applicant"]["nik"] == "1806054501900001"


async def test_a_signed_ba_is_shown_closed_with_its_history(bus: MessageBus) -> None:
    number, ba_number = await a_waiting_ba(bus)
    await act(bus, number, "sign", role="kepala_dinas")
    view = await bus.handle(ShowCase(ba_number))
    assert (view["status"], view["task"], view["actions"]) == ("signed", None, [])
    assert [(h["step"], h["action"]) for h in view["history"]] == [("ttd_ba", "sign")]
    case = await bus.handle(ShowCase(number))
    assert (case["status"], case["ba"], case["history"][-1]["step"]) == (
        "closed",
        ba_number,
        "ttd_ba",
    )


async def test_the_read_side_lists_a_bas_task_by_the_bas_number(bus: MessageBus) -> None:
    number, ba_number = await a_waiting_ba(bus)
    [mine] = await bus.handle(MyTasks(who("kepala_dinas")))
    assert (mine.number, mine.kecamatan, mine.layanan, mine.sop_no) == (
        ba_number,
        "Kota Agung",
        "Berita Acara",
        15,
    )
    [hit] = await bus.handle(SearchCases(number))
    assert hit.number == number
    # opening the found case (chat "Buka", /kasus) brings the BA's task: it is theirs
    glance = await bus.handle(LookAtCase(who("kepala_dinas"), number))
    assert glance is not None and glance.my_task_id == mine.task_id


async def test_an_unknown_number_is_refused(bus: MessageBus) -> None:
    with pytest.raises(ValidationError):
        await bus.handle(ShowCase("470/99/BA/DISDUKCAPIL/2026"))

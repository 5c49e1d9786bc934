"""Forged, foreign and replayed button tokens over HTTP: refused, nothing changed."""

from __future__ import annotations

from tests.support import Desk, counts
from tests.web.support import Web, apply_edits, new_id


async def _card(web: Web, role: str) -> tuple[object, dict[str, object]]:
    person = await web.person(role)
    [card] = [m for m in (await person.shown()).values() if m["kind"] == "card"]
    return person, card


async def test_forged_foreign_and_replayed_tokens_change_nothing(web: Web, desk: Desk) -> None:
    number = (await desk.new_case()).number
    await web.drain()
    operator = await web.person("operator_penerima_wa")
    [card] = [m for m in (await operator.shown()).values() if m["kind"] == "card"]
    forward = next(c["token"] for c in card["choices"] if c["label"] == "Teruskan")
    other = await web.person("operator_pengangkat_data")
    before = await counts(desk.db)

    forged = await operator.press("forged-token")
    assert forged["alert"] and forged["text"] == "Tombol ini tidak dikenal atau bukan untuk Anda."
    too_long = await operator.client.post(
        "/api/press", json={"token": "x" * 65, "id": new_id()}, headers=operator.headers
    )
    assert too_long.status_code == 400
    # the token of another role's card, pressed by someone else
    foreign = await other.press(forward)
    assert foreign["alert"] and "bukan untuk Anda" in foreign["text"]
    assert await counts(desk.db) == before
    assert await desk.step_of(number) == "terima_wa"

    # the real press, then the same press again (a double tap with the same id) and a
    # replay with a new id after the task was done
    cid = new_id()
    done = await operator.press(forward, cid=cid)
    assert done == {"text": f"✔ Diteruskan: {number}", "alert": False}
    after = await counts(desk.db)
    double = await operator.press(forward, cid=cid)
    assert double == {"text": "", "alert": False}
    replay = await operator.press(forward)
    assert replay["alert"] and "Andi Saputra" in replay["text"]  # who already acted
    assert await counts(desk.db) == after
    assert await desk.step_of(number) == "angkat_data"
    shown = apply_edits((await operator.messages())["messages"])
    assert shown[card["id"]]["choices"] == []  # type: ignore[index]

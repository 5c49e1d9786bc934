"""Finding a case by its number, by the applicant's NIK or by the applicant's phone.

Staff type what they have in front of them: a NIK in groups of four, a phone number
as the applicant said it (08..., +62 ..., 62...). Every accepted spelling finds the
same cases; anything else finds nothing (and is not an error).
"""

from __future__ import annotations

import dataclasses

import pytest

from staffbot.app.commands.cases import IntakeForm
from staffbot.app.commands.queries import SearchCases
from tests.support import FORM, Desk

OTHER = IntakeForm(
    name="Bambang Wijaya",
    nik="1806061203850002",
    wa="0813-1111-2222",
    kecamatan="Gisting",
    layanan="KK",
    keluhan="Pindah alamat",
)


async def _found(desk: Desk, query: str) -> list[str]:
    return [case.number for case in await desk.bus.handle(SearchCases(query))]


@pytest.fixture
async def three_cases(desk: Desk) -> tuple[str, str, str]:
    """Siti's two requests and Bambang's one."""
    first = (await desk.new_case()).number
    other = (await desk.new_case(OTHER)).number
    second = (await desk.new_case(dataclasses.replace(FORM, layanan="KK"))).number
    return first, other, second


@pytest.mark.parametrize(
    "query",
    [
        "1806054501900001",
        "1806 0545 0190 0001",
        " 1806054501900001 ",
        "1806.0545.0190.0001",
        "1806-0545-0190-0001",
    ],
)
async def test_by_nik(desk: Desk, three_cases: tuple[str, str, str], query: str) -> None:
    first, _other, second = three_cases
    assert await _found(desk, query) == [second, first]  # newest first


@pytest.mark.parametrize(
    "query",
    [
        "081234567890",
        "0812-3456-7890",
        "0812 3456 7890",
        "(0812) 3456.7890",
        "+6281234567890",
        "+62 812-3456-7890",
        "6281234567890",
        "62 812 3456 7890",
        "81234567890",
    ],
)
async def test_by_phone_in_every_accepted_format(
    desk: Desk, three_cases: tuple[str, str, str], query: str
) -> None:
    first, _other, second = three_cases
    assert await _found(desk, query) == [second, first]


async def test_by_number_and_the_other_applicant(
    desk: Desk, three_cases: tuple[str, str, str]
) -> None:
    first, other, _second = three_cases
    assert await _found(desk, first) == [first]
    assert await _found(desk, first.lower()) == [first]
    assert await _found(desk, "1806061203850002") == [other]
    assert await _found(desk, "+62 813 1111 2222") == [other]


@pytest.mark.parametrize(
    "query",
    [
        "1806054501900009",  # a NIK nobody has
        "0812 9999 0000",  # a phone nobody has
        "PO-2026-00099",  # a number not issued
        "021-555-1234",  # a landline: not a WhatsApp number
        "+1 415 555 0100",  # not Indonesian
        "Siti",  # names are not searched (personal data, ambiguous)
        "18060545019",  # too short for a NIK, not a phone
    ],
)
async def test_no_match_is_an_empty_result(
    desk: Desk, three_cases: tuple[str, str, str], query: str
) -> None:
    assert await _found(desk, query) == []

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support import Desk
from tests.web.support import Web, build_web


@pytest.fixture
async def web(desk: Desk) -> AsyncIterator[Web]:
    built = build_web(desk)
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture
async def web_off(desk: Desk) -> AsyncIterator[Web]:
    """The same app outside demo mode (login links only)."""
    built = build_web(desk, demo=False)
    try:
        yield built
    finally:
        await built.close()

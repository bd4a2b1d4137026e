"""Fixtures of the bus tests: ``bus`` and ``buses`` run each test on every implementation."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from tests.bus.buses import BUSES, Bus, bus_maker


@pytest.fixture(params=BUSES)
async def buses(request: pytest.FixtureRequest) -> AsyncIterator[Callable[[], Bus]]:
    """Makes the test's buses (see :func:`~tests.bus.buses.bus_maker`)."""
    async with bus_maker(request.param) as make:
        yield make


@pytest.fixture
def bus(buses: Callable[[], Bus]) -> Bus:
    """The test's bus."""
    return buses()

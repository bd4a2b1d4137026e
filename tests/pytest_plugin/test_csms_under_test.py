"""A user's central system written with the ``ocpp`` library, tested through ``ocpp_station``
in a project of its own (pytester): a remote start that charges and meters, a reconnect; under
pytest-asyncio in strict and auto modes and under anyio's plugin."""

from __future__ import annotations

import pytest

from tests.pytest_plugin.projects import (
    ANYIO,
    INI,
    LIBRARY_CSMS,
    LIBRARY_CSMS_TESTS,
    PYTEST_ASYNCIO_AUTO,
    PYTEST_ASYNCIO_STRICT,
    RUN_ARGS,
)

MODES = {
    "pytest-asyncio-strict": (PYTEST_ASYNCIO_STRICT, "strict"),
    "pytest-asyncio-auto": (PYTEST_ASYNCIO_AUTO, "auto"),
    "anyio": (ANYIO, "strict"),
}


def test_anyio_alone_runs_the_fixtures(pytester: pytest.Pytester) -> None:
    """Without pytest-asyncio at all (a project on anyio only)."""
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(my_csms=LIBRARY_CSMS)
    pytester.makepyfile(test_my_csms=LIBRARY_CSMS_TESTS.format(**ANYIO))

    result = pytester.runpytest(*RUN_ARGS, "-p", "no:asyncio")

    result.assert_outcomes(passed=2)


@pytest.mark.parametrize("mode", list(MODES))
def test_a_library_csms_is_tested_through_ocpp_station(
    pytester: pytest.Pytester, mode: str
) -> None:
    spelling, asyncio_mode = MODES[mode]
    pytester.makeini(INI.format(mode=asyncio_mode))
    pytester.makepyfile(my_csms=LIBRARY_CSMS)
    pytester.makepyfile(test_my_csms=LIBRARY_CSMS_TESTS.format(**spelling))

    result = pytester.runpytest(*RUN_ARGS)

    result.assert_outcomes(passed=2)

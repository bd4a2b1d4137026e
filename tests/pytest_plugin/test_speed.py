"""A user's test on a virtual clock: the ``ocpp_speed`` mark, the loop
``ocpp_loop_factories`` hands pytest-asyncio, and ``ocpp_seed``
(``pytest_plugin/speed.py``)."""

from __future__ import annotations

import pytest

from tests.pytest_plugin.projects import INI, RUN_ARGS

CONFTEST = """
import asyncio

from chargeyard.pytest_plugin.speed import ocpp_loop_factories


def pytest_asyncio_loop_factories(config, item):
    return ocpp_loop_factories(item) or {"asyncio": asyncio.new_event_loop}
"""

SPEED_TESTS = """
import asyncio
import hashlib
import time

import pytest

from chargeyard import loop_clock


@pytest.mark.ocpp_speed("max", seed=3)
async def test_an_hour_of_heartbeats_passes_at_once(ocpp_csms, ocpp_station):
    began = time.monotonic()
    csms = await ocpp_csms("1.6", heartbeat_s=300)
    charger = await ocpp_station(csms.url, identity="CP-1")
    await asyncio.sleep(3601)

    heartbeats = [f for f in charger.frames if f.action == "Heartbeat" and f.direction == "sent"]
    assert len(heartbeats) == 12  # one every 300 s of the hour
    assert loop_clock.now().isoformat() == "2026-01-01T01:00:01+00:00"
    prefix = hashlib.sha256(b"3:CP-1").hexdigest()[:8]
    assert charger.frames[0].text.startswith(f'[2,"{prefix}-1","BootNotification",')
    assert time.monotonic() - began < 30


async def test_an_unmarked_test_keeps_wall_time():
    assert type(asyncio.get_running_loop()).__module__.startswith("asyncio")
"""


def test_a_marked_test_runs_its_stations_and_csms_on_the_virtual_clock(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(INI.format(mode="auto"))
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_speed=SPEED_TESTS)

    result = pytester.runpytest(*RUN_ARGS)

    result.assert_outcomes(passed=2)

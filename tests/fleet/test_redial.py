"""A station that closes its connection to dial again (``Station.redial``: new credentials take
effect, 1.6 security whitepaper A01, 2.0.1 A01) dials at once, not after the reconnect
back-off of a lost connection; a redial that then fails backs off as any attempt."""

from __future__ import annotations

import random
from pathlib import Path

from chargeyard.fleet.runtime import ReconnectPolicy, StationRuntime
from chargeyard.station.catalog import load_catalog
from chargeyard.station.clock import SystemClock
from chargeyard.station.model.states import Registration
from chargeyard.station.v16 import StationV16
from tests.polling import until
from tests.station.wire_csms import our_csms

# A back-off that would keep a station away for a minute after a lost connection.
MINUTE = ReconnectPolicy(initial=60.0, factor=1.0, ceiling=60.0)


class _Longest(random.Random):
    """Draws the longest wait the policy allows (full jitter's upper bound)."""

    def uniform(self, a: float, b: float) -> float:
        return b


def _station() -> StationV16:
    template = load_catalog().template("alfen-eve-single-pro-line")
    return StationV16("CP-1", template, clock=SystemClock())


async def test_a_redial_dials_again_at_once_whatever_the_back_off(tmp_path: Path) -> None:
    async with our_csms(tmp_path) as csms:
        runtime = StationRuntime(
            _station(), f"ws://127.0.0.1:{csms.port}/ocpp/CP-1", reconnect=MINUTE, rng=_Longest()
        )
        runtime.start()
        try:
            station = runtime.station
            await until(lambda: station.registration is Registration.ACCEPTED)
            station.redial()
            await until(lambda: runtime.stats.disconnects == 1 and station.connected)
            assert station.registration is Registration.ACCEPTED  # no second boot
        finally:
            await runtime.stop()


def test_the_at_once_is_for_the_redial_s_own_close_only() -> None:
    station = _station()
    station.connect()
    station.redial()
    station.disconnect()
    assert (station.take_dial_at_once(), station.take_dial_at_once()) == (True, False)
    # A connection lost on its own leaves the back-off to the runner.
    station.connect()
    station.disconnect()
    assert station.take_dial_at_once() is False

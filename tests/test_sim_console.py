"""``chargeyard sim``'s status lines: the live view's counters, one line every interval, for an
output that is not a terminal; on an injected clock."""

from __future__ import annotations

import pytest

from chargeyard.fleet.autogen import AutogenConfig
from chargeyard.fleet.fleet import Fleet, FleetStatus
from chargeyard.sim_console import StatusLines, status_line

TEMPLATE = "alfen-eve-single-pro-line"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _status(sent: int, received: int, **counts: int) -> FleetStatus:
    values = {
        "stations": 3,
        "running": 3,
        "connected": 3,
        "booted": 2,
        "charging": 1,
        "transactions": 1,
        "connects": 4,
        "disconnects": 1,
        "failures": 1,
        **counts,
    }
    return FleetStatus(
        **values, frames_sent=sent, frames_received=received, errors=((1.0, "CP-3", "refused"),)
    )


def test_one_line_per_interval_with_the_message_rate_since_the_last() -> None:
    clock, written = Clock(), list[str]()
    lines = StatusLines(10.0, written.append, clock)
    fleet = Fleet()
    lines.tick(fleet, _status(0, 0))
    clock.now += 9.9
    lines.tick(fleet, _status(50, 50))
    assert written == []  # not due yet

    clock.now += 0.1
    lines.tick(fleet, _status(1200, 1300))
    assert written == [
        "chargeyard sim: 3/3 connected, 2/3 booted, 1 connectors charging (1 transactions),"
        " 250 messages/s, 1,200 sent / 1,300 received, 4 connects (1 failed attempts)"
    ]
    clock.now += 5
    lines.tick(fleet, _status(1300, 1400))
    assert len(written) == 1
    clock.now += 5.5  # a late tick: the next line stays on the 10 s grid
    lines.tick(fleet, _status(1500, 1500, booted=3))
    assert written[1] == (
        "chargeyard sim: 3/3 connected, 3/3 booted, 1 connectors charging (1 transactions),"
        " 48 messages/s, 1,500 sent / 1,500 received, 4 connects (1 failed attempts)"
    )
    clock.now += 9.5  # 1030: due
    lines.tick(fleet, _status(1500, 1500))
    assert len(written) == 3


def test_after_a_stall_the_next_line_is_one_interval_away() -> None:
    clock, written = Clock(), list[str]()
    lines = StatusLines(2.0, written.append, clock)
    fleet = Fleet()
    clock.now += 7  # three lines were missed: one is written, not three
    lines.tick(fleet, _status(0, 0))
    lines.tick(fleet, _status(0, 0))
    assert len(written) == 1
    clock.now += 1.9
    lines.tick(fleet, _status(0, 0))
    assert len(written) == 1
    clock.now += 0.1
    lines.tick(fleet, _status(0, 0))
    assert len(written) == 2


async def test_automatic_sessions_are_counted_on_the_line() -> None:
    async with Fleet() as fleet:
        fleet.add(TEMPLATE, 1, csms_url="ws://127.0.0.1:9/ocpp")
        fleet.start_autogen(AutogenConfig())
        assert status_line(fleet, _status(0, 0), 0.0).endswith(
            ", auto: 0 sessions started, 0 ended"
        )


def test_the_interval_is_positive() -> None:
    with pytest.raises(ValueError, match="interval must be > 0"):
        StatusLines(0, print)

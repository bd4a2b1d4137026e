"""What a session tells its observer: every frame with its type and action, each round trip
of our CALLs on the session's clock, timeouts, and CALLERROR codes in both directions."""

from __future__ import annotations

from collections.abc import Callable

import orjson

from chargeyard.metrics import ProtocolStats
from chargeyard.protocol import V16, Role, Session

from .support import BOOT_ACCEPTED, BOOT_REQUEST, FakeClock, sent

Make = Callable[..., Session]


def test_a_call_and_its_result_are_counted_on_both_sides_with_the_round_trip(
    make_session: Make, clock: FakeClock
) -> None:
    station_side, csms_side = ProtocolStats("station"), ProtocolStats("csms")
    station = make_session(V16, role=Role.STATION, prefix="st", observer=station_side)
    csms = make_session(
        V16, {"BootNotification": lambda _: dict(BOOT_ACCEPTED)}, observer=csms_side
    )

    station.call("BootNotification", BOOT_REQUEST["1.6"])
    clock.advance(0.004)
    for frame in station.data_to_send():
        csms.receive(frame)
    clock.advance(0.003)
    for frame in csms.data_to_send():
        station.receive(frame)

    assert dict(station_side.messages) == {
        ("out", 2, "BootNotification"): 1,
        ("in", 3, "BootNotification"): 1,
    }
    assert dict(csms_side.messages) == {
        ("in", 2, "BootNotification"): 1,
        ("out", 3, "BootNotification"): 1,
    }
    durations = station_side.durations["BootNotification"]
    assert round(durations.total, 6) == 0.007
    # 7 ms: above the 5 ms bound, within 10 ms (index 3 of DURATION_BUCKETS).
    assert durations.counts[3] == 1
    assert sum(durations.counts) == 1
    assert csms_side.durations == {}


def test_callerrors_are_counted_by_code_in_and_out(make_session: Make, clock: FakeClock) -> None:
    station_side, csms_side = ProtocolStats("station"), ProtocolStats("csms")
    station = make_session(V16, role=Role.STATION, prefix="st", observer=station_side)
    csms = make_session(V16, observer=csms_side)  # no handlers at all

    station.call("Heartbeat", {})
    for frame in station.data_to_send():
        csms.receive(frame)
    for frame in csms.data_to_send():
        station.receive(frame)

    assert dict(csms_side.call_errors) == {("out", "NotSupported"): 1}
    assert dict(station_side.call_errors) == {("in", "NotSupported"): 1}
    assert station_side.messages[("in", 4, "Heartbeat")] == 1
    assert csms_side.messages[("out", 4, "Heartbeat")] == 1
    assert sum(station_side.durations["Heartbeat"].counts) == 1


def test_a_malformed_frame_is_answered_and_counted_without_an_action(make_session: Make) -> None:
    stats = ProtocolStats("csms")
    csms = make_session(V16, observer=stats)

    csms.receive(b'[2, "x-1", "Heartbeat"]')  # no payload

    assert sent(csms)[0][0] == 4
    assert dict(stats.messages) == {("out", 4, ""): 1}
    assert sum(stats.call_errors.values()) == 1


def test_a_timeout_is_counted_and_not_timed(make_session: Make, clock: FakeClock) -> None:
    stats = ProtocolStats("csms")
    csms = make_session(V16, call_timeout=5.0, observer=stats)
    csms.call("Reset", {"type": "Soft"})
    csms.data_to_send()

    clock.advance(5.0)
    csms.expire()
    late = orjson.dumps([3, "cs-1", {"status": "Accepted"}])
    csms.receive(late)  # an answer after the timeout answers nothing

    assert dict(stats.timeouts) == {"Reset": 1}
    assert stats.durations == {}
    assert stats.messages[("in", 3, "")] == 1

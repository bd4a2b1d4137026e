"""One CALL in flight at a time, the others waiting their turn in order (OCPP-J 1.6 section
4.1.1; OCPP 2.0.1 part 4 section 4.1.1), before and after the waiting line empties."""

from __future__ import annotations

from chargeyard.protocol.outgoing import OutgoingCall, OutgoingCalls


def _calls() -> tuple[OutgoingCalls, list[str]]:
    handed_out: list[str] = []
    calls = OutgoingCalls(lambda: 100.0, 30.0, lambda call: handed_out.append(call.unique_id))
    return calls, handed_out


def test_calls_go_out_one_at_a_time_in_order_again_after_the_line_emptied() -> None:
    calls, handed_out = _calls()
    for unique_id in ("1", "2", "3"):
        calls.add(OutgoingCall(unique_id, "Heartbeat", b"[]"))
    assert handed_out == ["1"]
    assert len(calls) == 3
    for unique_id in ("1", "2", "3"):
        assert calls.answered_by(unique_id) is not None
    assert handed_out == ["1", "2", "3"]
    assert len(calls) == 0
    calls.add(OutgoingCall("4", "Heartbeat", b"[]"))
    calls.add(OutgoingCall("5", "Heartbeat", b"[]"))
    assert handed_out == ["1", "2", "3", "4"]
    assert len(calls) == 2
    assert calls.answered_by("4") is not None
    assert handed_out[-1] == "5"


def test_cancel_returns_the_call_in_flight_then_those_waiting() -> None:
    calls, _ = _calls()
    assert calls.cancel() == []
    for unique_id in ("1", "2", "3"):
        calls.add(OutgoingCall(unique_id, "Heartbeat", b"[]"))
    assert [call.unique_id for call in calls.cancel()] == ["1", "2", "3"]
    assert len(calls) == 0
    assert calls.next_deadline() is None
    calls.add(OutgoingCall("4", "Heartbeat", b"[]"))
    assert calls.next_deadline() == 130.0
